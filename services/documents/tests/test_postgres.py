"""The whole service on both databases it runs on: a request handled by the worker, the
same request again, a portal render, listing and download."""
import hashlib

import pytest

from services.documents import create_app
from services.documents.domain.store import file_store
from services.documents.messaging.handlers import handlers_for
from services.documents.tests.helpers import make_env, outbox_events
from services.documents.tests.payloads import render_body
from shared import testing
from shared.kit.auth import mint_token
from shared.kit.db import Database


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
class TestOnEachDatabase:
    @pytest.fixture
    def env(self, backend, request, tmp_path):
        overrides = {}
        if backend == "postgresql":
            overrides["database_url"] = request.getfixturevalue("postgres_url_for")("documents_service")
        settings = make_env(tmp_path, **overrides)
        db = Database(settings.database_url)
        yield settings, db
        db.dispose()

    def test_requests_render_once_and_download_intact(self, env):
        settings, db = env
        handlers = handlers_for(file_store(settings))
        for envelope in testing.examples("documents.document.requested"):
            assert testing.deliver(db, handlers, envelope) == "processed"
            assert testing.deliver(db, handlers, {**envelope, "id": envelope["id"] + "-again"}) == "processed"
        generated = outbox_events(db, "documents.document.generated")
        requested = testing.examples("documents.document.requested")
        assert len(generated) == len(requested)
        client = create_app(settings).test_client()
        headers = {"Authorization": f"Bearer {mint_token(settings, 'am.garcia', programs=['transportation'])}"}
        portal = client.post("/api/v1/documents/render", json=render_body(kind="proposal_docx"), headers=headers)
        assert portal.status_code == 201
        listed = client.get("/api/v1/documents?limit=2", headers=headers).json
        assert len(listed["items"]) == 2 and listed["next_cursor"]
        rest = client.get(f"/api/v1/documents?after={listed['next_cursor']}&limit=100", headers=headers).json
        assert len(rest["items"]) == len(requested) - 1 and rest["next_cursor"] is None
        for event in generated:
            body = client.get(event["data"]["download_path"], headers=headers).data
            assert hashlib.sha256(body).hexdigest() == event["data"]["sha256"]

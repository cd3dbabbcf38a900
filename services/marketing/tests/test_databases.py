"""The same behaviour on PostgreSQL as on SQLite: migrations without drift, and the
intake-to-bind path (dedupe, revisions, comparison, bind) on each backend."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import func, select

from services.marketing import create_app
from services.marketing.models import Quote
from shared import testing
from shared.kit.auth import mint_token
from shared.kit.db import Database, utcnow
from shared.kit.migrations import alembic_config, upgrade

from .helpers import (
    broker_user, confirm_bind, deliver, emitted, golden_quote, golden_submission_sent, quote_envelope,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        return testing.embedded_settings("marketing", tmp_path)
    url = request.getfixturevalue("postgres_url_for")(f"marketing_{uuid.uuid4().hex[:8]}")
    return testing.embedded_settings("marketing", tmp_path, database_url=url)


def test_migrations_reach_head_without_drift(backend):
    upgrade("marketing", backend)
    command.check(alembic_config("marketing", backend))


class TestIntakeToBindOnEachBackend:
    @pytest.fixture
    def world(self, backend):
        upgrade("marketing", backend)
        db = Database(backend.database_url)
        submission_id = golden_submission_sent(db)
        yield backend, db, submission_id
        db.dispose()

    def test_quotes_are_stored_once_and_the_chain_is_kept(self, world):
        _settings, db, submission_id = world
        for index in (0, 0, 2, 1):
            data = golden_quote(index, submission_id=submission_id)
            assert deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"])) == "processed"
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(Quote)) == 3
            current = session.scalars(select(Quote).where(Quote.is_current.is_(True))).all()
        assert sorted(q.revision for q in current) == [1, 2]
        outcomes = [e["data"]["outcome"] for e in emitted(db, "carrier.quote.replied")]
        assert outcomes == ["accepted", "duplicate", "accepted", "accepted"]
        assert len(emitted(db, "marketing.comparison.ready")) == 1

    def test_the_comparison_and_the_bind_work_through_the_api(self, world):
        settings, db, submission_id = world
        valid_until = (utcnow().date() + timedelta(days=30)).isoformat()
        for index in (0, 1):
            data = golden_quote(index, submission_id=submission_id, valid_until=valid_until if index == 0 else None)
            deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
        http = create_app(settings).test_client()
        headers = {"Authorization": "Bearer " + mint_token(settings, "am.garcia", roles=["account_manager"],
                                                          programs=["transportation"])}
        comparison = http.get(f"/api/v1/submissions/{submission_id}/comparison", headers=headers).get_json()
        (option,) = comparison["options"]
        assert option["change_vs_expiring"]["percent"] == "7.57"
        response = http.post(f"/api/v1/quotes/{option['quote_id']}/bind", json={}, headers=headers)
        assert response.status_code == 201, response.get_json()
        assert http.post(f"/api/v1/quotes/{option['quote_id']}/bind", json={}, headers=headers).status_code == 409
        assert emitted(db, "marketing.policy.bound") == []  # until the market confirms
        (request,) = emitted(db, "carrier.bind.requested")
        assert request["data"]["bind_id"] == response.get_json()["id"]
        assert confirm_bind(db, response.get_json()) == "processed"
        assert len(emitted(db, "marketing.policy.bound")) == 1

"""The compliance part of the golden path on both backends: client registered, bind
delivered twice, the DMV 65 MCP filing opened once, moved to active over HTTP, and its
compliance.filing.due event valid."""
import uuid

import pytest

from services.compliance import create_app
from services.compliance.tests.conftest import bound_event, envelope, golden, make_env
from shared.contracts.registry import contract


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request, tmp_path):
    url = request.getfixturevalue("postgres_url_for")("compliance") if request.param == "postgresql" else None
    environment = make_env(tmp_path, url)
    yield environment
    environment.db.dispose()


class TestGoldenPathOnEachBackend:
    def test_bind_opens_the_dmv_filing_once_and_it_reaches_active(self, backend):
        client_id = f"client-{uuid.uuid4().hex[:8]}"
        registered = golden("accounts.client.registered")["data"]
        registered["client_id"] = client_id
        assert backend.deliver(envelope("accounts.client.registered", registered)) == "processed"
        bind = bound_event(client_id=client_id, suffix=client_id)
        assert backend.deliver(bind) == "processed"
        assert backend.deliver(bind) == "duplicate"
        app = create_app(backend.settings).test_client()
        headers = backend.token()
        [filing] = app.get(f"/api/v1/filings/?client_id={client_id}", headers=headers).json["items"]
        assert (filing["form"], filing["due_on"], filing["line_of_business"]) == ("DMV 65 MCP", "2027-02-25", "AUTO")
        for status in ("requested", "submitted", "pending_review", "accepted", "active"):
            assert app.post(f"/api/v1/filings/{filing['id']}/transition", json={"to": status},
                            headers=headers).status_code == 200
        assert app.post(f"/api/v1/filings/{filing['id']}/transition", json={"to": "draft"},
                        headers=headers).status_code == 409
        due = [e for e in backend.outbox("compliance.filing.due") if e["data"]["client_id"] == client_id]
        assert len(due) == 1 and contract("compliance.filing.due", 1).load_strict(due[0]["data"])
        obligations = app.get(f"/api/v1/clients/{client_id}/obligations", headers=headers).json
        dmv = next(c for c in obligations["credentials"] if c["credential"]["kind"] == "DMV_CA")
        assert [r["state"] for r in dmv["requirements"]] == ["on_file"]

"""The account manager's main path on both databases: register, record, search, refuse a
duplicate (the unique key, not only the pre-check), scan renewals once."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from services.accounts import create_app
from services.accounts.domain.renewals import scan
from services.accounts.tests.helpers import create_client, create_policy, emitted, policy_body
from shared import testing
from shared.kit.auth import mint_token
from shared.kit.db import Database
from shared.kit.migrations import upgrade

TODAY = date(2026, 11, 27)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'accounts.db'}"
    else:
        url = request.getfixturevalue("postgres_url_for")(f"accounts_api_{uuid.uuid4().hex[:6]}")
    settings = testing.embedded_settings("accounts", tmp_path, database_url=url)
    upgrade("accounts", settings)
    db = Database(url)
    yield settings, db
    db.dispose()


class TestOnBothDatabases:
    def _http(self, settings):
        headers = {"Authorization": "Bearer " + mint_token(settings, "am.garcia", roles=["account_manager"],
                                                           programs=["transportation"])}
        return create_app(settings).test_client(), headers

    def test_register_record_search_and_scan(self, backend):
        settings, db = backend
        http, headers = self._http(settings)
        client = create_client(http, headers)
        create_client(http, headers, name="delta Airfreight", program="transportation", fein=None,
                      credentials=[{"kind": "MC", "number": "MC1"}])
        for line in ("GL", "AUTO"):
            create_policy(http, headers, client["id"], line=line, number=f"{line}-1",
                          expires=TODAY + timedelta(days=90))
        names = [c["name"] for c in http.get("/api/v1/clients?name=delta", headers=headers).get_json()["items"]]
        assert names == ["delta Airfreight", "Delta Valley Freight LLC"]
        found = http.get("/api/v1/clients?credential_number=CA123456", headers=headers).get_json()["items"]
        assert [c["id"] for c in found] == [client["id"]]
        account = http.get(f"/api/v1/clients/{client['id']}", headers=headers).get_json()
        assert {p["premium"]["amount"] for p in account["policies"]} == {"8990.00"}
        with db.transaction() as session:
            assert len(scan(session, TODAY).raised) == 2
        with db.transaction() as session:
            assert scan(session, TODAY).raised == []
        assert len(emitted(db, "accounts.renewal.due")) == 2

    def test_a_duplicate_policy_number_is_a_conflict(self, backend):
        settings, _db = backend
        http, headers = self._http(settings)
        client = create_client(http, headers)
        create_policy(http, headers, client["id"], number="DUP-1")
        response = http.post(f"/api/v1/clients/{client['id']}/policies", json=policy_body(number="DUP-1"),
                             headers=headers)
        assert response.status_code == 409

    def test_the_unique_key_catches_a_duplicate_the_pre_check_missed(self, backend, monkeypatch):
        settings, _db = backend
        http, headers = self._http(settings)
        client = create_client(http, headers)
        create_policy(http, headers, client["id"], number="RACE-1")
        # As if a concurrent request recorded it between the check and the commit.
        monkeypatch.setattr("services.accounts.domain.policies.same_number", lambda _session, _terms: None)
        response = http.post(f"/api/v1/clients/{client['id']}/policies", json=policy_body(number="RACE-1"),
                             headers=headers)
        assert response.status_code == 409 and response.mimetype == "application/problem+json"

    def test_claims_loss_summary_and_log_search_on_both_databases(self, backend):
        settings, db = backend
        http, headers = self._http(settings)
        client = create_client(http, headers)
        policy = create_policy(http, headers, client["id"], line="AUTO", number="AUTO-PG")
        loss_day = (date.today() - timedelta(days=30)).isoformat()
        for number, reserved in (("C-1", "150000.10"), ("C-2", "0.25")):
            response = http.post(f"/api/v1/policies/{policy['id']}/claims", headers=headers, json={
                "claim_number": number, "date_of_loss": loss_day, "paid": {"amount": "0.10", "currency": "USD"},
                "reserved": {"amount": reserved, "currency": "USD"}})
            assert response.status_code == 201, response.get_json()
        summary = http.get(f"/api/v1/clients/{client['id']}/loss-summary", headers=headers).get_json()
        assert summary["five_years"]["incurred"] == {"amount": "150000.55", "currency": "USD"}
        assert [loss["claim_number"] for loss in summary["large_losses"]] == ["C-1"]
        http.post(f"/api/v1/clients/{client['id']}/communications", headers=headers,
                  json={"kind": "note", "subject": "Loss Runs", "body": "Ordered 5 years"})
        found = http.get(f"/api/v1/clients/{client['id']}/communications?q=loss%20RUNS", headers=headers)
        assert [e["subject"] for e in found.get_json()["items"]] == ["Loss Runs"]
        assert len(emitted(db, "accounts.losses.updated")) == 2

    def test_cancellation_diary_and_renewal_pipeline_on_both_databases(self, backend):
        settings, db = backend
        http, headers = self._http(settings)
        today = date.today()
        client = create_client(http, headers)
        kept = create_policy(http, headers, client["id"], number="PIPE-1", expires=today + timedelta(days=30),
                             premium={"amount": "1234567.89", "currency": "USD"})
        create_policy(http, headers, client["id"], number="PIPE-2", expires=today + timedelta(days=60),
                      premium={"amount": "0.12", "currency": "USD"})
        gone = create_policy(http, headers, client["id"], number="PIPE-3", expires=today + timedelta(days=70))
        cancelled = http.post(f"/api/v1/policies/{gone['id']}/cancel", headers=headers, json={
            "reason": "non_payment", "requested_by": "carrier", "notice_date": today.isoformat(),
            "effective_date": (today + timedelta(days=10)).isoformat()})
        assert cancelled.status_code == 200 and cancelled.get_json()["cancellation"]["reason"] == "non_payment"
        assert len(emitted(db, "accounts.policy.cancelled")) == 1
        pipeline = http.get("/api/v1/renewals?within_days=90", headers=headers).get_json()
        assert [e["policy_number"] for e in pipeline["items"]] == ["PIPE-1", "PIPE-2"]
        assert pipeline["totals"]["overall"] == [{"count": 2, "premium": {"amount": "1234568.01", "currency": "USD"}}]
        [remarket] = http.get("/api/v1/activities?view=overdue", headers=headers).get_json()["items"] + \
            http.get(f"/api/v1/activities?client_id={client['id']}&status=open", headers=headers).get_json()["items"]
        moved = http.post(f"/api/v1/activities/{remarket['id']}/reassign", json={"assignee": "as.lee"},
                          headers=headers)
        assert moved.status_code == 200
        done = http.post(f"/api/v1/activities/{remarket['id']}/complete", headers=headers, json={
            "outcome": "Sent to markets", "follow_up": {"type": "follow_up", "subject": "Chase quotes",
                                                        "due_on": (today + timedelta(days=3)).isoformat()}})
        assert done.get_json()["follow_up"]["follows_id"] == remarket["id"]
        history = http.get(f"/api/v1/activities/{remarket['id']}/history", headers=headers).get_json()
        assert [(r["from_assignee"], r["to_assignee"]) for r in history["reassignments"]] == [("am.garcia", "as.lee")]
        assert kept["status"] == "in_force"

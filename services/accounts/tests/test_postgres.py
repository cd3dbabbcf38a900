"""The account manager's main path on both databases: register, record, search, refuse a
duplicate (the unique key, not only the pre-check), scan renewals once."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from services.accounts import create_app
from services.accounts.domain.renewals import scan
from services.accounts.models import Contact
from services.accounts.tests.helpers import create_client, create_policy, emitted, policy_body
from shared import testing
from shared.kit.auth import mint_token
from shared.kit.migrations import upgrade

TODAY = date(2026, 11, 27)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'accounts.db'}"
    else:
        url = request.getfixturevalue("postgres_url_for")(f"accounts_api_{uuid.uuid4().hex[:6]}")
    settings, db = testing.migrated("accounts", tmp_path, database_url=url)
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

    def test_contacts_locations_and_delegation_on_both_databases(self, backend, monkeypatch):
        settings, db = backend
        http, headers = self._http(settings)
        client = create_client(http, headers, sic="4213")
        base = f"/api/v1/clients/{client['id']}"
        ann = http.post(f"{base}/contacts", json={"name": "Ann", "roles": ["owner"]}, headers=headers).get_json()
        bo = http.post(f"{base}/contacts", json={"name": "Bo", "primary": True}, headers=headers).get_json()
        assert (ann["primary"], bo["primary"]) == (True, True)  # each primary when added; Bo took it over
        address = {"line1": "1 Main St", "city": "Fresno", "state": "CA", "postal_code": "93721"}
        for _ in range(2):
            response = http.post(f"{base}/locations", headers=headers, json={
                "address": address, "mailing": True, "values": {"building": {"amount": "999999999999.99"}}})
            assert response.status_code == 201, response.get_json()
        # The unique keys hold even when a pre-check is skipped (as if a concurrent request won).
        monkeypatch.setattr("services.accounts.domain.locations._check_number_free", lambda *_args: None)
        taken = http.post(f"{base}/locations", json={"address": address, "number": 1}, headers=headers)
        assert taken.status_code == 409 and taken.mimetype == "application/problem+json"
        with pytest.raises(IntegrityError), db.transaction() as session:
            session.add(Contact(client_id=client["id"], name="Second primary", roles=[], is_primary=True))
        account = http.get(base, headers=headers).get_json()
        assert [(c["name"], c["primary"]) for c in account["contacts"]] == [("Bo", True), ("Ann", False)]
        assert [(loc["number"], loc["primary"], loc["mailing"]) for loc in account["locations"]] == [
            (1, True, False), (2, False, True)]
        assert account["locations"][0]["values"]["building"] == {"amount": "999999999999.99", "currency": "USD"}
        assert [c["name"] for c in http.get("/api/v1/clients?sic=42", headers=headers).get_json()["items"]] == [
            client["name"]]
        activity = http.post("/api/v1/activities", headers=headers, json={
            "client_id": client["id"], "type": "follow_up", "subject": "Call", "due_on": "2027-01-15"}).get_json()
        delegated = http.post(f"/api/v1/activities/{activity['id']}/delegate", json={"delegate": "as.lee"},
                              headers=headers)
        assert delegated.status_code == 200, delegated.get_json()
        assistant = {"Authorization": "Bearer " + mint_token(settings, "as.lee", roles=["assistant"],
                                                             programs=["transportation"])}
        diary = http.get("/api/v1/activities?assignee=me&status=open", headers=assistant).get_json()["items"]
        assert [(a["id"], a["delegated"]) for a in diary] == [(activity["id"], True)]
        assert len(emitted(db, "accounts.client.updated")) == 4


def test_a_value_postgresql_cannot_store_is_refused_with_422_not_500(tmp_path, postgres_url_for):
    url = postgres_url_for(f"accounts_nul_{uuid.uuid4().hex[:6]}")
    settings = testing.embedded_settings("accounts", tmp_path, database_url=url)
    upgrade("accounts", settings)
    http = create_app(settings).test_client()
    headers = {"Authorization": "Bearer " + mint_token(settings, "am.garcia", roles=["account_manager"],
                                                       programs=["transportation"])}
    refused = http.post("/api/v1/clients", json={"program": "transportation", "name": "Nul\x00Freight"},
                        headers=headers)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    client = create_client(http, headers)
    refused = http.post(f"/api/v1/clients/{client['id']}/contacts", json={"name": "Ann\x00"}, headers=headers)
    assert refused.status_code == 422
    assert http.get(f"/api/v1/clients/{client['id']}", headers=headers).get_json()["contacts"] == []

"""Producer side of the contracts: everything accounts puts in its outbox validates
strictly against its event schema and has the golden example's shape."""
from __future__ import annotations

from datetime import date, timedelta

from services.accounts.domain.renewals import scan
from services.accounts.tests.helpers import create_client, create_policy, emitted
from shared import testing

TODAY = date(2026, 11, 27)
PRODUCED = ("accounts.client.registered", "accounts.client.updated", "accounts.policy.recorded",
            "accounts.renewal.due")


def _keys(value, prefix=""):
    """Every field path in a payload (list items merged), to compare shapes."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths |= {f"{prefix}{key}"} | _keys(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            paths |= _keys(item, prefix)
    return paths


def test_every_event_accounts_emits_validates_and_matches_its_golden_example(http, auth, db):
    headers = auth()
    client = create_client(http, headers)
    for line in ("GL", "AUTO"):
        create_policy(http, headers, client["id"], line=line, number=f"{line}-1", expires=TODAY + timedelta(days=90))
    http.post(f"/api/v1/clients/{client['id']}/contacts", headers=headers, json={
        "name": "Maria Alvarez", "title": "President", "roles": ["owner"], "email": "maria@dvf.example",
        "phone": "916-555-0142", "preferred_channel": "email"})
    http.post(f"/api/v1/clients/{client['id']}/locations", headers=headers, json={
        "address": {"line1": "4100 Power Inn Rd", "line2": "Dock 3", "city": "Sacramento", "state": "CA",
                    "postal_code": "95826"},
        "description": "Terminal", "occupancy": "Truck terminal", "employee_count": 40,
        "values": {"building": {"amount": "1250000.00"}, "contents": {"amount": "80000.00"},
                   "business_income": {"amount": "300000.00"}}})
    http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"dba": "DVF", "sic": "4213", "credentials": [
        *client["credentials"], {"kind": "CSLB_LICENSE", "number": "1012345", "expires_on": "2027-09-30",
                                 "classifications": ["A", "C-12"]}]})
    with db.transaction() as session:
        scan(session, TODAY)
    envelopes = emitted(db)  # each validated strictly against its contract
    assert {e["type"] for e in envelopes} == set(PRODUCED)
    for envelope in envelopes:
        assert envelope["source"] == "accounts" and envelope["subject"] == client["id"]
    for event_type in PRODUCED:  # the fullest of each type has every field of the fullest golden example
        fullest = max((e for e in envelopes if e["type"] == event_type), key=lambda e: len(_keys(e["data"])))
        golden = max(testing.examples(event_type), key=lambda e: len(_keys(e["data"])))
        assert _keys(fullest["data"]) >= _keys(golden["data"])
    counts = {t: sum(e["type"] == t for e in envelopes) for t in PRODUCED}
    assert counts == {"accounts.client.registered": 1, "accounts.client.updated": 3,
                      "accounts.policy.recorded": 2, "accounts.renewal.due": 2}


def test_one_request_shares_its_correlation_id_with_its_events(http, auth, db):
    response = http.post("/api/v1/clients", json={"program": "transportation", "name": "Acme"},
                         headers={**auth(), "X-Correlation-ID": "corr-accounts-1"})
    assert response.headers["X-Correlation-ID"] == "corr-accounts-1"
    [event] = emitted(db, "accounts.client.registered")
    assert event["correlationid"] == "corr-accounts-1"

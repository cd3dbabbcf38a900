"""Two programs x every role: an account outside the caller's programs does not exist for
them (404 everywhere, absent from lists); inside, reading is open to every role and
changing accounts to every role but compliance."""
from __future__ import annotations

import pytest

from services.accounts.tests.helpers import client_body, create_client, create_policy, policy_body
from shared.kit.auth import ROLES

WRITERS = {"account_manager", "assistant", "producer", "program_manager", "admin"}
READS = 8  # the reads each matrix cell makes (see _reads)


@pytest.fixture
def book(http, auth):
    """One account in each program, each with a policy and an activity."""
    accounts = {}
    for program, name in [("transportation", "Delta Valley Freight LLC"), ("pest-control", "Bayside Termite Co")]:
        headers = auth("am.owner", roles=["account_manager"], programs=[program])
        client = create_client(http, headers, program=program, name=name)
        policy = create_policy(http, headers, client["id"], number=f"{program}-GL-1")
        activity = http.post("/api/v1/activities", headers=headers, json={
            "client_id": client["id"], "type": "follow_up", "subject": "Call the insured", "due_on": "2027-01-15",
        }).get_json()
        accounts[program] = {"client": client["id"], "policy": policy["id"], "activity": activity["id"]}
    return accounts


def _reads(http, headers, ids) -> list[int]:
    return [
        http.get(f"/api/v1/clients/{ids['client']}", headers=headers).status_code,
        http.get(f"/api/v1/clients/{ids['client']}/policies", headers=headers).status_code,
        http.get(f"/api/v1/clients/{ids['client']}/documents", headers=headers).status_code,
        http.get(f"/api/v1/policies/{ids['policy']}", headers=headers).status_code,
        http.get(f"/api/v1/activities/{ids['activity']}", headers=headers).status_code,
        http.get(f"/api/v1/clients/{ids['client']}/contacts", headers=headers).status_code,
        http.get(f"/api/v1/clients/{ids['client']}/locations", headers=headers).status_code,
        http.get(f"/api/v1/activities/{ids['activity']}/history", headers=headers).status_code,
    ]


def _writes(http, headers, ids, program) -> list[int]:
    return [
        http.patch(f"/api/v1/clients/{ids['client']}", headers=headers, json={"dba": "New DBA"}).status_code,
        http.post(f"/api/v1/clients/{ids['client']}/policies", headers=headers,
                  json=policy_body(line="AUTO", number=f"{program}-AUTO-2")).status_code,
        http.post(f"/api/v1/clients/{ids['client']}/contacts", headers=headers,
                  json={"name": "Pat Owner", "roles": ["owner"]}).status_code,
        http.post(f"/api/v1/clients/{ids['client']}/locations", headers=headers, json={"address": {
            "line1": "1 Main St", "city": "Fresno", "state": "CA", "postal_code": "93721"}}).status_code,
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_only_its_programs_accounts(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    own, other = book["transportation"], book["pest-control"]
    assert _reads(http, headers, own) == [200] * READS
    expected_other = [200] * READS if role == "admin" else [404] * READS
    assert _reads(http, headers, other) == expected_other
    listed = {c["id"] for c in http.get("/api/v1/clients", headers=headers).get_json()["items"]}
    activities = {a["id"] for a in http.get("/api/v1/activities", headers=headers).get_json()["items"]}
    if role == "admin":
        assert listed == {own["client"], other["client"]}
        assert activities == {own["activity"], other["activity"]}
    else:
        assert listed == {own["client"]}
        assert activities == {own["activity"]}


@pytest.mark.parametrize("role", ROLES)
def test_changing_an_account_needs_a_writing_role_and_its_program(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    own_status = [200, 201, 201, 201] if role in WRITERS else [403] * 4
    assert _writes(http, headers, book["transportation"], "transportation") == own_status
    other_status = [200, 201, 201, 201] if role == "admin" else [404] * 4
    assert _writes(http, headers, book["pest-control"], "pest-control") == other_status


@pytest.mark.parametrize("role", ROLES)
def test_activities_outside_the_callers_programs_cannot_be_opened_or_completed(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    other = book["pest-control"]
    opened = http.post("/api/v1/activities", headers=headers, json={
        "client_id": other["client"], "type": "follow_up", "subject": "Peek", "due_on": "2027-01-15"})
    completed = http.post(f"/api/v1/activities/{other['activity']}/complete", headers=headers,
                          json={"outcome": "done"})
    expected = 201 if role == "admin" else 404
    assert (opened.status_code, completed.status_code) == (expected, 200 if role == "admin" else 404)


def test_a_token_with_no_programs_sees_no_accounts(http, auth, book):
    headers = auth("nobody", roles=["account_manager"], programs=[])
    assert http.get("/api/v1/clients", headers=headers).get_json()["items"] == []
    assert _reads(http, headers, book["transportation"]) == [404] * READS
    assert http.post("/api/v1/clients", json=client_body(), headers=headers).status_code == 403


def test_a_wildcard_program_token_sees_every_program(http, auth, book):
    headers = auth("pm.all", roles=["program_manager"], programs=["*"])
    assert _reads(http, headers, book["pest-control"]) == [200] * READS

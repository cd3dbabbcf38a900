"""The diary over HTTP: opening, listing my open activities, completing."""
from __future__ import annotations

import pytest

from services.accounts.tests.helpers import create_client, create_policy


@pytest.fixture
def account(http, auth):
    headers = auth()
    client = create_client(http, headers)
    return client["id"], create_policy(http, headers, client["id"])["id"]


def _open(http, headers, client_id, **fields):
    body = {"client_id": client_id, "type": "follow_up", "subject": "Call about loss runs", "due_on": "2027-01-15"}
    body.update(fields)
    response = http.post("/api/v1/activities", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_manual_activity_is_assigned_to_its_author_unless_told_otherwise(http, auth, account):
    client_id, policy_id = account
    mine = _open(http, auth(), client_id, policy_id=policy_id)
    delegated = _open(http, auth(), client_id, assignee="as.lee", type="order_loss_runs")
    assert (mine["assignee"], mine["status"], mine["policy_id"]) == ("am.garcia", "open", policy_id)
    assert delegated["assignee"] == "as.lee"
    assert mine["created_by"] == "user:am.garcia"


def test_my_open_activities_are_listed_by_due_date(http, auth, account):
    client_id, _ = account
    headers = auth()
    later = _open(http, headers, client_id, due_on="2027-03-01")
    sooner = _open(http, headers, client_id, due_on="2027-01-02")
    _open(http, headers, client_id, assignee="as.lee")
    done = _open(http, headers, client_id, due_on="2026-12-01")
    http.post(f"/api/v1/activities/{done['id']}/complete", json={"outcome": "Called"}, headers=headers)
    body = http.get("/api/v1/activities?assignee=me&status=open", headers=headers).get_json()
    assert [a["id"] for a in body["items"]] == [sooner["id"], later["id"]]
    theirs = http.get("/api/v1/activities?assignee=as.lee", headers=headers).get_json()["items"]
    assert [a["assignee"] for a in theirs] == ["as.lee"]
    due_soon = http.get("/api/v1/activities?due_before=2027-01-31&status=open", headers=headers).get_json()["items"]
    assert {a["due_on"] for a in due_soon} == {"2027-01-02", "2027-01-15"}


def test_activities_page_through_by_due_date(http, auth, account):
    client_id, _ = account
    headers = auth()
    for day in range(1, 6):
        _open(http, headers, client_id, due_on=f"2027-01-0{day}")
    seen, cursor = [], None
    while True:
        body = http.get(f"/api/v1/activities?client_id={client_id}&limit=2" + (f"&after={cursor}" if cursor else ""),
                        headers=headers).get_json()
        seen += [a["due_on"] for a in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"2027-01-0{day}" for day in range(1, 6)]


def test_completing_records_the_outcome_once(http, auth, account):
    client_id, _ = account
    headers = auth()
    activity = _open(http, headers, client_id)
    done = http.post(f"/api/v1/activities/{activity['id']}/complete", json={"outcome": "Loss runs ordered"},
                     headers=headers)
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["outcome"]) == ("done", "Loss runs ordered")
    assert done.get_json()["completed_by"] == "user:am.garcia"
    again = http.post(f"/api/v1/activities/{activity['id']}/complete", json={"outcome": "Again"}, headers=headers)
    assert again.status_code == 409
    shown = http.get(f"/api/v1/activities/{activity['id']}", headers=headers).get_json()
    assert shown["outcome"] == "Loss runs ordered"


@pytest.mark.parametrize("change", [
    {"type": "daydream"}, {"priority": "urgent"}, {"due_on": "soon"}, {"subject": ""}, {"colour": "red"},
    {"policy_id": "00000000-0000-4000-8000-000000000000"},
])
def test_invalid_activities_are_refused_with_422(http, auth, account, change):
    client_id, _ = account
    body = {"client_id": client_id, "type": "follow_up", "subject": "Call", "due_on": "2027-01-15", **change}
    response = http.post("/api/v1/activities", json=body, headers=auth())
    assert response.status_code == 422, response.get_json()


def test_completing_needs_an_outcome(http, auth, account):
    client_id, _ = account
    activity = _open(http, auth(), client_id)
    response = http.post(f"/api/v1/activities/{activity['id']}/complete", json={}, headers=auth())
    assert response.status_code == 422


def test_an_activity_for_another_clients_policy_is_refused(http, auth, account):
    client_id, _ = account
    other = create_client(http, auth(), name="Other Inc")
    foreign_policy = create_policy(http, auth(), other["id"], number="OTHER-1")
    response = http.post("/api/v1/activities", headers=auth(), json={
        "client_id": client_id, "policy_id": foreign_policy["id"], "type": "review_policy",
        "subject": "Check", "due_on": "2027-01-15"})
    assert response.status_code == 422

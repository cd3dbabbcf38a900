"""Delegating in the diary: the assignee keeps the activity (and stays accountable) while a
delegate works it; both see it in their open activities; taking it back; completion by
the delegate; every hand-over, of every kind, in the activity's history."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.accounts.domain.absences import COVER_ACTOR
from services.accounts.tests.helpers import create_client
from shared.kit.audit import history
from shared.kit.db import utcnow

TODAY = utcnow().date()
ASSISTANT = {"user": "as.lee", "roles": ("assistant",)}


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def _open(http, headers, client_id, subject="Send the application", due_in=3, **fields):
    body = {"client_id": client_id, "type": "send_application", "subject": subject,
            "due_on": (TODAY + timedelta(days=due_in)).isoformat(), **fields}
    response = http.post("/api/v1/activities", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _delegate(http, headers, activity_id, delegate="as.lee", note=None):
    return http.post(f"/api/v1/activities/{activity_id}/delegate", json={"delegate": delegate, "note": note},
                     headers=headers)


def _open_diary(http, headers, who="me", query=""):
    response = http.get(f"/api/v1/activities?assignee={who}&status=open{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _history(http, headers, activity_id):
    return http.get(f"/api/v1/activities/{activity_id}/history", headers=headers).get_json()


def _moves(body):
    return [(r["kind"], r["from_assignee"], r["to_assignee"], r["reassigned_by"]) for r in body["reassignments"]]


def test_a_delegated_activity_stays_with_its_owner_and_shows_in_both_diaries(http, auth, client_id):
    activity = _open(http, auth(), client_id)
    response = _delegate(http, auth(), activity["id"], note="Please fill in the ACORD 125")
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert (shown["assignee"], shown["delegate"], shown["delegated"]) == ("am.garcia", "as.lee", True)
    [mine] = _open_diary(http, auth())["items"]
    [theirs] = _open_diary(http, auth(**ASSISTANT))["items"]
    assert mine["id"] == theirs["id"] == activity["id"]
    assert (theirs["assignee"], theirs["delegate"], theirs["delegated"]) == ("am.garcia", "as.lee", True)
    body = _history(http, auth(), activity["id"])
    assert (body["assignee"], body["delegate"]) == ("am.garcia", "as.lee")
    assert _moves(body) == [("delegate", "am.garcia", "as.lee", "user:am.garcia")]
    assert body["reassignments"][0]["note"] == "Please fill in the ACORD 125"


def test_the_delegate_completes_it_and_the_completion_says_who(http, auth, db, client_id):
    activity = _open(http, auth(), client_id)
    _delegate(http, auth(), activity["id"])
    response = http.post(f"/api/v1/activities/{activity['id']}/complete", headers=auth(**ASSISTANT),
                         json={"outcome": "Application sent to Sierra Mutual"})
    assert response.status_code == 200, response.get_json()
    done = response.get_json()
    assert (done["status"], done["completed_by"], done["assignee"], done["delegate"]) == (
        "done", "user:as.lee", "am.garcia", "as.lee")
    assert _open_diary(http, auth())["items"] == [] and _open_diary(http, auth(**ASSISTANT))["items"] == []
    with db.transaction() as session:
        [completed] = [e for e in history(session, "activity", activity["id"]) if e["action"] == "activity.completed"]
    assert (completed["actor"], completed["details"]["delegate"], completed["details"]["assignee"]) == (
        "user:as.lee", "as.lee", "am.garcia")


def test_a_follow_up_of_a_delegated_activity_goes_to_the_owner_and_the_same_delegate(http, auth, client_id):
    activity = _open(http, auth(), client_id)
    _delegate(http, auth(), activity["id"])
    body = http.post(f"/api/v1/activities/{activity['id']}/complete", headers=auth(**ASSISTANT), json={
        "outcome": "Sent", "follow_up": {"type": "follow_up", "subject": "Chase the signed application",
                                         "due_on": (TODAY + timedelta(days=5)).isoformat()}}).get_json()
    chained = body["follow_up"]
    assert (chained["assignee"], chained["delegate"], chained["follows_id"]) == ("am.garcia", "as.lee",
                                                                                  activity["id"])
    assert [a["id"] for a in _open_diary(http, auth(**ASSISTANT))["items"]] == [chained["id"]]


def test_undelegating_takes_it_back_and_is_recorded(http, auth, db, client_id):
    activity = _open(http, auth(), client_id)
    _delegate(http, auth(), activity["id"])
    _delegate(http, auth(), activity["id"], delegate="as.park")  # moves to another delegate
    response = http.post(f"/api/v1/activities/{activity['id']}/undelegate", json={"note": "I'll do it"},
                         headers=auth())
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["delegate"], response.get_json()["delegated"]) == (None, False)
    assert _open_diary(http, auth(**ASSISTANT))["items"] == []
    assert _moves(_history(http, auth(), activity["id"])) == [
        ("delegate", "am.garcia", "as.lee", "user:am.garcia"),
        ("delegate", "as.lee", "as.park", "user:am.garcia"),
        ("undelegate", "as.park", "am.garcia", "user:am.garcia")]
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "activity", activity["id"])]
    assert actions == ["activity.opened", "activity.delegated", "activity.delegated", "activity.undelegated"]
    again = http.post(f"/api/v1/activities/{activity['id']}/undelegate", json={}, headers=auth())
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_reassigning_moves_ownership_and_keeps_the_delegate_unless_they_become_the_owner(http, auth, client_id):
    activity = _open(http, auth(), client_id)
    _delegate(http, auth(), activity["id"])
    moved = http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "am.chen"},
                      headers=auth()).get_json()
    assert (moved["assignee"], moved["delegate"]) == ("am.chen", "as.lee")
    assert _open_diary(http, auth())["items"] == []
    owner = http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "as.lee"},
                      headers=auth()).get_json()
    assert (owner["assignee"], owner["delegate"]) == ("as.lee", None)
    assert [k for k, *_ in _moves(_history(http, auth(), activity["id"]))] == ["delegate", "reassign", "reassign"]


@pytest.mark.parametrize("delegate, status", [("am.garcia", 422), ("as.lee", 409)])
def test_delegating_to_the_owner_or_the_current_delegate_is_refused(http, auth, client_id, delegate, status):
    activity = _open(http, auth(), client_id)
    _delegate(http, auth(), activity["id"])
    response = _delegate(http, auth(), activity["id"], delegate=delegate)
    assert response.status_code == status and response.mimetype == "application/problem+json"


def test_a_completed_activity_cannot_be_delegated(http, auth, client_id):
    activity = _open(http, auth(), client_id)
    http.post(f"/api/v1/activities/{activity['id']}/complete", json={"outcome": "Done"}, headers=auth())
    assert _delegate(http, auth(), activity["id"]).status_code == 409


def test_delegating_to_someone_out_of_the_office_is_refused_naming_their_backup(http, auth, client_id):
    http.put("/api/v1/users/as.lee/absence", headers=auth(roles=("admin",)),
             json={"from": TODAY.isoformat(), "until": (TODAY + timedelta(days=4)).isoformat(), "backup": "as.park"})
    activity = _open(http, auth(), client_id)
    response = _delegate(http, auth(), activity["id"])
    assert response.status_code == 409 and "as.park" in response.get_json()["detail"]


@pytest.mark.parametrize("body", [{}, {"delegate": ""}, {"delegate": 7}, {"delegate": "as.lee", "colour": "red"},
                                  {"delegate": "x" * 121}, {"delegate": "as.lee", "note": "n" * 2001}])
def test_a_malformed_delegation_is_refused_with_422(http, auth, client_id, body):
    activity = _open(http, auth(), client_id)
    response = http.post(f"/api/v1/activities/{activity['id']}/delegate", json=body, headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_another_programs_activity_cannot_be_delegated_or_taken_back(http, auth, client_id):
    activity = _open(http, auth(), client_id)
    _delegate(http, auth(), activity["id"])
    outsider = auth("am.other", programs=("pest-control",))
    assert _delegate(http, outsider, activity["id"], delegate="am.other").status_code == 404
    assert http.post(f"/api/v1/activities/{activity['id']}/undelegate", json={},
                     headers=outsider).status_code == 404
    assert http.post("/api/v1/activities/nope/delegate", json={"delegate": "as.lee"},
                     headers=auth()).status_code == 404


def test_my_open_activities_merge_owned_and_delegated_by_due_date_across_pages(http, auth, client_id):
    expected = []
    for day in range(6):
        own = _open(http, auth(**ASSISTANT), client_id, subject=f"own {day}", due_in=day * 2)
        theirs = _open(http, auth(), client_id, subject=f"delegated {day}", due_in=day * 2 + 1)
        _delegate(http, auth(), theirs["id"])
        expected += [own["id"], theirs["id"]]
    _open(http, auth(), client_id, subject="not delegated")
    seen, cursor = [], None
    while True:
        body = _open_diary(http, auth(**ASSISTANT), query="&limit=5" + (f"&after={cursor}" if cursor else ""))
        seen += [a["id"] for a in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == expected
    overdue_free = _open_diary(http, auth(**ASSISTANT), query="&view=due_this_week")["items"]
    assert all(a["assignee"] == "as.lee" or a["delegate"] == "as.lee" for a in overdue_free)


def test_absence_cover_and_return_are_in_the_history(http, auth, client_id):
    activity = _open(http, auth(), client_id)
    until = TODAY + timedelta(days=3)
    http.put("/api/v1/users/am.garcia/absence", headers=auth(),
             json={"from": TODAY.isoformat(), "until": until.isoformat(), "backup": "am.backup"})
    arrived = _open(http, auth(), client_id, subject="Arrived while away", assignee="am.garcia")
    http.delete("/api/v1/users/am.garcia/absence", headers=auth())
    body = _history(http, auth(), activity["id"])
    assert _moves(body) == [("absence_cover", "am.garcia", "am.backup", COVER_ACTOR),
                            ("absence_return", "am.backup", "am.garcia", COVER_ACTOR)]
    assert body["reassignments"][0]["note"] == f"am.garcia is out of the office through {until.isoformat()}."
    assert _moves(_history(http, auth(), arrived["id"])) == [
        ("absence_cover", "am.garcia", "am.backup", COVER_ACTOR),
        ("absence_return", "am.backup", "am.garcia", COVER_ACTOR)]


def test_reassigning_to_someone_out_records_the_reassignment_and_the_cover(http, auth, client_id):
    http.put("/api/v1/users/as.lee/absence", headers=auth(roles=("admin",)),
             json={"from": TODAY.isoformat(), "until": (TODAY + timedelta(days=2)).isoformat(), "backup": "as.park"})
    activity = _open(http, auth(), client_id)
    http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "as.lee"}, headers=auth())
    assert _moves(_history(http, auth(), activity["id"])) == [
        ("reassign", "am.garcia", "as.lee", "user:am.garcia"),
        ("absence_cover", "as.lee", "as.park", COVER_ACTOR)]

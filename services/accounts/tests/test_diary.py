"""Working the diary: reassigning with history, completing with a chained follow-up,
and the overdue / due this week / team views."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.accounts.domain.diary import end_of_week
from services.accounts.tests.helpers import create_client
from shared.kit.audit import history
from shared.kit.db import utcnow

TODAY = utcnow().date()


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def _open(http, headers, client_id, **fields):
    body = {"client_id": client_id, "type": "follow_up", "subject": "Call about loss runs",
            "due_on": (TODAY + timedelta(days=3)).isoformat()}
    body.update(fields)
    response = http.post("/api/v1/activities", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


class TestReassign:
    def test_reassigning_moves_the_activity_and_keeps_each_hand_over(self, http, auth, db, client_id):
        activity = _open(http, auth(), client_id)
        first = http.post(f"/api/v1/activities/{activity['id']}/reassign",
                          json={"assignee": "as.lee", "note": "Please order the loss runs"}, headers=auth())
        assert first.status_code == 200 and first.get_json()["assignee"] == "as.lee"
        http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "pr.nguyen"},
                  headers=auth("as.lee", roles=("assistant",)))
        body = http.get(f"/api/v1/activities/{activity['id']}/history", headers=auth()).get_json()
        moves = [(r["from_assignee"], r["to_assignee"], r["reassigned_by"], r["note"]) for r in body["reassignments"]]
        assert moves == [("am.garcia", "as.lee", "user:am.garcia", "Please order the loss runs"),
                         ("as.lee", "pr.nguyen", "user:as.lee", None)]
        assert all(r["reassigned_at"] for r in body["reassignments"])
        with db.transaction() as session:
            actions = [e["action"] for e in history(session, "activity", activity["id"])]
        assert actions.count("activity.reassigned") == 2

    def test_reassigning_to_an_absent_user_hands_it_to_their_backup(self, http, auth, client_id):
        absent = http.put("/api/v1/users/as.lee/absence", headers=auth(roles=("admin",)),
                          json={"from": TODAY.isoformat(), "until": _days(5), "backup": "pr.nguyen"})
        assert absent.status_code in (200, 201), absent.get_json()
        activity = _open(http, auth(), client_id)
        moved = http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "as.lee"},
                          headers=auth()).get_json()
        assert (moved["assignee"], moved["original_assignee"]) == ("pr.nguyen", "as.lee")

    def test_a_completed_or_unchanged_assignment_is_a_conflict(self, http, auth, client_id):
        activity = _open(http, auth(), client_id)
        same = http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "am.garcia"},
                         headers=auth())
        assert same.status_code == 409
        http.post(f"/api/v1/activities/{activity['id']}/complete", json={"outcome": "Done"}, headers=auth())
        done = http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "as.lee"},
                         headers=auth())
        assert done.status_code == 409 and done.mimetype == "application/problem+json"

    @pytest.mark.parametrize("body", [{}, {"assignee": ""}, {"assignee": "as.lee", "colour": "red"},
                                      {"assignee": 7}])
    def test_a_malformed_reassignment_is_refused_with_422(self, http, auth, client_id, body):
        activity = _open(http, auth(), client_id)
        assert http.post(f"/api/v1/activities/{activity['id']}/reassign", json=body,
                         headers=auth()).status_code == 422

    def test_another_programs_activity_answers_404(self, http, auth, client_id):
        activity = _open(http, auth(), client_id)
        outsider = auth("am.other", programs=("pest_control",))
        assert http.post(f"/api/v1/activities/{activity['id']}/reassign", json={"assignee": "am.other"},
                         headers=outsider).status_code == 404
        assert http.get(f"/api/v1/activities/{activity['id']}/history", headers=outsider).status_code == 404


class TestFollowUpChain:
    def test_completing_with_a_follow_up_opens_the_next_activity_in_the_chain(self, http, auth, client_id):
        activity = _open(http, auth(), client_id, assignee="as.lee", priority="high")
        response = http.post(f"/api/v1/activities/{activity['id']}/complete", headers=auth(), json={
            "outcome": "Loss runs ordered", "follow_up": {"type": "order_loss_runs", "subject": "Chase loss runs",
                                                           "due_on": _days(7)}})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert (body["status"], body["outcome"]) == ("done", "Loss runs ordered")
        chained = body["follow_up"]
        assert (chained["follows_id"], chained["type"], chained["due_on"]) == (activity["id"], "order_loss_runs",
                                                                                _days(7))
        assert (chained["assignee"], chained["priority"], chained["status"]) == ("as.lee", "high", "open")
        shown = http.get(f"/api/v1/activities/{chained['id']}", headers=auth()).get_json()
        assert shown["follows_id"] == activity["id"]

    def test_completing_without_a_follow_up_chains_nothing(self, http, auth, client_id):
        activity = _open(http, auth(), client_id)
        body = http.post(f"/api/v1/activities/{activity['id']}/complete", json={"outcome": "Called"},
                         headers=auth()).get_json()
        assert body["follow_up"] is None

    @pytest.mark.parametrize("follow_up", [
        {"type": "daydream", "subject": "x", "due_on": _days(1)}, {"subject": "x", "due_on": _days(1)},
        {"type": "follow_up", "subject": "x", "due_on": _days(-1)},
        {"type": "follow_up", "subject": "x", "due_on": _days(1), "colour": "red"},
    ])
    def test_a_bad_follow_up_is_refused_and_leaves_the_activity_open(self, http, auth, client_id, follow_up):
        activity = _open(http, auth(), client_id)
        response = http.post(f"/api/v1/activities/{activity['id']}/complete", headers=auth(),
                             json={"outcome": "Called", "follow_up": follow_up})
        assert response.status_code == 422
        assert http.get(f"/api/v1/activities/{activity['id']}", headers=auth()).get_json()["status"] == "open"


class TestViews:
    def test_overdue_shows_open_activities_due_before_today(self, http, auth, client_id):
        late = _open(http, auth(), client_id, due_on=_days(-3))
        done_late = _open(http, auth(), client_id, due_on=_days(-2))
        http.post(f"/api/v1/activities/{done_late['id']}/complete", json={"outcome": "x"}, headers=auth())
        _open(http, auth(), client_id, due_on=_days(0))
        theirs = _open(http, auth(), client_id, due_on=_days(-1), assignee="as.lee")
        everyone = http.get("/api/v1/activities?view=overdue", headers=auth()).get_json()["items"]
        assert [a["id"] for a in everyone] == [late["id"], theirs["id"]]
        mine = http.get("/api/v1/activities?view=overdue&assignee=me", headers=auth()).get_json()["items"]
        assert [a["id"] for a in mine] == [late["id"]]

    def test_due_this_week_runs_from_today_through_sunday(self, http, auth, client_id):
        sunday = (end_of_week(TODAY) - TODAY).days
        today = _open(http, auth(), client_id, due_on=_days(0))
        last = _open(http, auth(), client_id, due_on=_days(sunday))
        _open(http, auth(), client_id, due_on=_days(sunday + 1))
        _open(http, auth(), client_id, due_on=_days(-1))
        items = http.get("/api/v1/activities?view=due_this_week&assignee=me", headers=auth()).get_json()["items"]
        assert [a["id"] for a in items] == [today["id"], last["id"]]

    def test_the_team_view_shows_a_programs_activities_for_any_assignee(self, http, auth):
        manager = auth("pm.ortiz", roles=("program_manager",), programs=("transportation", "pest_control"))
        ours = create_client(http, manager)["id"]
        pests = create_client(http, manager, program="pest_control", name="Bug Busters")["id"]
        a = _open(http, manager, ours, assignee="am.garcia")
        b = _open(http, manager, ours, assignee="as.lee", due_on=_days(1))
        _open(http, manager, pests, assignee="am.garcia")
        items = http.get("/api/v1/activities?view=team&program=transportation", headers=manager).get_json()["items"]
        assert [x["id"] for x in items] == [b["id"], a["id"]]

    def test_the_team_view_needs_a_program_manager_a_program_and_one_of_theirs(self, http, auth):
        manager = auth("pm.ortiz", roles=("program_manager",))
        assert http.get("/api/v1/activities?view=team&program=transportation", headers=auth()).status_code == 403
        assert http.get("/api/v1/activities?view=team", headers=manager).status_code == 422
        assert http.get("/api/v1/activities?view=team&program=pest_control", headers=manager).status_code == 404
        assert http.get("/api/v1/activities?view=someday", headers=manager).status_code == 422

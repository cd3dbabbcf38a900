"""Out-of-office cover: while a user is absent their open activities, and new ones, are with
the backup (remembering the original assignee), and they come back when the absence ends."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from services.accounts.messaging.worker import absence_cover_task
from services.accounts.tests.helpers import create_client
from shared.kit.db import utcnow

TODAY = utcnow().date()


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def _open(http, headers, client_id, assignee="am.garcia", subject="Follow up on loss runs"):
    response = http.post("/api/v1/activities", headers=headers, json={
        "client_id": client_id, "type": "follow_up", "subject": subject, "due_on": TODAY.isoformat(),
        "assignee": assignee})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _absent(http, headers, user="am.garcia", start=TODAY, end=TODAY + timedelta(days=7), backup="am.backup"):
    return http.put(f"/api/v1/users/{user}/absence", headers=headers,
                    json={"from": start.isoformat(), "until": end.isoformat(), "backup": backup})


def _diary(http, headers, user):
    items = http.get(f"/api/v1/activities?assignee={user}&status=open", headers=headers).get_json()["items"]
    return {a["subject"]: a for a in items}


def _at(day):
    return lambda: datetime.combine(day, time(12), tzinfo=timezone.utc)


def test_an_absence_moves_open_and_new_activities_to_the_backup_and_back(http, auth, client_id):
    headers = auth()
    _open(http, headers, client_id, subject="Open one")
    done = _open(http, headers, client_id, subject="Done one")
    http.post(f"/api/v1/activities/{done['id']}/complete", json={"outcome": "Done"}, headers=headers)
    response = _absent(http, headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["state"], response.get_json()["from"]) == ("active", TODAY.isoformat())
    _open(http, headers, client_id, subject="Arrived while away")
    covered = _diary(http, headers, "am.backup")
    assert set(covered) == {"Open one", "Arrived while away"}
    assert {a["original_assignee"] for a in covered.values()} == {"am.garcia"}
    assert _diary(http, headers, "am.garcia") == {}
    ended = http.delete("/api/v1/users/am.garcia/absence", headers=headers)
    assert ended.get_json()["state"] == "ended"
    back = _diary(http, headers, "am.garcia")
    assert set(back) == {"Open one", "Arrived while away"}
    assert {a["original_assignee"] for a in back.values()} == {None}
    done_now = http.get(f"/api/v1/activities/{done['id']}", headers=headers).get_json()
    assert (done_now["assignee"], done_now["original_assignee"]) == ("am.garcia", None)


def test_a_scheduled_absence_starts_and_ends_when_the_diary_is_read(http, auth, client_id, monkeypatch):
    headers = auth()
    _open(http, headers, client_id, subject="Open one")
    start, end = TODAY + timedelta(days=2), TODAY + timedelta(days=4)
    assert _absent(http, headers, start=start, end=end).get_json()["state"] == "scheduled"
    assert set(_diary(http, headers, "am.garcia")) == {"Open one"}
    monkeypatch.setattr("services.accounts.api.absences.utcnow", _at(start))
    monkeypatch.setattr("services.accounts.domain.activities.utcnow", _at(start))
    assert set(_diary(http, headers, "am.backup")) == {"Open one"}
    monkeypatch.setattr("services.accounts.api.absences.utcnow", _at(end + timedelta(days=1)))
    assert set(_diary(http, headers, "am.garcia")) == {"Open one"}
    assert http.get("/api/v1/users/am.garcia/absence", headers=headers).get_json()["state"] == "ended"


def test_the_worker_task_returns_activities_when_the_absence_is_over(http, auth, client_id, db, settings,
                                                                     monkeypatch):
    headers = auth()
    activity = _open(http, headers, client_id)
    _absent(http, headers, end=TODAY + timedelta(days=1))
    assert http.get(f"/api/v1/activities/{activity['id']}", headers=headers).get_json()["assignee"] == "am.backup"
    monkeypatch.setattr("services.accounts.messaging.worker.utcnow", _at(TODAY + timedelta(days=2)))
    absence_cover_task(db, settings)
    monkeypatch.setattr("services.accounts.api.absences.utcnow", _at(TODAY + timedelta(days=2)))
    shown = http.get(f"/api/v1/activities/{activity['id']}", headers=headers).get_json()
    assert (shown["assignee"], shown["original_assignee"]) == ("am.garcia", None)


def test_a_backup_who_is_out_too_passes_the_cover_on_and_each_gets_their_own_back(http, auth, client_id):
    headers = auth()
    _open(http, headers, client_id, subject="Garcia's")
    _open(http, headers, client_id, assignee="am.backup", subject="Backup's")
    _absent(http, headers, backup="am.backup")
    _absent(http, auth("pm.ross", roles=["program_manager"]), user="am.backup", backup="am.third")
    third = _diary(http, headers, "am.third")
    assert {s: a["original_assignee"] for s, a in third.items()} == {"Garcia's": "am.garcia", "Backup's": "am.backup"}
    http.delete("/api/v1/users/am.backup/absence", headers=auth("am.backup"))
    assert set(_diary(http, headers, "am.backup")) == {"Backup's"}
    http.delete("/api/v1/users/am.garcia/absence", headers=headers)
    assert set(_diary(http, headers, "am.garcia")) == {"Garcia's"}


@pytest.mark.parametrize("start, end, backup", [
    (TODAY, TODAY - timedelta(days=1), "am.backup"),                          # ends before it starts
    (TODAY - timedelta(days=9), TODAY - timedelta(days=2), "am.backup"),      # already over
    (TODAY, TODAY + timedelta(days=2), "am.garcia"),                          # own backup
])
def test_contradictory_absences_are_refused_with_422(http, auth, start, end, backup):
    response = _absent(http, auth(), start=start, end=end, backup=backup)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_only_the_user_or_a_manager_sets_an_absence(http, auth):
    assert _absent(http, auth("as.lee", roles=["assistant"])).status_code == 403
    assert _absent(http, auth("pm.ross", roles=["program_manager"])).status_code == 200
    assert http.put("/api/v1/users/am.garcia/absence", headers=auth(), json={"from": "soon"}).status_code == 422
    assert http.get("/api/v1/users/nobody/absence", headers=auth()).status_code == 404


def test_setting_an_absence_is_audited(http, auth, db):
    from shared.kit.audit import history

    _absent(http, auth())
    with db.transaction() as session:
        actions = [t["action"] for t in history(session, "user", "am.garcia")]
    assert actions[:2] == ["absence.set", "absence.started"]


def test_every_cover_and_return_is_a_hand_over_in_the_activitys_history(http, auth, client_id, db, settings,
                                                                        monkeypatch):
    from services.accounts.domain.absences import COVER_ACTOR

    headers = auth()
    activity = _open(http, headers, client_id)
    _absent(http, headers, backup="am.backup", end=TODAY + timedelta(days=1))
    _absent(http, auth("pm.ross", roles=["program_manager"]), user="am.backup", backup="am.third")
    monkeypatch.setattr("services.accounts.messaging.worker.utcnow", _at(TODAY + timedelta(days=2)))
    absence_cover_task(db, settings)  # garcia's absence is over: back from the third
    body = http.get(f"/api/v1/activities/{activity['id']}/history", headers=headers).get_json()
    moves = [(r["kind"], r["from_assignee"], r["to_assignee"], r["reassigned_by"]) for r in body["reassignments"]]
    assert moves == [("absence_cover", "am.garcia", "am.backup", COVER_ACTOR),
                     ("absence_cover", "am.backup", "am.third", COVER_ACTOR),
                     ("absence_return", "am.third", "am.garcia", COVER_ACTOR)]
    assert body["assignee"] == "am.garcia"

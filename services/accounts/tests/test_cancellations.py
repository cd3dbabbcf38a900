"""Cancelling a policy term over HTTP: the facts kept, both events, the remarketing
follow-up, and the refusals."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.accounts.models import Activity
from services.accounts.tests.helpers import create_client, create_policy, emitted
from shared import testing
from shared.kit.audit import history
from shared.kit.db import utcnow


@pytest.fixture
def policy(http, auth):
    client = create_client(http, auth())
    return create_policy(http, auth(), client["id"], line="AUTO", number="SMA-CA-9")


def _facts(policy, **overrides) -> dict:
    start = policy["period"]["effective_date"]
    body = {"reason": "non_payment", "requested_by": "carrier", "notice_date": start,
            "effective_date": (utcnow().date() + timedelta(days=10)).isoformat()}
    return body | overrides


def _cancel(http, headers, policy, **overrides):
    return http.post(f"/api/v1/policies/{policy['id']}/cancel", json=_facts(policy, **overrides), headers=headers)


def test_cancelling_keeps_the_facts_on_the_term_and_audits(http, auth, db, policy):
    response = _cancel(http, auth(), policy, reason="insured_request", requested_by="insured")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "cancelled"
    cancellation = body["cancellation"]
    assert (cancellation["reason"], cancellation["requested_by"]) == ("insured_request", "insured")
    assert cancellation["notice_date"] == policy["period"]["effective_date"]
    assert cancellation["cancelled_by"] == "user:am.garcia"
    shown = http.get(f"/api/v1/policies/{policy['id']}", headers=auth()).get_json()
    assert shown["cancellation"] == cancellation
    with db.transaction() as session:
        actions = [entry["action"] for entry in history(session, "policy", policy["id"])]
    assert "policy.cancelled" in actions


def test_cancelling_emits_policy_cancelled_and_policy_recorded_with_the_cancelled_status(http, auth, db, policy):
    facts = _facts(policy)
    http.post(f"/api/v1/policies/{policy['id']}/cancel", json=facts, headers=auth())
    [cancelled] = emitted(db, "accounts.policy.cancelled")
    data = cancelled["data"]
    assert (data["reason"], data["requested_by"]) == ("non_payment", "carrier")
    assert (data["notice_date"], data["effective_date"]) == (facts["notice_date"], facts["effective_date"])
    assert data["policy"]["status"] == "cancelled" and data["insured"]["credentials"]
    recorded = emitted(db, "accounts.policy.recorded")
    assert [e["data"]["policy"]["status"] for e in recorded] == ["in_force", "cancelled"]
    golden = testing.examples("accounts.policy.cancelled")[0]["data"]
    assert set(data) == set(golden) and set(data["policy"]) == set(golden["policy"])


def test_cancelling_opens_a_remarketing_follow_up_for_the_account_manager(http, auth, db, policy):
    facts = _facts(policy)
    _cancel(http, auth(), policy)
    with db.transaction() as session:
        [activity] = session.scalars(select(Activity).where(Activity.policy_id == policy["id"])).all()
        assert (activity.type, activity.assignee, activity.priority) == ("follow_up", "am.garcia", "high")
        assert activity.subject == f"remarket: coverage ends on {facts['effective_date']}"
        assert activity.due_on == utcnow().date() + timedelta(days=2)


def test_a_cancelled_term_cannot_be_cancelled_again(http, auth, db, policy):
    assert _cancel(http, auth(), policy).status_code == 200
    again = _cancel(http, auth(), policy)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert len(emitted(db, "accounts.policy.cancelled")) == 1


@pytest.mark.parametrize("change", [
    {"reason": "boredom"}, {"requested_by": "broker"}, {"notice_date": "soon"}, {"colour": "red"},
])
def test_malformed_cancellations_are_refused_with_422(http, auth, policy, change):
    response = _cancel(http, auth(), policy, **change)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_a_cancellation_taking_effect_before_its_notice_is_refused(http, auth, policy):
    today = utcnow().date()
    response = _cancel(http, auth(), policy, notice_date=today.isoformat(),
                       effective_date=(today - timedelta(days=1)).isoformat())
    assert response.status_code == 422
    assert "effective_date" in response.get_json()["errors"]


@pytest.mark.parametrize("days_from", [("effective_date", -1), ("expiration_date", 1)])
def test_a_cancellation_outside_the_term_is_refused(http, auth, db, policy, days_from):
    anchor, days = days_from
    effective = (date.fromisoformat(policy["period"][anchor]) + timedelta(days=days)).isoformat()
    response = _cancel(http, auth(), policy, notice_date="2000-01-01", effective_date=effective)
    assert response.status_code == 422
    assert http.get(f"/api/v1/policies/{policy['id']}", headers=auth()).get_json()["status"] == "in_force"
    assert emitted(db, "accounts.policy.cancelled") == []


def test_another_programs_policy_answers_404_and_a_read_only_role_403(http, auth, policy):
    outsider = auth("am.other", programs=("pest_control",))
    assert _cancel(http, outsider, policy).status_code == 404
    reader = auth("co.kim", roles=("compliance",))
    assert _cancel(http, reader, policy).status_code == 403

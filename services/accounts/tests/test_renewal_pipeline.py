"""The renewal pipeline over HTTP: each term at its stage, totals in exact Decimal by stage
and account manager, scoped to the caller's programs."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from services.accounts.domain.renewals import scan
from services.accounts.tests.helpers import create_client, create_policy, policy_body
from shared.kit.db import utcnow

TODAY = utcnow().date()


def _premium(amount: str) -> dict:
    return {"amount": amount, "currency": "USD"}


@pytest.fixture
def book(http, auth, db):
    """Five terms of two account managers, one at each stage."""
    headers = auth()
    garcia = create_client(http, headers)["id"]
    chen = create_client(http, headers, name="Chen Pest Control", account_manager="am.chen")["id"]
    terms = {
        "not_started": create_policy(http, headers, garcia, number="NS-1", expires=TODAY + timedelta(days=80),
                                     premium=_premium("1000.10")),
        "renewal_raised": create_policy(http, headers, garcia, number="RR-1", expires=TODAY + timedelta(days=20),
                                        premium=_premium("2000.20")),
        "in_marketing": create_policy(http, headers, chen, number="IM-1", expires=TODAY + timedelta(days=45),
                                      premium=_premium("3000.30")),
        "renewed": create_policy(http, headers, chen, number="RN-1", expires=TODAY + timedelta(days=10),
                                 premium=_premium("4000.40")),
        "lapsed": create_policy(http, headers, garcia, number="LP-1", expires=TODAY - timedelta(days=5),
                                premium=_premium("0.01")),
    }
    create_policy(http, headers, garcia, number="FAR-1", expires=TODAY + timedelta(days=200))
    with db.transaction() as session:
        # Only RR-1 falls inside the scan's 30-day tier today; IM-1 gets a renewal activity by hand.
        raised = {policy_id for policy_id, _tier in scan(session, TODAY, tiers=(30,)).raised}
    assert raised == {terms["renewal_raised"]["id"], terms["renewed"]["id"]}
    response = http.post("/api/v1/activities", headers=headers, json={
        "client_id": chen, "policy_id": terms["in_marketing"]["id"], "type": "renewal",
        "subject": "Market the renewal", "due_on": (TODAY + timedelta(days=5)).isoformat()})
    assert response.status_code == 201
    renewal = policy_body(number="RN-2", expires=TODAY + timedelta(days=375),
                          replaces_policy_id=terms["renewed"]["id"])
    assert http.post(f"/api/v1/clients/{chen}/policies", json=renewal, headers=headers).status_code == 201
    return terms


def test_each_term_shows_its_stage_and_expiring_premium_soonest_first(http, auth, book):
    body = http.get("/api/v1/renewals?within_days=90", headers=auth()).get_json()
    assert [(e["policy_number"], e["stage"]) for e in body["items"]] == [
        ("LP-1", "lapsed"), ("RN-1", "renewed"), ("RR-1", "renewal_raised"), ("IM-1", "in_marketing"),
        ("NS-1", "not_started")]
    renewed = body["items"][1]
    assert renewed["renewal_policy_id"] and renewed["days_to_expiration"] == 10
    assert body["items"][3]["expiring_premium"] == {"amount": "3000.30", "currency": "USD"}
    assert (body["as_of"], body["within_days"]) == (TODAY.isoformat(), 90)


def test_totals_sum_the_expiring_premium_exactly_by_stage_and_account_manager(http, auth, book):
    totals = http.get("/api/v1/renewals", headers=auth()).get_json()["totals"]
    assert totals["overall"] == [{"count": 5, "premium": _premium("10001.01")}]
    assert {t["stage"]: (t["count"], t["premium"]["amount"]) for t in totals["by_stage"]} == {
        "not_started": (1, "1000.10"), "renewal_raised": (1, "2000.20"), "in_marketing": (1, "3000.30"),
        "renewed": (1, "4000.40"), "lapsed": (1, "0.01")}
    assert [(t["account_manager"], t["count"], t["premium"]["amount"]) for t in totals["by_account_manager"]] == [
        ("am.chen", 2, "7000.70"), ("am.garcia", 3, "3000.31")]
    assert sum(Decimal(t["premium"]["amount"]) for t in totals["by_stage"]) == Decimal("10001.01")


def test_the_pipeline_narrows_by_days_account_manager_and_stage(http, auth, book):
    soon = http.get("/api/v1/renewals?within_days=30&lapsed_days=0", headers=auth()).get_json()
    assert [e["policy_number"] for e in soon["items"]] == ["RN-1", "RR-1"]
    chen = http.get("/api/v1/renewals?account_manager=am.chen", headers=auth()).get_json()
    assert {e["policy_number"] for e in chen["items"]} == {"IM-1", "RN-1"}
    assert chen["totals"]["overall"] == [{"count": 2, "premium": _premium("7000.70")}]
    lapsed = http.get("/api/v1/renewals?stage=lapsed", headers=auth()).get_json()
    assert [e["policy_number"] for e in lapsed["items"]] == ["LP-1"]


def test_the_pipeline_pages_through_with_totals_for_the_whole_selection(http, auth, book):
    first = http.get("/api/v1/renewals?limit=2", headers=auth()).get_json()
    second = http.get(f"/api/v1/renewals?limit=2&after={first['next_cursor']}", headers=auth()).get_json()
    assert [e["policy_number"] for e in first["items"] + second["items"]] == ["LP-1", "RN-1", "RR-1", "IM-1"]
    assert first["totals"]["overall"][0]["count"] == second["totals"]["overall"][0]["count"] == 5


def test_totals_false_pages_the_same_terms_without_the_totals(http, auth, book):
    first = http.get("/api/v1/renewals?limit=2&totals=false", headers=auth()).get_json()
    second = http.get(f"/api/v1/renewals?limit=2&totals=false&after={first['next_cursor']}",
                      headers=auth()).get_json()
    assert [e["policy_number"] for e in first["items"] + second["items"]] == ["LP-1", "RN-1", "RR-1", "IM-1"]
    assert "totals" not in first and "totals" not in second
    assert [e["stage"] for e in first["items"]] == [e["stage"] for e in http.get(
        "/api/v1/renewals?limit=2", headers=auth()).get_json()["items"]]


def test_only_the_callers_programs_are_in_the_pipeline(http, auth, book):
    outsider = auth("am.other", programs=("pest_control",))
    body = http.get("/api/v1/renewals", headers=outsider).get_json()
    assert body["items"] == [] and body["totals"]["overall"] == [{"count": 0, "premium": _premium("0.00")}]
    assert http.get("/api/v1/renewals?program=transportation", headers=outsider).status_code == 404
    mine = http.get("/api/v1/renewals?program=transportation", headers=auth()).get_json()
    assert len(mine["items"]) == 5


def test_a_cancelled_term_leaves_the_pipeline(http, auth, book):
    term = book["not_started"]
    response = http.post(f"/api/v1/policies/{term['id']}/cancel", headers=auth(), json={
        "reason": "underwriting", "requested_by": "carrier", "notice_date": TODAY.isoformat(),
        "effective_date": (TODAY + timedelta(days=30)).isoformat()})
    assert response.status_code == 200
    numbers = [e["policy_number"] for e in http.get("/api/v1/renewals", headers=auth()).get_json()["items"]]
    assert "NS-1" not in numbers


@pytest.mark.parametrize("query", ["within_days=0", "within_days=ninety", "lapsed_days=-1", "stage=dreaming",
                                   "colour=red", "after=not-a-cursor"])
def test_bad_pipeline_queries_are_refused_with_422(http, auth, query):
    response = http.get(f"/api/v1/renewals?{query}", headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"

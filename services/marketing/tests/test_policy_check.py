"""Policy checking: the issued policy against the bound quote, each discrepancy stored and
sent to accounts in ``marketing.policy.discrepancies_found``."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from services.marketing.domain.policy_check import discrepancies
from services.marketing.models import PolicyDiscrepancy
from shared import testing
from shared.kit.audit import history

from .helpers import AM, bind_and_confirm, emitted, quote_ids


def _money(amount):
    return {"amount": amount, "currency": "USD"}


BOUND = {
    "lines": [{"line_of_business": "GL", "premium": _money("8990.00"), "coverages": [
        {"code": "CGL", "limits": [{"kind": "each_occurrence", "amount": _money("1000000.00")}],
         "deductible": {"kind": "deductible", "amount": _money("1000.00")}, "forms": ["CG 00 01 04 13"]},
        {"code": "HNOA", "limits": [{"kind": "combined_single_limit", "amount": _money("1000000.00")}]}]}],
    "forms": ["IL 00 17"], "exclusions": ["Pollution"],
}


def test_an_identical_policy_has_no_discrepancy():
    assert discrepancies(BOUND, copy.deepcopy(BOUND)) == []


def test_every_kind_of_difference_is_found_with_expected_and_found():
    issued = copy.deepcopy(BOUND)
    gl = issued["lines"][0]
    gl["premium"] = _money("9100.00")
    cgl = gl["coverages"][0]
    cgl["limits"][0]["amount"] = _money("500000.00")
    cgl["deductible"]["amount"] = _money("2500.00")
    cgl["forms"] = ["CG 00 01 12 07"]
    gl["coverages"][1] = {"code": "EBL", "limits": []}
    issued["exclusions"] = ["Pollution", "Hazardous materials hauling"]
    issued["lines"].append({"line_of_business": "AUTO", "premium": _money("100.00"), "coverages": []})
    found = {(d["kind"], d["coverage_code"]): d for d in discrepancies(BOUND, issued)}
    assert set(found) == {("premium", None), ("limit", "CGL"), ("deductible", "CGL"), ("missing_coverage", "HNOA"),
                          ("extra_coverage", "EBL"), ("extra_line", None), ("missing_form", None),
                          ("extra_form", None), ("new_exclusion", None)}
    assert (found[("limit", "CGL")]["expected"], found[("limit", "CGL")]["found"]) == ("USD 1000000.00", "USD 500000.00")
    assert found[("premium", None)]["detail"] == "GL premium USD 9100.00 instead of USD 8990.00."
    assert found[("missing_form", None)]["expected"] == "CG 00 01 04 13"


def test_a_missing_line_and_a_removed_exclusion_are_discrepancies():
    issued = {"lines": [], "forms": ["IL 00 17", "CG 00 01 04 13"], "exclusions": []}
    kinds = [d["kind"] for d in discrepancies(BOUND, issued)]
    assert kinds == ["missing_line", "removed_exclusion"]


@pytest.fixture
def bound(db, http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    bind = bind_and_confirm(http, auth, db, quote_id)
    quote = http.get(f"/api/v1/quotes/{quote_id}", headers=auth(**AM)).get_json()
    return bind, quote


def _as_issued(quote):
    return {"lines": copy.deepcopy(quote["lines"]), "forms": list(quote["forms"]), "exclusions": list(quote["exclusions"])}


def test_an_issued_policy_matching_the_quote_raises_nothing(db, http, auth, bound):
    bind, quote = bound
    response = http.post(f"/api/v1/binds/{bind['id']}/issued-policy", json=_as_issued(quote), headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["discrepancy_count"] == 0
    assert emitted(db, "marketing.policy.discrepancies_found") == []


def test_discrepancies_are_stored_audited_and_sent_to_accounts(db, http, auth, bound):
    bind, quote = bound
    issued = _as_issued(quote)
    auto = next(line for line in issued["lines"] if line["line_of_business"] == "AUTO")
    auto["coverages"][0]["limits"][0]["amount"]["amount"] = "750000.00"
    issued["exclusions"].append("Hazardous materials hauling")
    response = http.post(f"/api/v1/binds/{bind['id']}/issued-policy", json=issued, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    check = response.get_json()
    assert [d["kind"] for d in check["discrepancies"]] == ["limit", "new_exclusion"]
    with db.transaction() as session:
        stored = session.scalars(select(PolicyDiscrepancy).where(PolicyDiscrepancy.check_id == check["id"])).all()
        assert sorted(d.kind for d in stored) == ["limit", "new_exclusion"]
        assert [e["action"] for e in history(session, "bind", bind["id"])][-1] == "bind.issued_policy_checked"
    [event] = emitted(db, "marketing.policy.discrepancies_found")
    assert event["data"]["check_id"] == check["id"] and event["data"]["account_manager"] == "am.garcia"
    assert event["data"]["discrepancies"] == check["discrepancies"]
    golden = testing.examples("marketing.policy.discrepancies_found")[0]["data"]
    assert set(event["data"]) == set(golden)


def test_bad_issued_policies_are_refused_and_other_programs_see_no_bind(http, auth, bound):
    bind, quote = bound
    url = f"/api/v1/binds/{bind['id']}/issued-policy"
    twice = _as_issued(quote)
    twice["lines"].append(copy.deepcopy(twice["lines"][0]))
    assert http.post(url, json=twice, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={"lines": []}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={**_as_issued(quote), "surprise": 1}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json=_as_issued(quote), headers=auth(programs=("pest-control",))).status_code == 404
    assert http.post("/api/v1/binds/nope/issued-policy", json=_as_issued(quote), headers=auth(**AM)).status_code == 404

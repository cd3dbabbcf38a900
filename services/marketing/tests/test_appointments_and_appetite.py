"""Appointments (a market the agency is not appointed with goes through a wholesaler), the
carriers a wholesaler reaches, appetite beyond NAICS (class codes, limit bands,
exclusions) in the ranking, and program business approved by producer and program manager."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.marketing.domain.selection import Risk, appetite_fit
from services.marketing.domain.submissions import program_business_from_env
from shared.kit.audit import history

from .helpers import AM, PM, PRODUCER, market_body

RISK = Risk(lines=("GL", "WC"), state="CA", program="pest-control", naics="561710", premium_basis=Decimal("20000"),
            class_codes={"WC": ["7219"], "GL": ["96816"]}, operations="Termite fumigation and roofing repairs",
            limits=(("GL", "CGL", Decimal("2000000.00")), ("WC", "EL", Decimal("1000000.00"))))
ADMIN = dict(user="admin.kim", roles=("admin",))


def _reasons(fit, criterion):
    return [r for r in fit.reasons if r.criterion == criterion]


# -- appetite beyond NAICS (pure) -------------------------------------------------------

def test_class_codes_written_fit_and_codes_excluded_or_not_written_are_hard_misses():
    fit = appetite_fit(RISK, {"class_codes": {"WC": ["7219", "8810"], "GL": ["96816"]}})
    assert fit.eligible and [r.to_dict()["effect"] for r in _reasons(fit, "class_codes")] == ["fit", "fit"]
    excluded = appetite_fit(RISK, {"excluded_class_codes": {"WC": ["7219"]}})
    (reason,) = _reasons(excluded, "class_codes")
    assert not excluded.eligible and reason.detail == "Excludes WC class 7219." and reason.effect == "exclusion"
    unwritten = appetite_fit(RISK, {"class_codes": {"WC": ["8810"]}})
    assert not unwritten.eligible and _reasons(unwritten, "class_codes")[0].detail == "Does not write WC class 7219."
    # a line not asked for, or no class codes known for the insured, is no miss
    assert appetite_fit(RISK, {"class_codes": {"AUTO": ["7219"]}}).eligible
    unknown = appetite_fit(Risk(**{**RISK.__dict__, "class_codes": {}}), {"class_codes": {"WC": ["8810"]}})
    assert unknown.eligible and _reasons(unknown, "class_codes")[0].to_dict()["effect"] == "neutral"


def test_a_limit_above_the_band_is_a_penalty_not_a_miss_and_penalties_are_capped():
    base = appetite_fit(RISK, {}).points
    within = appetite_fit(RISK, {"limit_bands": [{"line": "GL", "max_limit": {"amount": "2000000.00", "currency": "USD"}}]})
    assert within.points == base and _reasons(within, "limits")[0].effect == "fit"
    over = appetite_fit(RISK, {"limit_bands": [
        {"line": "GL", "coverage": "CGL", "max_limit": {"amount": "1000000.00", "currency": "USD"}},
        {"line": "WC", "max_limit": {"amount": "500000.00", "currency": "USD"}},
        {"line": "WC", "coverage": "EL", "max_limit": {"amount": "100000.00", "currency": "USD"}},
        {"line": "AUTO", "max_limit": {"amount": "1.00", "currency": "USD"}},  # not asked: no reason
    ]})
    penalties = _reasons(over, "limits")
    assert over.eligible and [r.points for r in penalties] == [Decimal(-5), Decimal(-5), Decimal(0)]
    assert over.points == base - 10
    assert penalties[0].detail == "Asks 2000000.00 on GL CGL, above its maximum 1000000.00 for GL CGL."
    assert all(r.to_dict()["effect"] == "penalty" for r in penalties)


def test_exclusions_match_operations_by_whole_word_and_naics_by_prefix():
    roofing = appetite_fit(RISK, {"exclusions": ["roofing", "demolition"]})
    (reason,) = _reasons(roofing, "exclusions")
    assert not roofing.eligible and reason.effect == "exclusion" and "'roofing'" in reason.detail
    assert not appetite_fit(RISK, {"exclusions": ["5617"]}).eligible
    clean = appetite_fit(RISK, {"exclusions": ["roof", "4841"]})  # "roof" is not a word of the operations
    assert clean.eligible and _reasons(clean, "exclusions")[0].effect == "fit"
    silent = appetite_fit(Risk(**{**RISK.__dict__, "operations": None}), {"exclusions": ["roofing"]})
    assert silent.eligible and _reasons(silent, "exclusions")[0].effect == "neutral"


def test_appetite_unstated_beyond_naics_adds_no_reason():
    assert {r.criterion for r in appetite_fit(RISK, {}).reasons} == {"lines", "state", "premium", "program", "class"}


def test_program_business_comes_from_the_environment():
    assert program_business_from_env({}) == frozenset({"pest-control"})
    assert program_business_from_env({"PROGRAM_BUSINESS": "transportation, pest-control"}) == {
        "transportation", "pest-control"}
    assert program_business_from_env({"MARKETING_PROGRAM_BUSINESS": ""}) == frozenset()


# -- appointments and reach through the API ----------------------------------------------

def _wholesaler(http, auth, market_id="western-wholesale", **overrides):
    body = market_body(market_id, kind="wholesaler", admitted=False, **overrides)
    response = http.post("/api/v1/markets", json=body, headers=auth(**PM))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_appointment_status_is_shown_and_editable_and_bad_values_are_refused(http, auth, db):
    body = market_body("lapsed-mutual", appointment_status="terminated", appointment_effective_date="2026-01-31")
    created = http.post("/api/v1/markets", json=body, headers=auth(**PM)).get_json()
    assert (created["appointment_status"], created["appointment_effective_date"]) == ("terminated", "2026-01-31")
    default = http.post("/api/v1/markets", json=market_body("fresh-mutual"), headers=auth(**PM)).get_json()
    assert default["appointment_status"] == "appointed" and default["appointment_effective_date"] is None
    changed = http.patch("/api/v1/markets/lapsed-mutual", json={"appointment_status": "pending"}, headers=auth(**PM))
    assert changed.status_code == 200 and changed.get_json()["appointment_status"] == "pending"
    assert changed.get_json()["appointment_effective_date"] == "2026-01-31"
    for bad in ({"appointment_status": "sort-of"}, {"appointment_effective_date": "31/01/2026"}):
        response = http.patch("/api/v1/markets/lapsed-mutual", json=bad, headers=auth(**PM))
        assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert http.patch("/api/v1/markets/lapsed-mutual", json={"appointment_status": "terminated"},
                      headers=auth(**AM)).status_code == 403
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "market", "lapsed-mutual")]
    assert actions == ["market.created", "market.updated"]


def test_a_market_not_appointed_goes_on_a_list_only_through_a_wholesaler(http, auth, draft, markets):
    sid = draft["id"]
    assert http.patch("/api/v1/markets/pacific-crest-specialty", json={
        "appointment_status": "terminated", "appointment_effective_date": "2026-06-30"}, headers=auth(**PM)).status_code == 200
    refused = http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets}, headers=auth(**AM))
    assert refused.status_code == 409
    detail = refused.get_json()["detail"]
    assert "pacific-crest-specialty" in detail and "terminated on 2026-06-30" in detail
    assert "no wholesaler on the book reaches it" in detail
    _wholesaler(http, auth)
    reach = http.post("/api/v1/markets/western-wholesale/carriers", headers=auth(**PM), json={
        "carrier_name": "Pacific Crest Specialty Company", "naic_code": "23456", "admitted": False, "lines": ["GL"]})
    assert reach.status_code == 201
    detail = http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets},
                      headers=auth(**AM)).get_json()["detail"]
    assert "reach it through Western Wholesale (western-wholesale)" in detail
    chosen = http.put(f"/api/v1/submissions/{sid}/markets", headers=auth(**AM),
                      json={"market_ids": ["golden-state-casualty", "western-wholesale"]})
    assert chosen.status_code == 200, chosen.get_json()
    ranking = {m["market_id"]: m for m in http.get(f"/api/v1/submissions/{sid}/market-ranking",
                                                   headers=auth(**AM)).get_json()["markets"]}
    lapsed = ranking["pacific-crest-specialty"]
    (appointment,) = [r for r in lapsed["reasons"] if r["criterion"] == "appointment"]
    assert not lapsed["eligible"] and appointment["hard_miss"] and "Western Wholesale" in appointment["detail"]
    assert lapsed["appointment_status"] == "terminated"
    assert lapsed["reached_through"] == [{"market_id": "western-wholesale", "market_name": "Western Wholesale"}]
    wholesaler = ranking["western-wholesale"]
    assert [c["carrier_name"] for c in wholesaler["reachable_carriers"]] == ["Pacific Crest Specialty Company"]
    (reach_reason,) = [r for r in wholesaler["reasons"] if r["criterion"] == "reach"]
    assert "Pacific Crest Specialty Company (non-admitted)" in reach_reason["detail"]
    golden = ranking["golden-state-casualty"]
    assert [r["effect"] for r in golden["reasons"] if r["criterion"] == "appointment"] == ["fit"]


def test_reachable_carriers_crud_with_refusals_and_audit(http, auth, db, draft):
    _wholesaler(http, auth)
    url = "/api/v1/markets/western-wholesale/carriers"
    first = http.post(url, json={"carrier_name": "Ironclad E&S", "admitted": False, "lines": ["WC"]}, headers=auth(**PM))
    assert first.status_code == 201
    carrier = first.get_json()
    assert (carrier["market_id"], carrier["lines"], carrier["naic_code"]) == ("western-wholesale", ["WC"], None)
    second = http.post(url, json={"carrier_name": "Summit Excess", "naic_code": "10234", "admitted": False},
                       headers=auth(**PM)).get_json()
    listing = http.get(url, headers=auth(**AM)).get_json()
    assert [c["carrier_name"] for c in listing["items"]] == ["Ironclad E&S", "Summit Excess"]
    # the draft asks GL and AUTO: Ironclad (WC only) is not shown, Summit (every line) is
    ranking = http.get(f"/api/v1/submissions/{draft['id']}/market-ranking", headers=auth(**AM)).get_json()
    (wholesaler,) = [m for m in ranking["markets"] if m["market_id"] == "western-wholesale"]
    assert [c["carrier_name"] for c in wholesaler["reachable_carriers"]] == ["Summit Excess"]
    item = f"{url}/{carrier['id']}"
    patched = http.patch(item, json={"lines": ["WC", "GL"], "admitted": True}, headers=auth(**PM))
    assert patched.status_code == 200 and patched.get_json()["lines"] == ["WC", "GL"] and patched.get_json()["admitted"]
    assert http.get(item, headers=auth(**AM)).get_json()["carrier_name"] == "Ironclad E&S"
    refusals = [
        (http.post(url, json={"carrier_name": "ironclad e&s", "admitted": True}, headers=auth(**PM)), 409),
        (http.patch(f"{url}/{second['id']}", json={"carrier_name": "IRONCLAD E&S"}, headers=auth(**PM)), 409),
        (http.post(url, json={"carrier_name": "X", "admitted": True, "naic_code": "12"}, headers=auth(**PM)), 422),
        (http.post(url, json={"carrier_name": "X", "admitted": True, "lines": ["BOAT"]}, headers=auth(**PM)), 422),
        (http.post(url, json={"carrier_name": "X"}, headers=auth(**PM)), 422),
        (http.post(url, json={"carrier_name": "X", "admitted": True}, headers=auth(**AM)), 403),
        (http.post("/api/v1/markets/nowhere/carriers", json={"carrier_name": "X", "admitted": True},
                   headers=auth(**PM)), 404),
        (http.post("/api/v1/markets/golden-state-casualty/carriers", json={"carrier_name": "X", "admitted": True},
                   headers=auth(**PM)), 409),
        (http.get("/api/v1/markets/golden-state-casualty/carriers/" + str(carrier["id"]), headers=auth(**AM)), 404),
        (http.patch("/api/v1/markets/golden-state-casualty", json={"kind": "wholesaler"}, headers=auth(**PM)), 200),
        (http.patch("/api/v1/markets/western-wholesale", json={"kind": "carrier"}, headers=auth(**PM)), 409),
    ]
    for response, status in refusals:
        assert response.status_code == status, response.get_json()
        if status >= 400:
            assert response.content_type == "application/problem+json"
    assert http.delete(item, headers=auth(**PM)).status_code == 204
    assert http.get(item, headers=auth(**AM)).status_code == 404
    assert http.delete(item, headers=auth(**PM)).status_code == 404
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "market", "western-wholesale")]
    assert actions == ["market.created", "market.reach_added", "market.reach_added", "market.reach_updated",
                       "market.reach_removed"]


def test_the_submissions_class_codes_and_operations_drive_the_ranking(http, auth, db, draft):
    sid = draft["id"]
    for market_id, appetite in (
            ("no-truckers-mutual", {"lines": ["GL", "AUTO"], "exclusions": ["hauling", "48412"]}),
            ("gl-class-mutual", {"lines": ["GL", "AUTO"], "class_codes": {"GL": ["91111"]}}),
            ("small-limits-mutual", {"lines": ["GL", "AUTO"], "limit_bands": [
                {"line": "GL", "coverage": "CGL", "max_limit": {"amount": "1000000.00", "currency": "USD"}}]})):
        response = http.post("/api/v1/markets", json=market_body(market_id, appetite=appetite), headers=auth(**PM))
        assert response.status_code == 201, response.get_json()
    described = http.patch(f"/api/v1/submissions/{sid}/risk", headers=auth(**AM),
                           json={"class_codes": {"GL": ["91111", "91111"]}, "operations": "Long-haul freight hauling"})
    assert described.status_code == 200
    assert described.get_json()["class_codes"] == {"GL": ["91111"]}
    assert described.get_json()["operations"] == "Long-haul freight hauling"
    ranked = {m["market_id"]: m for m in http.get(f"/api/v1/submissions/{sid}/market-ranking",
                                                  headers=auth(**AM)).get_json()["markets"]}
    (exclusion,) = [r for r in ranked["no-truckers-mutual"]["reasons"] if r["criterion"] == "exclusions"]
    assert exclusion["effect"] == "exclusion" and "'hauling'" in exclusion["detail"] and "NAICS 48412" in exclusion["detail"]
    assert not ranked["no-truckers-mutual"]["eligible"]
    assert [r["effect"] for r in ranked["gl-class-mutual"]["reasons"] if r["criterion"] == "class_codes"] == ["fit"]
    (limits,) = [r for r in ranked["small-limits-mutual"]["reasons"] if r["criterion"] == "limits"]
    assert limits["effect"] == "penalty" and limits["points"] == "-5.00" and ranked["small-limits-mutual"]["eligible"]
    assert Decimal(ranked["small-limits-mutual"]["appetite_fit"]) == Decimal(ranked["gl-class-mutual"]["appetite_fit"]) - 5
    # another class code not written is a miss; bad input is refused
    http.patch(f"/api/v1/submissions/{sid}/risk", json={"class_codes": {"GL": ["91111", "98482"]}}, headers=auth(**AM))
    ranked = {m["market_id"]: m for m in http.get(f"/api/v1/submissions/{sid}/market-ranking",
                                                  headers=auth(**AM)).get_json()["markets"]}
    assert not ranked["gl-class-mutual"]["eligible"]
    for bad in ({"class_codes": {"GL": ["9A"]}}, {"class_codes": {"BOAT": ["9111"]}}, {"operations": "x" * 2001},
                {"unknown": 1}):
        response = http.patch(f"/api/v1/submissions/{sid}/risk", json=bad, headers=auth(**AM))
        assert response.status_code == 422, bad
    for appetite in ({"limit_bands": [{"line": "GL", "max_limit": {"amount": "-1", "currency": "USD"}}]},
                     {"class_codes": {"WC": ["88"]}}, {"exclusions": ["x"]}):
        response = http.post("/api/v1/markets", json=market_body("odd-mutual", appetite=appetite), headers=auth(**PM))
        assert response.status_code == 422, appetite
    with db.transaction() as session:
        assert [e["action"] for e in history(session, "submission", sid)].count("submission.risk_described") == 2


# -- program business: producer and program manager approve --------------------------------

@pytest.fixture
def program_business(app):
    app.config["PROGRAM_BUSINESS"] = frozenset({"transportation"})  # the golden draft's program


def test_program_business_needs_the_producer_and_a_program_manager_before_sending(
        http, auth, db, draft, markets, program_business):
    sid = draft["id"]
    assert http.get(f"/api/v1/submissions/{sid}", headers=auth(**AM)).get_json()["approvals_pending"] == [
        "producer", "program_manager"]
    http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets}, headers=auth(**AM))
    first = http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER))
    assert first.status_code == 200
    body = first.get_json()
    assert (body["status"], body["program_business"], body["approvals_pending"]) == ("draft", True, ["program_manager"])
    assert body["markets_approved_by"] == "user:pr.nguyen" and body["markets_approved_at"]
    blocked = http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM))
    assert blocked.status_code == 409 and "awaiting program manager approval" in blocked.get_json()["detail"]
    again = http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER))
    assert again.status_code == 409 and "already approved" in again.get_json()["detail"]
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**AM)).status_code == 403
    second = http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PM)).get_json()
    assert (second["status"], second["approvals_pending"]) == ("approved", [])
    assert second["program_manager_approved_by"] == "user:pm.ortiz" and second["program_manager_approved_at"]
    assert http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM)).status_code == 200
    with db.transaction() as session:
        approvals = [e for e in history(session, "submission", sid) if e["action"] == "submission.markets_approved"]
    assert [(e["actor"], e["details"]["capacity"]) for e in approvals] == [
        ("user:pr.nguyen", "producer"), ("user:pm.ortiz", "program_manager")]


def test_one_admin_cannot_give_both_approvals_and_a_changed_list_is_approved_afresh(
        http, auth, draft, markets, program_business):
    sid = draft["id"]
    http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets}, headers=auth(**AM))
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PM)).get_json()["approvals_pending"] == [
        "producer"]
    blocked = http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM))
    assert blocked.status_code == 409 and "awaiting the producer's approval" in blocked.get_json()["detail"]
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PM)).status_code == 409
    # a changed list drops both approvals
    http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets[:1]}, headers=auth(**AM))
    fresh = http.get(f"/api/v1/submissions/{sid}", headers=auth(**AM)).get_json()
    assert fresh["approvals_pending"] == ["producer", "program_manager"] and fresh["program_manager_approved_by"] is None
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**ADMIN)).get_json()["approvals_pending"] == [
        "program_manager"]
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**ADMIN)).status_code == 409
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PM)).get_json()["status"] == "approved"


def test_other_business_is_approved_by_one_person(http, auth, draft, markets):
    sid = draft["id"]
    http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets}, headers=auth(**AM))
    body = http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER)).get_json()
    assert (body["status"], body["program_business"], body["approvals_pending"]) == ("approved", False, [])

"""Market selection (pure): appetite fit with reasons, history with the agency, ranking;
and the ranking API over stored markets and history."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.marketing.domain.selection import (
    Candidate, History, Placement, Risk, appetite_fit, history_of, history_points, rank,
)

from .helpers import AM, PM, answer, market_body

RISK = Risk(lines=("GL", "AUTO"), state="CA", program="transportation", naics="484121",
            premium_basis=Decimal("44000.00"))
WIDE = {"lines": ["GL", "AUTO"], "states": ["CA"], "programs": ["transportation"], "naics": ["484"],
        "min_premium": {"amount": "5000.00", "currency": "USD"}, "max_premium": {"amount": "250000.00", "currency": "USD"}}
T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
NONE = history_of([])


def _reason(fit, criterion):
    return next(r for r in fit.reasons if r.criterion == criterion)


def test_a_market_that_writes_everything_asked_fits_fully():
    fit = appetite_fit(RISK, WIDE)
    assert fit.eligible and fit.points == Decimal("100")


def test_each_hard_appetite_criterion_is_a_hard_miss_with_its_reason():
    cases = {
        "lines": {**WIDE, "lines": ["WC"]},
        "state": {**WIDE, "states": ["NV", "AZ"]},
        "premium": {**WIDE, "max_premium": {"amount": "20000.00", "currency": "USD"}},
        "program": {**WIDE, "programs": ["pest-control"]},
        "class": {**WIDE, "excluded_naics": ["4841"]},
    }
    for criterion, appetite in cases.items():
        fit = appetite_fit(RISK, appetite)
        reason = _reason(fit, criterion)
        assert not fit.eligible and reason.hard_miss and reason.points == 0, criterion
    assert "Does not write in CA" in _reason(appetite_fit(RISK, cases["state"]), "state").detail
    assert "above the maximum 20000.00" in _reason(appetite_fit(RISK, cases["premium"]), "premium").detail
    assert "Excludes NAICS 4841" in _reason(appetite_fit(RISK, cases["class"]), "class").detail


def test_a_market_writing_one_of_two_lines_fits_in_part_and_says_which():
    fit = appetite_fit(RISK, {**WIDE, "lines": ["GL"]})
    reason = _reason(fit, "lines")
    assert fit.eligible and reason.points == Decimal("20.00") and reason.detail == "Writes GL, not AUTO."


def test_unstated_appetite_earns_half_points_and_is_no_miss():
    fit = appetite_fit(RISK, {})
    assert fit.eligible and fit.points == Decimal("50")


def test_history_ratios_and_median_turnaround():
    placements = [
        Placement(T0, T0 + timedelta(days=2), quoted=True, bound=True),
        Placement(T0, T0 + timedelta(days=4), quoted=True, bound=False),
        Placement(T0, T0 + timedelta(days=10), quoted=False, bound=False),
        Placement(T0, None, quoted=False, bound=False),
    ]
    history = history_of(placements)
    assert (history.sent, history.quoted, history.bound) == (4, 2, 1)
    assert (history.quote_ratio, history.bind_ratio, history.median_turnaround_days) == (
        Decimal("0.5000"), Decimal("0.5000"), Decimal("4.0"))
    points, reasons = history_points(history)
    assert points == Decimal("25.00") + Decimal("15.00") + Decimal("20.00")
    assert [r.criterion for r in reasons] == ["quote_ratio", "bind_ratio", "turnaround"]


def test_a_market_never_sent_to_gets_a_neutral_history():
    points, [reason] = history_points(NONE)
    assert points == Decimal("50") and "neutral" in reason.detail


def test_history_weighs_markets_with_the_same_appetite():
    good = history_of([Placement(T0, T0 + timedelta(days=1), True, True)] * 3)
    poor = history_of([Placement(T0, T0 + timedelta(days=40), False, False)] * 3)
    ranked = rank(RISK, [Candidate("poor", "Poor", True, WIDE, poor), Candidate("good", "Good", True, WIDE, good)])
    assert [m["market_id"] for m in ranked] == ["good", "poor"]
    assert ranked[0]["score"] == "100.00" and ranked[1]["score"] == "70.00"


# -- properties --------------------------------------------------------------------------

appetites = st.fixed_dictionaries({}, optional={
    "lines": st.lists(st.sampled_from(["GL", "AUTO", "WC", "PROP"]), max_size=3),
    "states": st.lists(st.sampled_from(["CA", "NV", "OR"]), max_size=2),
    "programs": st.lists(st.sampled_from(["transportation", "pest-control"]), max_size=2),
    "naics": st.lists(st.sampled_from(["48", "4841", "5617"]), max_size=2),
    "excluded_naics": st.lists(st.sampled_from(["484121", "4842", "23"]), max_size=2),
    "min_premium": st.decimals(0, 60000, places=2).map(lambda d: {"amount": str(d), "currency": "USD"}),
    "max_premium": st.decimals(0, 300000, places=2).map(lambda d: {"amount": str(d), "currency": "USD"}),
})
histories = st.lists(st.builds(
    Placement, st.just(T0), st.one_of(st.none(), st.integers(0, 60 * 24 * 3600).map(lambda s: T0 + timedelta(seconds=s))),
    st.booleans(), st.booleans()), max_size=6).map(history_of)
candidates = st.lists(st.builds(Candidate, st.text("abcdefgh", min_size=1, max_size=6), st.just("Market"),
                                st.booleans(), appetites, histories),
                      max_size=8, unique_by=lambda c: c.market_id)
risks = st.builds(Risk, st.lists(st.sampled_from(["GL", "AUTO", "WC"]), min_size=1, max_size=3, unique=True).map(tuple),
                  st.sampled_from([None, "CA", "NV"]), st.sampled_from(["transportation", "pest-control"]),
                  st.sampled_from([None, "484121", "561710"]),
                  st.one_of(st.none(), st.decimals(0, 400000, places=2)))


@settings(max_examples=200, deadline=None)
@given(risks, candidates)
def test_a_market_with_a_hard_miss_never_outranks_one_that_passes_every_criterion(risk, pool):
    ranked = rank(risk, pool)
    positions = {m["market_id"]: m["rank"] for m in ranked}
    passing = [c for c in pool if appetite_fit(risk, c.appetite).eligible]
    failing = [c for c in pool if not appetite_fit(risk, c.appetite).eligible]
    for good in passing:
        for bad in failing:
            assert positions[good.market_id] < positions[bad.market_id]
    assert [m["eligible"] for m in ranked] == sorted((m["eligible"] for m in ranked), reverse=True)


@settings(max_examples=100, deadline=None)
@given(risks, candidates, st.randoms())
def test_scores_and_ranking_are_deterministic_whatever_the_order_of_the_markets(risk, pool, rnd):
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    assert rank(risk, pool) == rank(risk, shuffled) == rank(risk, list(pool))
    for entry in rank(risk, pool):
        assert Decimal("0") <= Decimal(entry["score"]) <= Decimal("100")


# -- the API -----------------------------------------------------------------------------

def test_the_ranking_api_ranks_active_markets_with_reasons_and_stored_history(http, auth, db, answered):
    sid = answered["id"]
    for market_id, appetite in (("nevada-only-mutual", {"lines": ["GL", "AUTO"], "states": ["NV"]}),
                                ("fresh-transport-specialty", {"lines": ["GL", "AUTO"], "states": ["CA"],
                                                               "programs": ["transportation"], "naics": ["484"]})):
        body = market_body(market_id, appetite=appetite)
        assert http.post("/api/v1/markets", json=body, headers=auth(**PM)).status_code == 201
    http.post("/api/v1/markets", json=market_body("retired-casualty", active=False), headers=auth(**PM))
    response = http.get(f"/api/v1/submissions/{sid}/market-ranking", headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["premium_basis"] == {"amount": "44000.00", "currency": "USD"}
    assert body["premium_basis_source"] == "expiring"
    ranked = {m["market_id"]: m for m in body["markets"]}
    assert "retired-casualty" not in ranked
    assert body["markets"][-1]["market_id"] == "nevada-only-mutual" and not ranked["nevada-only-mutual"]["eligible"]
    golden = ranked["golden-state-casualty"]
    assert golden["history"] == {"sent": 1, "quoted": 1, "bound": 0, "quote_ratio": "1.0000", "bind_ratio": "0.0000",
                                 "median_turnaround_days": "0.0"}
    declined = ranked["pacific-crest-specialty"]["history"]
    assert (declined["sent"], declined["quoted"], declined["quote_ratio"]) == (1, 0, "0.0000")
    fresh = ranked["fresh-transport-specialty"]
    assert fresh["appetite_fit"] == "90.00" and fresh["history_score"] == "50.00"
    assert [r["detail"] for r in fresh["reasons"] if r["criterion"] == "premium"] == [
        "The appetite states no premium range."]
    assert {r["criterion"] for r in golden["reasons"]} >= {"lines", "state", "premium", "program", "class", "quote_ratio"}


def test_the_ranking_of_another_programs_submission_is_not_found(http, auth, draft):
    response = http.get(f"/api/v1/submissions/{draft['id']}/market-ranking", headers=auth(programs=("pest-control",)))
    assert response.status_code == 404
    assert http.get("/api/v1/submissions/nope/market-ranking", headers=auth(**AM)).status_code == 404


def test_a_market_appetite_with_a_bad_class_code_is_refused(http, auth):
    body = market_body("odd-classes", appetite={"lines": ["GL"], "excluded_naics": ["48x"]})
    response = http.post("/api/v1/markets", json=body, headers=auth(**PM))
    assert response.status_code == 422

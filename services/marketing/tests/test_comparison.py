"""The comparison (pure): each flag kind, premium change in amount and percent, ranking,
and the arithmetic as properties."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.marketing.domain.comparison import QUOTE_TERMS, SubmissionFacts, compare
from shared.contracts.comparison import ComparisonSchema

FACTS = SubmissionFacts("s-1", "c-1", "transportation", "Delta Valley Freight LLC",
                        date(2027, 2, 25), date(2028, 2, 25), ("GL",))
NOW = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)


def money(amount) -> dict:
    return {"amount": str(Decimal(amount).quantize(Decimal("0.01"))), "currency": "USD"}


def coverage(code="CGL", occurrence="1000000", aggregate="2000000", deductible="1000", exclusions=()):
    limits = [{"kind": "each_occurrence", "amount": money(occurrence)}]
    if aggregate is not None:
        limits.append({"kind": "general_aggregate", "amount": money(aggregate)})
    return {"code": code, "description": None, "limits": limits,
            "deductible": {"kind": "deductible", "amount": money(deductible)} if deductible is not None else None,
            "premium": None, "forms": [], "exclusions": list(exclusions)}


SPECS = {"GL": {"coverages": [coverage()]}}
EXPIRING = [{"policy_id": "p-1", "line_of_business": "GL", "policy_number": "SMG-1", "carrier_name": "Sierra Mutual",
             "premium": money("10000"), "coverages": [coverage()]}]


def quote(quote_id="q-1", market="Golden State", premium="11000", fees=("250",), coverages=None, status="quoted",
          exclusions=(), subjectivities=(), lines=None):
    return {
        "quote_id": quote_id, "market_id": market.lower().replace(" ", "-"), "market_name": market,
        "carrier_name": f"{market} Company", "admitted": True, "am_best_rating": "A", "status": status,
        "revision": 1,
        "lines": lines if lines is not None else [
            {"line_of_business": "GL", "coverages": coverages if coverages is not None else [coverage()],
             "premium": money(premium)}],
        "taxes_fees": [{"kind": "fee", "description": None, "amount": money(fee)} for fee in fees],
        "valid_until": date(2027, 2, 1), "subjectivities": list(subjectivities), "exclusions": list(exclusions),
        "declination_reason": "Outside appetite" if status == "declined" else None,
    }


def run(*quotes, specs=SPECS, expiring=EXPIRING, facts=FACTS) -> dict:
    result = compare(facts, specs, expiring, list(quotes), NOW)
    ComparisonSchema().load(result)
    return result


def flags(result, index=0, code="CGL") -> list[tuple[str, str]]:
    row = next(r for r in result["options"][index]["coverages"] if r["code"] == code)
    return [(f["kind"], f["severity"]) for f in row["flags"]]


def test_matching_terms_raise_no_flags():
    result = run(quote())
    assert flags(result) == []
    assert result["options"][0]["flag_count"] == 0


def test_lower_and_higher_limits_are_flagged():
    result = run(quote(coverages=[coverage(occurrence="500000", aggregate="3000000")]))
    assert flags(result) == [("lower_limit", "critical"), ("higher_limit", "info")]
    detail = result["options"][0]["coverages"][0]["flags"][0]["detail"]
    assert "USD 500,000" in detail and "USD 1,000,000" in detail


def test_a_missing_limit_is_flagged():
    assert flags(run(quote(coverages=[coverage(aggregate=None)]))) == [("missing_limit", "critical")]


def test_higher_and_lower_deductibles_are_flagged():
    assert flags(run(quote(coverages=[coverage(deductible="2500")]))) == [("higher_deductible", "warning")]
    assert flags(run(quote(coverages=[coverage(deductible=None)]))) == [("lower_deductible", "info")]


def test_a_coverage_not_quoted_is_missing_and_one_not_asked_for_is_noted():
    result = run(quote(coverages=[coverage(code="HNOA")]))
    assert flags(result, code="CGL") == [("missing_coverage", "critical")]
    assert flags(result, code="HNOA") == [("not_requested", "info")]
    assert result["options"][0]["coverages"][0]["quoted"] is None


def test_new_exclusions_are_flagged_on_the_coverage_and_on_the_whole_quote():
    result = run(quote(coverages=[coverage(exclusions=["Silica"])], exclusions=["Hazardous materials hauling"]))
    assert flags(result) == [("new_exclusion", "warning")]
    assert flags(result, code=QUOTE_TERMS) == [("new_exclusion", "warning")]


def test_an_exclusion_already_on_the_expiring_policy_is_not_new():
    expiring = [{**EXPIRING[0], "coverages": [coverage(exclusions=["Silica"])]}]
    result = run(quote(coverages=[coverage(exclusions=["Silica"])], exclusions=["Silica"]), expiring=expiring)
    assert flags(result) == []
    assert flags(result, code=QUOTE_TERMS) == []


def test_subjectivities_are_flagged_and_listed():
    result = run(quote(subjectivities=["Signed driver list"]))
    assert flags(result, code=QUOTE_TERMS) == [("subjectivity", "warning")]
    assert result["options"][0]["subjectivities"] == ["Signed driver list"]


def test_specifications_win_over_the_expiring_policy_as_the_baseline():
    specs = {"GL": {"coverages": [coverage(occurrence="2000000", aggregate="4000000")]}}
    result = run(quote(), specs=specs)
    assert [kind for kind, _ in flags(result)] == ["lower_limit", "lower_limit"]


def test_the_expiring_policy_is_the_baseline_where_nothing_was_specified():
    result = run(quote(coverages=[coverage(occurrence="500000")]), specs={})
    assert flags(result) == [("lower_limit", "critical")]


def test_change_against_expiring_in_amount_and_percent():
    option = run(quote(premium="11000", fees=("250",)))["options"][0]
    assert option["premium"] == money("11000")
    assert option["total_cost"] == money("11250")
    assert option["change_vs_expiring"] == {"amount": money("1250"), "percent": "12.50"}


def test_a_saving_is_a_negative_change():
    option = run(quote(premium="9000", fees=()))["options"][0]
    assert option["change_vs_expiring"] == {"amount": money("-1000"), "percent": "-10.00"}


def test_new_business_has_no_change_against_expiring():
    result = run(quote(), expiring=[])
    assert result["options"][0]["change_vs_expiring"] is None
    assert result["expiring_premium"] is None


def test_a_quote_for_fewer_lines_is_compared_with_the_expiring_premium_of_those_lines():
    facts = SubmissionFacts(**{**FACTS.__dict__, "lines": ("GL", "AUTO")})
    expiring = EXPIRING + [{"policy_id": "p-2", "line_of_business": "AUTO", "policy_number": "SMA-1",
                            "carrier_name": "Sierra Mutual", "premium": money("30000"),
                            "coverages": [coverage(code="LIAB")]}]
    specs = {**SPECS, "AUTO": {"coverages": [coverage(code="LIAB")]}}
    result = run(quote(premium="10000", fees=()), specs=specs, expiring=expiring, facts=facts)
    option = result["options"][0]
    assert option["change_vs_expiring"]["amount"] == money("0")
    assert result["expiring_premium"] == money("40000")
    assert flags(result, code="LIAB") == [("missing_coverage", "critical")]


def test_options_rank_by_total_cost_then_by_adverse_flags():
    cheap_flagged = quote("q-1", "Alpha", premium="9000", coverages=[coverage(deductible="5000")])
    cheap_clean = quote("q-2", "Bravo", premium="9000")
    dear = quote("q-3", "Charlie", premium="8000", fees=("2000",))
    result = run(cheap_flagged, dear, cheap_clean)
    ranked = [(o["quote_id"], o["rank"]) for o in result["options"]]
    assert ranked == [("q-2", 1), ("q-1", 2), ("q-3", 3)]


def test_declinations_are_listed_apart_from_the_options():
    result = run(quote(), quote("q-2", "Pacific Crest", status="declined", lines=[], fees=()))
    assert [o["quote_id"] for o in result["options"]] == ["q-1"]
    assert result["declinations"] == [{"market_id": "pacific-crest", "market_name": "Pacific Crest",
                                       "reason": "Outside appetite"}]


AMOUNTS = st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(premium=AMOUNTS, fees=st.lists(AMOUNTS, max_size=4), expiring=AMOUNTS)
def test_total_cost_is_premium_plus_fees_and_change_is_total_less_expiring(premium, fees, expiring):
    expiring_lines = [{**EXPIRING[0], "premium": money(expiring)}]
    option = run(quote(premium=premium, fees=[str(f) for f in fees]), expiring=expiring_lines)["options"][0]
    total = Decimal(option["total_cost"]["amount"])
    assert total == premium + sum(fees, Decimal("0"))
    assert Decimal(option["change_vs_expiring"]["amount"]["amount"]) == total - expiring
    if expiring:
        expected = ((total - expiring) / expiring * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(option["change_vs_expiring"]["percent"]) == expected
    else:
        assert option["change_vs_expiring"]["percent"] is None


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(AMOUNTS, st.integers(min_value=0, max_value=3)), min_size=1, max_size=6))
def test_ranks_follow_total_cost(totals):
    quotes = [quote(f"q-{i}", f"Market {i}", premium=str(amount), fees=(),
                    coverages=[coverage(deductible=str(1000 + 1000 * bumps))])
              for i, (amount, bumps) in enumerate(totals)]
    options = run(*quotes)["options"]
    assert [o["rank"] for o in options] == list(range(1, len(options) + 1))
    keys = [(Decimal(o["total_cost"]["amount"]), o["flag_count"]) for o in options]
    assert keys == sorted(keys)

"""The premium summary (expiring against each renewal option, per line) and a quote's
premium breakdown (coverages, taxes, fees, surplus lines charges, broker fee): every
figure Decimal, and the rows always add up to the total."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from services.marketing.domain.premiums import premium_breakdown, premium_summary

from .helpers import AM, PM, PRODUCER, broker_user, deliver, market_body, quote_data, quote_envelope, quote_ids

OUTSIDER = dict(user="am.pest", roles=("account_manager",), programs=("pest-control",))
SURPLUS = "redwood-excess-specialty"

cents = st.decimals(min_value=Decimal("0"), max_value=Decimal("999999.99"), places=2,
                    allow_nan=False, allow_infinity=False)


def usd(amount) -> dict:
    return {"amount": f"{Decimal(amount):.2f}", "currency": "USD"}


def total_of(rows) -> Decimal:
    return sum((Decimal(r["amount"]["amount"]) for r in rows), Decimal("0"))


@st.composite
def quoted_lines(draw):
    lines = []
    for line in draw(st.lists(st.sampled_from(["GL", "AUTO", "WC", "PROP"]), min_size=1, max_size=4, unique=True)):
        premiums = draw(st.lists(st.one_of(st.none(), cents), min_size=1, max_size=5))
        coverages = [{"code": f"C{i}", "premium": None if p is None else usd(p)} for i, p in enumerate(premiums)]
        lines.append({"line_of_business": line, "coverages": coverages, "premium": usd(draw(cents))})
    return lines


fees = st.lists(st.tuples(st.sampled_from(["policy_fee", "inspection_fee", "state_tax", "surplus_lines_tax"]), cents)
                .map(lambda kf: {"kind": kf[0], "amount": usd(kf[1])}), max_size=5)


# -- the rules (pure) ---------------------------------------------------------------------

@hypothesis_settings(max_examples=200, deadline=None)
@given(quoted_lines(), fees, fees, st.one_of(st.none(), cents))
def test_breakdown_rows_always_add_up_to_the_total_and_the_quotes_total_cost(lines, carrier_fees, added, broker_fee):
    result = premium_breakdown(lines, carrier_fees, added, broker_fee, "USD")
    premium = sum(Decimal(line["premium"]["amount"]) for line in lines)
    quote_total = premium + total_of(carrier_fees)
    assert Decimal(result["quote_total_cost"]["amount"]) == quote_total
    assert total_of(result["rows"]) == Decimal(result["total"]["amount"])
    assert Decimal(result["total"]["amount"]) == quote_total + total_of(added) + (broker_fee or 0)
    assert Decimal(result["premium"]["amount"]) == premium
    sections = sum(Decimal(result[name]["amount"]) for name in ("premium", "taxes", "fees", "surplus_lines", "broker_fee"))
    assert sections == Decimal(result["total"]["amount"])
    for view in result["lines"]:
        shown = [Decimal(c["premium"]["amount"]) for c in view["coverages"] if c["premium"]]
        assert sum(shown) + Decimal(view["unallocated_premium"]["amount"]) == Decimal(view["premium"]["amount"])


@hypothesis_settings(max_examples=100, deadline=None)
@given(quoted_lines(), fees)
def test_summary_line_and_fee_rows_of_an_option_add_up_to_its_total_cost(lines, option_fees):
    option = {"quote_id": "q1", "market_id": "m", "market_name": "M", "carrier_name": "C", "admitted": True,
              "status": "quoted", "revision": 1, "lines": lines, "taxes_fees": option_fees}
    summary = premium_summary([line["line_of_business"] for line in lines], [], [option], "USD")
    line_cells = [row["options"][0]["premium"] for row in summary["lines"]]
    fee_cells = [row["options"][0]["amount"] for row in summary["taxes_fees"]]
    (total,) = summary["totals"]["options"]
    assert total_of([{"amount": c} for c in line_cells + fee_cells]) == Decimal(total["total_cost"]["amount"])
    assert summary["totals"]["expiring_premium"] is None and total["premium_change"] is None


def test_a_line_the_option_does_not_quote_shows_no_premium_and_no_change():
    expiring = [{"line_of_business": "WC", "carrier_name": "State Fund", "policy_number": "WC-1", "premium": usd(5000)},
                {"line_of_business": "GL", "carrier_name": "Sierra", "policy_number": "GL-1", "premium": usd(8000)}]
    option = {"quote_id": "q1", "market_id": "m", "market_name": "M", "carrier_name": "C", "admitted": True,
              "status": "quoted", "revision": 1, "taxes_fees": [],
              "lines": [{"line_of_business": "GL", "coverages": [], "premium": usd(7200)}]}
    summary = premium_summary(["WC", "GL"], expiring, [option], "USD")
    wc, gl = summary["lines"]
    assert wc["options"][0] == {"quote_id": "q1", "premium": None, "change": None}
    assert gl["options"][0]["change"] == {"amount": usd(-800), "percent": "-10.00"}
    (total,) = summary["totals"]["options"]
    assert total["expiring_premium_of_lines_quoted"] == usd(8000)
    assert summary["totals"]["expiring_premium"] == usd(13000)


def test_a_coverage_premium_above_the_line_premium_shows_as_a_line_credit():
    lines = [{"line_of_business": "GL", "premium": usd(900),
              "coverages": [{"code": "CGL", "premium": usd(1000)}, {"code": "HNOA", "premium": None}]}]
    result = premium_breakdown(lines, [], [], None, "USD")
    credit = result["rows"][-1]
    assert (credit["kind"], credit["amount"]) == ("line_premium_balance", usd(-100))
    assert result["total"] == usd(900)


# -- through the API ---------------------------------------------------------------------------

def test_the_premium_summary_sets_each_line_against_the_expiring_policy(http, auth, answered):
    summary = http.get(f"/api/v1/submissions/{answered['id']}/premium-summary", headers=auth(**AM)).get_json()
    rows = {row["line_of_business"]: row for row in summary["lines"]}
    assert rows["GL"]["expiring"] == {"carrier_name": "Sierra Mutual Insurance Company",
                                      "policy_number": "SMG-2026-004411", "premium": usd(8400)}
    (gl,) = rows["GL"]["options"]
    assert (gl["premium"], gl["change"]) == (usd(8990), {"amount": usd(590), "percent": "7.02"})
    assert rows["AUTO"]["options"][0]["change"] == {"amount": usd(2490), "percent": "6.99"}
    (fee,) = summary["taxes_fees"]
    assert (fee["kind"], fee["section"], fee["options"][0]["amount"]) == ("policy_fee", "fee", usd(250))
    (total,) = summary["totals"]["options"]
    assert (total["premium"], total["total_cost"]) == (usd(47080), usd(47330))
    assert total["total_cost_change"] == {"amount": usd(3330), "percent": "7.57"}
    assert [o["market_id"] for o in summary["options"]] == ["golden-state-casualty"]  # the declination is no option


def test_the_breakdown_lists_each_coverage_and_adds_the_broker_fee(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    result = http.get(f"/api/v1/quotes/{quote_id}/premium-breakdown?broker_fee=250.00", headers=auth(**AM)).get_json()
    coverages = [(r["line_of_business"], r["coverage_code"], r["amount"]["amount"]) for r in result["rows"]
                 if r["section"] == "premium"]
    assert coverages == [("GL", "CGL", "8990.00"), ("AUTO", "LIAB", "30590.00"), ("AUTO", "UM", "960.00"),
                         ("AUTO", "COLL", "6540.00")]
    assert result["quote_total_cost"] == usd(47330)
    assert result["broker_fee"] == usd(250) and result["total"] == usd(47580)
    assert total_of(result["rows"]) == Decimal("47580.00")


@pytest.fixture
def surplus_quote(db, http, auth, draft):
    body = market_body(SURPLUS, admitted=False, naic_code="34567")
    assert http.post("/api/v1/markets", json=body, headers=auth(**PM)).status_code == 201
    sid = draft["id"]
    http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": [SURPLUS]}, headers=auth(**AM))
    http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER))
    assert http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM)).status_code == 200
    data = quote_data(sid, SURPLUS, ref="RES-1", premium="10000.00", admitted=False, carrier_name="Redwood Excess")
    assert deliver(db, quote_envelope(data), user_id=broker_user(SURPLUS)) == "processed"
    return sid, quote_ids(http, auth, sid)[SURPLUS]


def test_a_non_admitted_quote_carries_california_surplus_line_tax_and_stamping_fee(http, auth, surplus_quote):
    sid, quote_id = surplus_quote
    result = http.get(f"/api/v1/quotes/{quote_id}/premium-breakdown", headers=auth(**AM)).get_json()
    charges = {r["kind"]: (r["section"], r["amount"]["amount"], r["added_by_broker"]) for r in result["rows"]
               if r["section"] != "premium"}
    assert charges == {"policy_fee": ("fee", "150.00", False),
                       "surplus_lines_tax": ("surplus_lines", "300.00", True),
                       "stamping_fee": ("surplus_lines", "18.00", True)}
    assert result["quote_total_cost"] == usd(10150) and result["total"] == usd(10468)
    summary = http.get(f"/api/v1/submissions/{sid}/premium-summary", headers=auth(**AM)).get_json()
    assert summary["totals"]["options"][0]["total_cost"] == usd(10468)  # as the comparison shows it


@pytest.mark.parametrize("query", ["broker_fee=-5", "broker_fee=abc", "broker_fee=1.234", "broker_fee=NaN"])
def test_a_bad_broker_fee_is_refused_with_problem_details(http, auth, answered, query):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    response = http.get(f"/api/v1/quotes/{quote_id}/premium-breakdown?{query}", headers=auth(**AM))
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"


def test_a_declination_has_no_breakdown(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["pacific-crest-specialty"]
    assert http.get(f"/api/v1/quotes/{quote_id}/premium-breakdown", headers=auth(**AM)).status_code == 409


def test_another_programs_summary_and_breakdown_do_not_exist(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    for path in (f"/api/v1/submissions/{answered['id']}/premium-summary", f"/api/v1/quotes/{quote_id}/premium-breakdown"):
        assert http.get(path, headers=auth(**OUTSIDER)).status_code == 404

"""Intake and renewal rules (pure): dedupe keys and content hash, the revision chain,
business refusals, renewal periods."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.marketing.domain import intake, renewal
from services.marketing.domain.intake import ConflictingRevision, Duplicate, Placement, StoredRevision

from .helpers import golden_quote


def test_content_hash_ignores_key_order_and_sees_every_change():
    quote = golden_quote(0)
    reordered = dict(reversed(list(quote.items())))
    assert intake.content_hash(quote) == intake.content_hash(reordered)
    assert intake.content_hash(quote) != intake.content_hash({**quote, "underwriter": "K. Ito"})


def test_same_key_same_content_is_a_duplicate_and_other_content_conflicts():
    stored = [StoredRevision("q-1", 1, "aaa", True)]
    assert intake.place(stored, 1, "aaa") == Duplicate("q-1")
    conflict = intake.place(stored, 1, "bbb")
    assert isinstance(conflict, ConflictingRevision) and "send revision 2" in conflict.reason


def test_a_higher_revision_supersedes_and_retires_the_current_one():
    stored = [StoredRevision("q-1", 1, "aaa", True)]
    assert intake.place(stored, 2, "bbb") == Placement("q-1", True, "q-1", None)


def test_a_late_lower_revision_slots_into_the_chain():
    stored = [StoredRevision("q-1", 1, "a", False), StoredRevision("q-3", 3, "c", True)]
    assert intake.place(stored, 2, "b") == Placement("q-1", False, None, "q-3")


def test_a_first_revision_is_current_and_supersedes_nothing():
    assert intake.place([], 1, "a") == Placement(None, True, None, None)


def test_lines_not_requested_quoted_twice_or_in_two_currencies_are_refused():
    quote = golden_quote(0)
    assert intake.quote_problems(quote, ["GL", "AUTO"]) == []
    assert intake.quote_problems(quote, ["GL"]) == ["line AUTO was not requested (requested: GL)"]
    quote["lines"].append(quote["lines"][0])
    assert "line GL is quoted twice" in intake.quote_problems(quote, ["GL", "AUTO"])
    quote = golden_quote(0)
    quote["taxes_fees"][0]["amount"]["currency"] = "CAD"
    assert intake.quote_problems(quote, ["GL", "AUTO"]) == ["amounts mix currencies: CAD, USD"]


def test_totals_add_line_premiums_and_fees():
    sums = intake.totals(golden_quote(0))
    assert (str(sums.premium.amount), str(sums.fees.amount), str(sums.total_cost.amount)) == (
        "47080.00", "250.00", "47330.00")


def test_a_renewal_runs_from_the_expiration_for_the_same_term():
    assert renewal.renewal_period(date(2026, 2, 25), date(2027, 2, 25)) == (date(2027, 2, 25), date(2028, 2, 25))
    assert renewal.renewal_period(date(2024, 2, 29), date(2025, 2, 28)) == (date(2025, 2, 28), date(2026, 2, 28))
    assert renewal.renewal_period(date(2027, 2, 28), date(2028, 2, 28)) == (date(2028, 2, 28), date(2029, 2, 28))
    assert renewal.renewal_period(date(2026, 1, 1), date(2026, 7, 1)) == (date(2026, 7, 1), date(2027, 1, 1))
    assert renewal.renewal_period(date(2026, 1, 10), date(2026, 4, 25)) == (date(2026, 4, 25), date(2026, 8, 8))


def test_respond_by_leaves_a_week_before_the_term_and_is_never_past():
    today = date(2026, 11, 27)
    assert renewal.default_respond_by(today, date(2027, 2, 25)) == date(2026, 12, 11)
    assert renewal.default_respond_by(today, date(2026, 12, 1)) == today


_AMOUNTS = st.decimals(min_value=0, max_value=10 ** 9, places=4, allow_nan=False, allow_infinity=False).map(str)


@settings(max_examples=200, deadline=None)
@given(st.lists(_AMOUNTS, max_size=6), st.lists(_AMOUNTS, max_size=4), st.sampled_from(["USD", "CAD"]))
def test_totals_add_as_money_adds(premiums, fees, currency):
    quote = {"lines": [{"premium": {"amount": a, "currency": currency}, "coverages": []} for a in premiums],
             "taxes_fees": [{"amount": {"amount": a, "currency": currency}} for a in fees]}
    fast, reference = intake.totals(quote), intake.totals_by_money(quote)
    assert fast == reference
    assert [m.amount.as_tuple() for m in (fast.premium, fast.fees, fast.total_cost)] == \
        [m.amount.as_tuple() for m in (reference.premium, reference.fees, reference.total_cost)]


def test_totals_of_mixed_currencies_are_refused_as_money_refuses_them():
    quote = {"lines": [{"premium": {"amount": "1.00", "currency": "USD"}, "coverages": []}],
             "taxes_fees": [{"amount": {"amount": "1.00", "currency": "CAD"}}]}
    with pytest.raises(ValueError, match="cannot mix"):
        intake.totals(quote)

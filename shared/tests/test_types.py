"""Money, limits and periods: properties that hold for any value."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from shared.contracts.types import LimitSchema, Money, MoneySchema, PeriodSchema, percent_change

amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts, amounts)
def test_money_addition_is_exact_to_the_cent(a, b):
    assert (Money(a) + Money(b)).amount == a + b


@given(amounts)
def test_money_round_trips_through_its_schema_as_a_string(a):
    dumped = MoneySchema().dump({"amount": a, "currency": "USD"})
    assert isinstance(dumped["amount"], str)
    assert MoneySchema().load(dumped)["amount"] == a


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_json_floats_are_never_accepted_as_money(value):
    with pytest.raises(ValidationError):
        MoneySchema().load({"amount": value})


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e7"), places=2),
       st.decimals(min_value=Decimal("0"), max_value=Decimal("1e7"), places=2))
def test_percent_change_sign_follows_the_amount(old, new):
    pct = percent_change(old, new)
    assert (pct > 0) == (new > old) or pct == 0


def test_mixing_currencies_is_refused():
    with pytest.raises(ValueError):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "EUR")


def test_negative_limits_and_backwards_terms_are_refused():
    with pytest.raises(ValidationError):
        LimitSchema().load({"kind": "each_occurrence", "amount": {"amount": "-1"}})
    with pytest.raises(ValidationError):
        PeriodSchema().load({"effective_date": "2027-02-25", "expiration_date": "2027-02-24"})
    assert LimitSchema().load({"kind": "statutory"})["amount"] is None

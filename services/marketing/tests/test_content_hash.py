"""The quote fingerprint is the same whichever JSON encoder computes it: deduplication
compares it with fingerprints stored by earlier releases."""
import copy
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.marketing.domain.intake import content_hash, content_hash_reference
from shared.contracts.registry import contract

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.text(max_size=12), st.text(alphabet=st.characters(max_codepoint=127), max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2), st.dates(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=25)


@settings(max_examples=250, deadline=None)
@given(st.dictionaries(st.text(max_size=8), documents, max_size=6))
def test_the_fast_fingerprint_equals_the_reference_on_any_payload(payload):
    assert content_hash(payload) == content_hash_reference(payload)


def test_the_fingerprint_of_every_golden_quote_loaded_or_in_json_form_is_the_reference():
    quote = contract("carrier.quote.submitted", 1)
    for envelope in quote.examples():
        for payload in (envelope["data"], quote.load_tolerant(copy.deepcopy(envelope["data"]))):
            assert content_hash(payload) == content_hash_reference(payload)


def test_the_fingerprint_ignores_key_order_and_sees_a_changed_cent():
    a = {"premium": {"amount": Decimal("100.00"), "currency": "USD"}, "status": "quoted"}
    b = {"status": "quoted", "premium": {"currency": "USD", "amount": Decimal("100.00")}}
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash({**a, "premium": {"amount": Decimal("100.01"), "currency": "USD"}})

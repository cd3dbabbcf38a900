"""The consumers' fast loading path (shared/contracts/fast.py) returns exactly what
marshmallow's tolerant load returns, and refuses exactly what marshmallow refuses."""
import copy
import datetime as dt
from decimal import Decimal

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields, post_load

from shared.contracts import fast
from shared.contracts.base import ContractSchema
from shared.contracts.jsonschema import data_schema
from shared.contracts.registry import EventContract, all_contracts, contract

CONTRACTS = all_contracts()
# Contracts whose golden examples are still being written are covered by test_contracts
# (which fails for them) and join these tests as soon as their examples exist.
GOLDEN = [(c, i) for c in CONTRACTS if c.example_path.exists() for i in range(len(c.examples()))]
QUOTE = contract("carrier.quote.submitted", 1)


def identical(a, b, path="data", ordered=True):
    """Deep equality that also demands the same types, decimal exponents and (when
    ``ordered``) key order."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        if ordered:
            assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        else:
            assert set(a) == set(b), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            identical(a[key], b[key], f"{path}.{key}", ordered)
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b)):
            identical(x, y, f"{path}[{index}]", ordered)
    elif isinstance(a, Decimal):
        assert a.as_tuple() == b.as_tuple(), f"{path}: {a!r} != {b!r}"
    elif isinstance(a, dt.datetime):
        assert (a, a.utcoffset()) == (b, b.utcoffset()), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def outcome(load, data):
    try:
        return "accepted", load(copy.deepcopy(data))
    except ValidationError as exc:
        return "refused", exc.messages


def fast_only(c, data):
    """The compiled validator + plan alone, without the marshmallow retry."""
    try:
        return "accepted", fast.fast_loader(c)(copy.deepcopy(data))
    except fast.REFUSALS:
        return "refused", None


def assert_same_as_marshmallow(c, data):
    expected = outcome(c.load_tolerant_marshmallow, data)
    got = outcome(c.load_tolerant, data)
    assert got[0] == expected[0]
    identical(got[1], expected[1])
    verdict, loaded = fast_only(c, data)
    if verdict == "accepted":  # the fast path never accepts what marshmallow refuses
        assert expected[0] == "accepted"
        identical(loaded, expected[1])
    return expected[0], verdict


# ---------------------------------------------------------------- golden examples


@pytest.mark.parametrize("c", CONTRACTS, ids=lambda c: f"{c.type}.v{c.version}")
def test_every_registered_contract_has_a_fast_path(c):
    assert fast.fast_loader(c) is not None


@pytest.mark.parametrize("c,index", GOLDEN, ids=lambda v: f"{v.type}.v{v.version}" if hasattr(v, "type") else str(v))
def test_fast_path_loads_every_golden_example_exactly_like_marshmallow(c, index):
    data = c.examples()[index]["data"]
    identical(fast.fast_loader(c)(copy.deepcopy(data)), c.load_tolerant_marshmallow(copy.deepcopy(data)))
    identical(c.load_tolerant(copy.deepcopy(data)), c.load_tolerant_marshmallow(copy.deepcopy(data)))


@pytest.mark.parametrize("c,index", GOLDEN, ids=lambda v: f"{v.type}.v{v.version}" if hasattr(v, "type") else str(v))
def test_generated_data_schema_of_every_contract_accepts_its_golden_examples(c, index):
    validator = jsonschema.Draft202012Validator(data_schema(c.type, c.version))
    errors = sorted(validator.iter_errors(c.examples()[index]["data"]), key=str)
    assert not errors, errors[0].message


def test_fast_path_does_not_modify_the_message():
    data = QUOTE.examples()[0]["data"]
    before = copy.deepcopy(data)
    QUOTE.load_tolerant(data)
    assert data == before


# ---------------------------------------------------------------- known cases


def quote(**changes):
    data = copy.deepcopy(QUOTE.examples()[0]["data"])
    data.update(changes)
    return data


def test_decimal_strings_are_quantized_to_the_fields_places():
    data = quote()
    data["lines"][0]["premium"]["amount"] = "8990.5"
    data["commission_percent"] = "12.345"
    loaded = QUOTE.load_tolerant(data)
    assert str(loaded["lines"][0]["premium"]["amount"]) == "8990.50"
    assert str(loaded["commission_percent"]) == "12.34"  # marshmallow's context rounding (half even)
    assert fast_only(QUOTE, data)[0] == "accepted"


def test_missing_optional_fields_get_marshmallows_defaults():
    data = {"market_id": "m", "submission_id": "s", "carrier_quote_ref": "r", "status": "declined",
            "declination_reason": "Outside appetite"}
    loaded = fast.fast_loader(QUOTE)(data)
    identical(loaded, QUOTE.load_tolerant_marshmallow(data))
    assert loaded["revision"] == 1 and loaded["admitted"] is True and loaded["lines"] == []


def test_unknown_fields_are_dropped_at_every_depth_on_the_fast_path():
    data = quote(added_later="x")
    data["lines"][0]["coverages"][0]["limits"][0]["amount"]["added_later"] = {"any": 1}
    assert fast_only(QUOTE, data)[0] == "accepted"
    assert_same_as_marshmallow(QUOTE, data)


def test_a_null_commission_is_accepted_although_the_published_schema_says_string():
    data = quote(commission_percent=None)
    assert assert_same_as_marshmallow(QUOTE, data) == ("accepted", "accepted")


@pytest.mark.parametrize("mutate,where", [
    (lambda d: d["lines"][0]["premium"].update(amount=8990.0), ["lines", 0, "premium", "amount"]),
    (lambda d: d["lines"][0]["premium"].update(amount="-1.00"), ["lines", 0, "premium", "amount"]),
    (lambda d: d.update(period={"effective_date": "2028-02-25", "expiration_date": "2027-02-25"}),
     ["period", "expiration_date"]),
    (lambda d: d.update(commission_percent="100.01"), ["commission_percent"]),
    (lambda d: d.update(status="declined", declination_reason=None), ["declination_reason"]),
    (lambda d: d.update(lines=[]), ["lines"]),
    (lambda d: d["lines"][0]["coverages"][0]["limits"][0].update(amount=None), ["lines", 0, "coverages", 0, "limits", 0, "amount"]),
    (lambda d: d.update(market_id=""), ["market_id"]),
    (lambda d: d.update(status="bound"), ["status"]),
])
def test_refusals_carry_marshmallows_field_path(mutate, where):
    data = quote()
    mutate(data)
    with pytest.raises(ValidationError) as err:
        QUOTE.load_tolerant(data)
    messages = err.value.messages
    for step in where:
        messages = messages[step]
    assert messages
    assert assert_same_as_marshmallow(QUOTE, data) == ("refused", "refused")


def test_inputs_only_marshmallow_accepts_are_still_accepted():
    # An integer as a string, or an amount as a JSON integer: the JSON Schema refuses
    # them, marshmallow takes them, and so does load_tolerant (through marshmallow).
    data = quote(revision="2")
    data["lines"][0]["premium"]["amount"] = 8990
    assert assert_same_as_marshmallow(QUOTE, data) == ("accepted", "refused")


def test_an_integral_float_count_loads_as_an_int_like_marshmallow():
    # fastjsonschema counts 3.0 as an integer; marshmallow's Integer int()s it.
    data = quote(revision=3.0)
    assert fast_only(QUOTE, data)[0] == "accepted"
    assert type(QUOTE.load_tolerant(data)["revision"]) is int
    assert_same_as_marshmallow(QUOTE, data)


def test_a_contract_the_plan_cannot_reproduce_loads_through_marshmallow():
    class StampedSchema(ContractSchema):
        name = fields.String(required=True)

        @post_load
        def _stamp(self, data, **_kwargs):
            return {**data, "stamped": True}

    c = EventContract("tests.fast.unsupported", 1, StampedSchema, "a schema with post_load")
    assert fast.fast_loader(c) is None
    assert c.load_tolerant({"name": "n", "extra": 1}) == {"name": "n", "stamped": True}


# ---------------------------------------------------------------- random mutations


def paths(value, here=()):
    """Every location in a JSON document: (path, value)."""
    yield here, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, here + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, here + (index,))


def parent_and_key(data, path):
    node = data
    for step in path[:-1]:
        node = node[step]
    return node, path[-1]


ODD_VALUES = [
    None, "", " ", "x", "x" * 81, 0, 1, -1, 1000, 10 ** 30, 12.5, 8990.0, True, False, [], {}, ["x"],
    {"amount": "1.00"}, "10.5", "10.555", "-1.00", "-0.001", "0", "1e3", " 10.50", "1_000", "NaN",
    "١٢٣", "100.01", "99.999", "12", "2027-02-25", "2027-02-30", "20270225", "2027-02-25T10:00:00",
    "2027-02-25T10:00:00+00:00", "12345", "12345\n", "USD", "usd", "declined", "quoted", "statutory",
    "GL", "NOPE", "deductible", "each_occurrence",
]


def schema_objects(schema, data):
    """The JSON objects of ``data`` that are (nested) schemas, where a later minor version
    may add a field (not the free-form objects of Dict fields, whose keys are data)."""
    yield data
    for name, field in schema.fields.items():
        value = data.get(field.data_key or name)
        inner = field.inner if isinstance(field, fields.List) else field
        if not isinstance(inner, fields.Nested):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield from schema_objects(inner.schema, item)


@st.composite
def mutated_examples(draw):
    c, index = draw(st.sampled_from(GOLDEN))
    data = copy.deepcopy(c.examples()[index]["data"])
    for _ in range(draw(st.integers(1, 3))):
        locations = list(paths(data))
        path, value = draw(st.sampled_from(locations))
        operation = draw(st.sampled_from(["delete", "replace", "add_unknown", "swap_period", "decline"]))
        if operation == "delete" and path:
            node, key = parent_and_key(data, path)
            del node[key]
        elif operation == "replace" and path:
            node, key = parent_and_key(data, path)
            node[key] = draw(st.one_of(st.sampled_from(ODD_VALUES).map(copy.deepcopy), st.text(max_size=6),
                                       st.integers(-5, 2000), st.floats(allow_nan=False),
                                       st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)))
        elif operation == "add_unknown" and isinstance(value, dict):
            value[draw(st.sampled_from(["added_later", "x-extension", "note"]))] = draw(st.sampled_from(ODD_VALUES).map(copy.deepcopy))
        elif operation == "swap_period" and isinstance(value, dict) and "effective_date" in value:
            value["effective_date"], value["expiration_date"] = value.get("expiration_date"), value["effective_date"]
        elif operation == "decline" and isinstance(value, dict) and "status" in value:
            value["status"] = "declined"
            if draw(st.booleans()):
                value.pop("declination_reason", None)
    return c, data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_messages_load_exactly_like_marshmallow(case):
    c, data = case
    assert_same_as_marshmallow(c, data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(GOLDEN), st.data())
def test_fields_added_anywhere_stay_on_the_fast_path(golden, draw):
    c, index = golden
    data = copy.deepcopy(c.examples()[index]["data"])
    objects = list(schema_objects(c.instance, data))
    target = draw.draw(st.sampled_from(objects))
    target["added_in_a_later_minor"] = copy.deepcopy(draw.draw(st.sampled_from(ODD_VALUES)))
    assert fast_only(c, data)[0] == "accepted"
    assert_same_as_marshmallow(c, data)


# ---------------------------------------------------------------- the JSON form (canonical messages)


def same_json(a, b):
    """Equal, with the same types at every place, key order aside (the JSON form of a
    canonical message keeps the sender's order)."""
    identical(a, b, ordered=False)


def is_canonical(c, data) -> bool:
    checker = fast.canonical_checker(c)
    if checker is None:
        return False
    try:
        checker(copy.deepcopy(data))
        return True
    except fast.REFUSALS:
        return False


def assert_json_form_like_marshmallow(c, data):
    """load_json_form gives marshmallow's verdict (and error) and, when it accepts, the
    JSON form of marshmallow's load; a message the canonical check passes is exactly that
    JSON form already.  Returns (marshmallow's verdict, canonical or not)."""
    expected = outcome(c.load_tolerant_marshmallow, data)
    got = outcome(c.load_json_form, data)
    assert got[0] == expected[0]
    if got[0] == "accepted":
        same_json(got[1], fast.json_form(expected[1]))
    else:
        assert got[1] == expected[1]
    canonical = is_canonical(c, data)
    if canonical:
        assert expected[0] == "accepted"
        same_json(data, fast.json_form(expected[1]))
    return expected[0], canonical


def test_the_quote_contract_has_a_canonical_check():
    assert fast.canonical_checker(QUOTE) is not None


@pytest.mark.parametrize("c,index", GOLDEN, ids=lambda v: f"{v.type}.v{v.version}" if hasattr(v, "type") else str(v))
def test_json_form_of_every_golden_example_is_marshmallows(c, index):
    assert assert_json_form_like_marshmallow(c, c.examples()[index]["data"])[0] == "accepted"


def test_the_carrier_simulators_answers_are_canonical():
    """The fleet answers as a marshmallow-dumping carrier would (every field, decimals
    at their places): the intake takes them without conversions."""
    from carrier_simulator.fleet import load_fleet
    from carrier_simulator.publish import quote_envelopes, submission_for

    for market in load_fleet()[:4]:
        for envelope in quote_envelopes(submission_for("SUB-1", market.id), market, 3):
            assert assert_json_form_like_marshmallow(QUOTE, envelope["data"]) == ("accepted", True)


def test_a_golden_declination_and_a_golden_quote_are_canonical():
    assert assert_json_form_like_marshmallow(QUOTE, quote()) == ("accepted", True)
    declined = quote(status="declined", declination_reason="Outside appetite", lines=[], taxes_fees=[],
                     payment_plans=[], commission_percent=None)
    assert assert_json_form_like_marshmallow(QUOTE, declined) == ("accepted", True)


@pytest.mark.parametrize("mutate", [
    lambda d: d["lines"][0]["premium"].update(amount="8990.5"),      # not at its places
    lambda d: d["lines"][0]["premium"].update(amount="08990.00"),    # a leading zero
    lambda d: d["lines"][0]["premium"].update(amount="٨٩٩٠.٠٠"),     # other digits Decimal reads
    lambda d: d["lines"][0]["premium"].update(amount=8990),          # a JSON integer
    lambda d: d.update(revision=3.0),                                # an integral float
    lambda d: d.update(added_later="x"),                             # an unknown field
    lambda d: d["lines"][0]["coverages"][0].pop("description"),      # a missing optional field
    lambda d: d.update(valid_until="20271228"),                      # a date fromisoformat reads
], ids=["places", "leading-zero", "arabic-digits", "integer-amount", "float-revision", "unknown", "missing",
        "basic-date"])
def test_messages_not_in_canonical_form_are_converted_like_marshmallow(mutate):
    data = quote()
    mutate(data)
    verdict, canonical = assert_json_form_like_marshmallow(QUOTE, data)
    assert not canonical


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(valid_until="2027-02-30"),
    lambda d: d.update(valid_until="0000-01-01"),
    lambda d: d.update(period={"effective_date": "2028-02-25", "expiration_date": "2027-02-25"}),
    lambda d: d.update(status="declined", declination_reason=None),
    lambda d: d.update(lines=[]),
    lambda d: d["lines"][0]["coverages"][0]["limits"][0].update(amount=None),
    lambda d: d.update(commission_percent="100.01"),
    lambda d: d["payment_plans"][0].update(deposit_percent="100.50"),
    lambda d: d["payment_plans"][0].update(installments=13),
    lambda d: d["lines"][0]["premium"].update(amount="-1.00"),
    lambda d: d["lines"][0]["premium"].update(amount="1" * 27 + ".00"),  # beyond the decimal context
], ids=["feb-30", "year-0", "period", "declined-without-reason", "no-lines", "limit-without-amount",
        "commission", "deposit", "installments", "negative", "precision"])
def test_what_marshmallow_refuses_is_never_canonical(mutate):
    data = quote()
    mutate(data)
    assert assert_json_form_like_marshmallow(QUOTE, data) == ("refused", False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_messages_load_in_json_form_exactly_like_marshmallow(case):
    c, data = case
    assert_json_form_like_marshmallow(c, data)


# ---------------------------------------------------------------- producers: the strict dump


def dump_outcome(dump, data):
    try:
        return "accepted", dump(copy.deepcopy(data))
    except ValidationError as exc:
        return "refused", exc.messages


def assert_dumps_like_marshmallow(c, data):
    expected = dump_outcome(c.dump_marshmallow, data)
    got = dump_outcome(c.dump, data)
    assert got[0] == expected[0], (got, expected)
    if got[0] == "accepted":
        # Data already in canonical JSON form is published as it is, in the producer's
        # key order (JSON objects have none); anything else in the schema's.
        (same_json if is_canonical(c, data) else identical)(got[1], expected[1])
    else:
        assert got[1] == expected[1]


@pytest.mark.parametrize("c", CONTRACTS, ids=lambda c: f"{c.type}.v{c.version}")
def test_every_registered_contract_dumps_on_the_fast_path(c):
    assert fast.fast_dumper(c) is not None


@pytest.mark.parametrize("c,index", GOLDEN, ids=lambda v: getattr(v, "type", v))
def test_fast_dump_of_every_golden_example_is_marshmallows(c, index):
    data = c.examples()[index]["data"]
    assert_dumps_like_marshmallow(c, data)
    # Producers mostly hand over Python values (Decimals, dates): the same JSON comes out.
    assert_dumps_like_marshmallow(c, c.load_strict(copy.deepcopy(data)))


def test_the_strict_dump_refuses_unknown_fields_at_any_depth():
    data = copy.deepcopy(QUOTE.examples()[0]["data"])
    data["lines"][0]["coverages"][0]["surprise"] = 1
    with pytest.raises(ValidationError) as refused:
        QUOTE.dump(data)
    assert "surprise" in str(refused.value.messages)


def test_the_strict_dump_refuses_a_float_amount():
    data = copy.deepcopy(QUOTE.examples()[0]["data"])
    data["lines"][0]["premium"]["amount"] = 8988.0
    with pytest.raises(ValidationError):
        QUOTE.dump(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_payloads_dump_exactly_like_marshmallow(case):
    c, data = case
    assert_dumps_like_marshmallow(c, data)


def test_the_envelope_loads_fast_exactly_like_marshmallow():
    from shared.contracts.envelope import EnvelopeSchema

    load = fast.tolerant_schema_loader(EnvelopeSchema())
    schema = EnvelopeSchema()
    for c, index in GOLDEN:
        envelope = copy.deepcopy(c.examples()[index])
        envelope["x-added"] = "tolerated"
        with_marshmallow = outcome(lambda d: _tolerant_load(schema, d), envelope)
        identical(load(copy.deepcopy(envelope)), with_marshmallow[1])
    golden = copy.deepcopy(QUOTE.examples()[0])
    for change in ({"id": None}, {"time": "yesterday"}, {"specversion": "0.3"}, {"data": []},
                   {"time": "2027-02-25T10:00:00"}, {"type": "Not A Type"}):
        envelope = {**golden, **change}
        expected = outcome(lambda d: _tolerant_load(schema, d), envelope)
        got = outcome(load, envelope)
        assert got[0] == expected[0], change
        if got[0] == "accepted":
            identical(got[1], expected[1])


def test_the_envelope_loads_in_json_form_exactly_like_marshmallow():
    from shared.contracts.envelope import EnvelopeSchema

    load = fast.json_form_schema_loader(EnvelopeSchema())
    check = fast.build_canonical_checker(EnvelopeSchema())
    schema = EnvelopeSchema()

    def compare(envelope, canonical):
        expected = outcome(lambda d: _tolerant_load(schema, d), envelope)
        got = outcome(load, envelope)
        assert got[0] == expected[0], envelope
        if got[0] == "accepted":
            same_json(got[1], fast.json_form(expected[1]))
        else:
            assert got[1] == expected[1]
        try:
            check(copy.deepcopy(envelope))
            assert canonical and expected[0] == "accepted", envelope
        except fast.REFUSALS:
            assert not canonical, envelope

    for c, index in GOLDEN:
        compare(copy.deepcopy(c.examples()[index]), True)
    golden = copy.deepcopy(QUOTE.examples()[0])
    for change, canonical in (({"x-added": "tolerated"}, False), ({"id": None}, False), ({"time": "yesterday"}, False),
                              ({"specversion": "0.3"}, False), ({"data": []}, False),
                              ({"time": "2027-02-25T10:00:00"}, False), ({"time": "2027-02-25T10:00:00Z"}, False),
                              ({"time": "2027-02-25T10:00:00+02:00"}, True), ({"type": "Not A Type"}, False)):
        compare({**golden, **change}, canonical)


def _tolerant_load(schema, data):
    from shared.contracts.base import tolerant

    with tolerant():
        return schema.load(data)


def test_the_strict_dumper_of_every_document_payload_schema_is_marshmallows():
    """API responses and document payloads dumped through ``strict_dumper``: the same JSON
    as marshmallow's strict load and dump, for every golden document request."""
    from shared.contracts.comparison import DOCUMENT_PAYLOADS, ComparisonSchema

    requests = contract("documents.document.requested", 1).examples()
    assert requests
    for envelope in requests:
        schema = DOCUMENT_PAYLOADS[envelope["data"]["kind"]]()
        payload = envelope["data"]["payload"]
        expected = schema.dump(schema.load(copy.deepcopy(payload)))
        identical(fast.strict_dumper(schema)(copy.deepcopy(payload)), expected)
        comparison = payload.get("comparison")
        if comparison is not None:
            plain = ComparisonSchema()
            identical(fast.strict_dumper(plain)(copy.deepcopy(comparison)),
                      plain.dump(plain.load(copy.deepcopy(comparison))))
            broken = {**copy.deepcopy(comparison), "unexpected": 1}
            with pytest.raises(ValidationError):
                fast.strict_dumper(plain)(broken)

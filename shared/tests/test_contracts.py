"""Contract tests: every event type has golden examples that pass its schema strictly;
consumers tolerate added fields; the published JSON Schemas are current and agree with
the marshmallow schemas on the examples."""
import copy
import json

import jsonschema
import pytest
from marshmallow import ValidationError

from shared.contracts import jsonschema as export
from shared.contracts.envelope import EnvelopeSchema, version_of
from shared.contracts.registry import all_contracts, contract
from shared.contracts.types import Money

CONTRACTS = all_contracts()


@pytest.mark.parametrize("c", CONTRACTS, ids=lambda c: f"{c.type}.v{c.version}")
def test_every_event_type_has_golden_examples_that_pass_strictly(c):
    examples = c.examples()
    assert examples, f"no golden example for {c.type}"
    for envelope in examples:
        loaded = EnvelopeSchema().load(envelope)
        assert loaded["type"] == c.type
        assert version_of(loaded["dataschema"], c.type) == c.version
        c.load_strict(envelope["data"])


@pytest.mark.parametrize("c", CONTRACTS, ids=lambda c: f"{c.type}.v{c.version}")
def test_consumers_tolerate_fields_added_within_a_major_version(c):
    data = copy.deepcopy(c.examples()[0]["data"])
    data["added_in_a_later_minor"] = {"anything": True}
    with pytest.raises(ValidationError):
        c.load_strict(data)
    assert "added_in_a_later_minor" not in c.load_tolerant(data)


@pytest.mark.parametrize("event_type", export.PUBLIC)
def test_published_json_schema_is_current(event_type):
    committed = export.path_for(event_type).read_text()
    assert committed == export.render(event_type), (
        "shared/contracts/jsonschema is stale: run `python -m shared.contracts.jsonschema`")


@pytest.mark.parametrize("event_type", export.PUBLIC)
def test_json_schema_accepts_every_golden_example(event_type):
    schema = json.loads(export.path_for(event_type).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for envelope in contract(event_type, 1).examples():
        errors = sorted(validator.iter_errors(envelope), key=str)
        assert not errors, errors[0].message


def test_json_schema_refuses_a_float_premium_like_the_platform_does():
    schema = json.loads(export.path_for("carrier.quote.submitted").read_text())
    envelope = copy.deepcopy(contract("carrier.quote.submitted", 1).examples()[0])
    envelope["data"]["lines"][0]["premium"]["amount"] = 8990.0
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(envelope))
    with pytest.raises(ValidationError):
        contract("carrier.quote.submitted", 1).load_strict(envelope["data"])


def test_a_declination_without_reason_is_refused():
    with pytest.raises(ValidationError) as err:
        contract("carrier.quote.submitted", 1).load_strict(
            {"market_id": "m", "submission_id": "s", "carrier_quote_ref": "r", "status": "declined"})
    assert "declination_reason" in err.value.messages


def test_money_never_takes_a_float():
    with pytest.raises(TypeError):
        Money(12.5)
    assert Money.from_dict({"amount": "12.345"}).amount.as_tuple().exponent == -2


def test_published_schema_and_platform_agree_on_a_null_commission():
    schema = json.loads(export.path_for("carrier.quote.submitted").read_text())
    envelope = copy.deepcopy(contract("carrier.quote.submitted", 1).examples()[0])
    envelope["data"]["commission_percent"] = None
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(envelope))
    assert contract("carrier.quote.submitted", 1).load_strict(envelope["data"])["commission_percent"] is None

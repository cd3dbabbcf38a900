"""What each simulated market answers, checked against the public contract."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.carrier import INTAKE_TYPE
from shared.contracts.registry import contract

from carrier_simulator.carrier import answer_submission, valid_until
from carrier_simulator.fleet import Appetite, Revision, load_fleet, market_records
from carrier_simulator.publish import build_quote_envelope
from carrier_simulator.tests.conftest import TODAY, loaded_for

MARKET_IDS = [m.id for m in load_fleet()]
QUOTE = contract(INTAKE_TYPE, 1)


def _answers(golden_submissions, market, index=0, **changes):
    submission = loaded_for({**golden_submissions[index], **changes}, market)
    return answer_submission(submission, market, TODAY)


def _lines(payload):
    return {line["line_of_business"]: line for line in payload["lines"]}


def _coverage(payload, lob, code):
    return next(c for c in _lines(payload)[lob]["coverages"] if c["code"] == code)


@pytest.mark.parametrize("market_id", MARKET_IDS)
def test_every_market_answers_every_golden_submission_within_the_contract(market_id, fleet, golden_submissions):
    market = fleet[market_id]
    for index in range(len(golden_submissions)):
        answers = _answers(golden_submissions, market, index)
        assert answers
        for answer in answers:
            QUOTE.load_strict(answer.data)
            envelope = build_quote_envelope(answer.data, message_id="m-1")
            assert envelope["source"] == f"carrier:{market_id}"
            assert envelope["dataschema"] == "urn:cmp:schema:carrier.quote.submitted:1"
            json.dumps(envelope)  # JSON-ready: no Decimal, no date objects
            assert answer.data["market_id"] == market_id
            assert answer.data["submission_id"] == golden_submissions[index]["submission_id"]


def test_motor_carrier_renewal_gets_a_quote_about_seven_percent_up(fleet, golden_submissions):
    [answer] = _answers(golden_submissions, fleet["golden-state-casualty"])
    quote, requested = answer.data, {line["line_of_business"]: line for line in golden_submissions[0]["lines"]}
    assert quote["status"] == "quoted"
    for lob in ("GL", "AUTO"):
        expiring = Decimal(requested[lob]["expiring_premium"]["amount"])
        change = Decimal(_lines(quote)[lob]["premium"]["amount"]) / expiring - 1
        assert Decimal("0.065") < change < Decimal("0.075")
        coverage_total = sum(Decimal(c["premium"]["amount"]) for c in _lines(quote)[lob]["coverages"])
        assert coverage_total == Decimal(_lines(quote)[lob]["premium"]["amount"])
    assert _coverage(quote, "AUTO", "LIAB")["limits"] == [
        {"kind": "combined_single_limit", "amount": {"amount": "1000000.00", "currency": "USD"}}]
    assert Decimal(_coverage(quote, "GL", "CGL")["deductible"]["amount"]["amount"]) > Decimal("1000.00")
    assert len(quote["subjectivities"]) == 1
    assert quote["taxes_fees"][0]["kind"] == "policy_fee"
    assert quote["commission_percent"] == "12.50"
    assert quote["valid_until"] == "2026-12-27"


def test_second_motor_market_declines_with_its_reason(fleet, golden_submissions):
    [answer] = _answers(golden_submissions, fleet["pacific-crest-specialty"])
    assert answer.data["status"] == "declined"
    assert answer.data["declination_reason"] == "Fleet radius exceeds appetite"
    assert answer.data["lines"] == []


@pytest.mark.parametrize("market_id", MARKET_IDS)
def test_every_declination_carries_a_reason(market_id, fleet, golden_submissions):
    for answer in _answers(golden_submissions, fleet[market_id]):
        if answer.data["status"] == "declined":
            assert answer.data["declination_reason"].strip()


def test_market_outside_its_lines_declines_naming_them(fleet, golden_submissions):
    [answer] = _answers(golden_submissions, fleet["harbor-point-insurance"])
    assert answer.data["declination_reason"] == (
        "Outside appetite: General liability, Commercial auto not written")


def test_risk_outside_the_market_states_is_declined(fleet, golden_submissions):
    insured = json.loads(json.dumps(golden_submissions[0]["insured"]))
    insured["address"]["state"] = "TX"
    [answer] = _answers(golden_submissions, fleet["golden-state-casualty"], insured=insured)
    assert answer.data["declination_reason"] == "Outside appetite: risks domiciled in TX are not written"


def test_premium_below_the_market_minimum_is_declined(fleet, golden_submissions):
    market = fleet["golden-state-casualty"]
    picky = replace(market, appetite=replace(market.appetite, min_premium=Decimal("100000")))
    [answer] = answer_submission(loaded_for(golden_submissions[0], picky), picky, TODAY)
    assert answer.data["status"] == "declined"
    assert "below the minimum of 100,000.00" in answer.data["declination_reason"]


def test_answers_are_deterministic_per_submission_and_market(fleet, golden_submissions):
    market = fleet["sierra-mutual"]
    first = _answers(golden_submissions, market)
    again = _answers(golden_submissions, market)
    other = _answers(golden_submissions, market, submission_id="another-submission")
    assert first == again
    assert first[0].data["carrier_quote_ref"] != other[0].data["carrier_quote_ref"]


def test_revision_two_supersedes_with_the_same_reference_and_a_lower_premium(fleet, golden_submissions):
    first, second = _answers(golden_submissions, fleet["sierra-mutual"])
    assert (first.revision, second.revision) == (1, 2)
    assert first.data["carrier_quote_ref"] == second.data["carrier_quote_ref"]
    assert second.delay_seconds > first.delay_seconds
    for lob in ("GL", "AUTO"):
        assert Decimal(_lines(second.data)[lob]["premium"]["amount"]) < Decimal(_lines(first.data)[lob]["premium"]["amount"])


def test_requote_continues_the_revision_chain(fleet, golden_submissions):
    answers = _answers(golden_submissions, fleet["sierra-mutual"], kind="requote")
    assert [a.revision for a in answers] == [3, 4]


def test_wholesaler_indication_lowers_the_auto_limit_and_adds_surplus_lines_charges(fleet, golden_submissions):
    [answer] = _answers(golden_submissions, fleet["redwood-coast-underwriters"])
    quote = answer.data
    assert quote["status"] == "indication" and quote["admitted"] is False
    liability = _coverage(quote, "AUTO", "LIAB")
    assert liability["limits"][0]["amount"]["amount"] == "750000.00"
    assert "Hazardous materials hauling" in liability["exclusions"]
    premium = sum(Decimal(line["premium"]["amount"]) for line in quote["lines"])
    fees = {fee["kind"]: Decimal(fee["amount"]["amount"]) for fee in quote["taxes_fees"]}
    taxable = premium + fees["broker_fee"]
    assert fees["surplus_lines_tax"] == (taxable * Decimal("0.03")).quantize(Decimal("0.01"))
    assert fees["stamping_fee"] == (taxable * Decimal("0.0018")).quantize(Decimal("0.01"))


def test_deductible_rule_naming_a_coverage_changes_only_that_coverage(fleet, golden_submissions):
    quote = _answers(golden_submissions, fleet["cascade-excess-wholesale"])[-1].data
    assert _coverage(quote, "AUTO", "COLL")["deductible"]["amount"]["amount"] == "5000.00"
    assert _coverage(quote, "AUTO", "LIAB")["deductible"] is None
    assert quote["exclusions"] == ["Punitive or exemplary damages"]


def test_coverage_without_expiring_premium_is_rated_on_its_highest_limit(fleet, golden_submissions):
    line = json.loads(json.dumps(golden_submissions[0]["lines"][0]))
    line["expiring_premium"] = None
    for coverage in line["coverages"]:
        coverage["premium"] = None
    market = fleet["golden-state-casualty"]
    small = replace(market, appetite=replace(market.appetite, min_premium=None))
    [answer] = _answers(golden_submissions, small, lines=[line])
    # 2,000,000 aggregate / 1000 x 1.50 rate x 1.07 factor
    assert _lines(answer.data)["GL"]["premium"]["amount"] == "3210.00"


def test_malformed_rate_sends_a_poison_message_before_the_real_answer(fleet, golden_submissions):
    market = fleet["golden-state-casualty"]
    careless = replace(market, behaviour=replace(market.behaviour, malformed_rate=Decimal("1")))
    poison, real = answer_submission(loaded_for(golden_submissions[0], careless), careless, TODAY)
    assert poison.poison in ("malformed", "schema_violation") and real.poison is None
    assert poison.label != real.label


def test_demo_fleet_sends_an_occasional_malformed_message(fleet, golden_submissions):
    market = fleet["cascade-excess-wholesale"]
    poisoned = sum(
        any(a.poison for a in _answers(golden_submissions, market, submission_id=f"sub-{n}")) for n in range(200))
    assert 20 < poisoned < 80  # malformed_rate 0.25


def test_quote_is_valid_until_the_day_before_the_term_or_thirty_days_at_most():
    assert valid_until(date(2027, 2, 25), date(2027, 2, 10), 30) == date(2027, 2, 24)
    assert valid_until(date(2027, 2, 25), date(2026, 11, 27), 30) == date(2026, 12, 27)
    assert valid_until(date(2027, 2, 25), date(2027, 3, 1), 30) == date(2027, 3, 31)


def test_fleet_records_are_the_market_list_marketing_seeds():
    allowed = {"id", "name", "kind", "carrier_name", "naic_code", "admitted", "am_best_rating", "channel",
               "broker_user", "appetite", "commission_percent"}
    records = market_records()
    assert 5 <= len(records) <= 6
    for record in records:
        assert set(record) == allowed
        assert record["broker_user"] == f"sim-{record['id']}"
        assert re.fullmatch(r"\d{5}", record["naic_code"])
        assert record["kind"] in ("carrier", "wholesaler") and record["channel"] == "queue"
        Decimal(record["commission_percent"])
    assert {r["kind"] for r in records} == {"carrier", "wholesaler"}


def test_fleet_loads_appetite_and_revision_settings(fleet):
    assert fleet["sierra-mutual"].behaviour.revise == Revision(Decimal("0.95"), 4.0)
    assert fleet["golden-state-casualty"].appetite == Appetite(
        ("GL", "AUTO", "UMB", "CARGO"), ("CA", "NV", "AZ", "OR"), Decimal("5000.00"), Decimal("500000.00"))

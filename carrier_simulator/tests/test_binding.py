"""After quoting: a market acknowledges each submission, confirms a bind request and later
sends the issued policy, now and then with a discrepancy; all within the public contract."""
from __future__ import annotations

import copy
import json
import threading
import uuid
from dataclasses import replace
from decimal import Decimal

from kombu import Queue, binding as kombu_binding

from shared import testing
from shared.contracts.envelope import build_envelope
from shared.contracts.registry import contract
from shared.kit import topology

from carrier_simulator.binding import DISCREPANCY_EXCLUSION, acknowledgement, bind_answers
from carrier_simulator.runner import Simulator
from carrier_simulator.tests.conftest import TODAY, loaded_for, renamed, submission_envelope

BIND_REQUESTED = "carrier.bind.requested"


def _bind_request(market, bind_id: str | None = None) -> dict:
    data = copy.deepcopy(testing.examples(BIND_REQUESTED)[0]["data"])
    data.update(market_id=market.id, bind_id=bind_id or str(uuid.uuid4()))
    return data


def _loaded(data: dict) -> dict:
    return contract(BIND_REQUESTED, 1).load_tolerant(data)


def test_every_market_acknowledges_every_golden_submission_within_the_contract(fleet, golden_submissions):
    for market in fleet.values():
        for submission in golden_submissions:
            ack = acknowledgement(loaded_for(submission, market), market)
            contract("carrier.submission.acknowledged", 1).load_strict(ack)
            assert ack["market_id"] == market.id and ack["submission_id"] == submission["submission_id"]
            assert ack["expected_response_by"] == submission["respond_by"]


def test_a_bind_request_is_confirmed_then_the_policy_issued_as_bound(fleet):
    market = replace(fleet["golden-state-casualty"],
                     behaviour=replace(fleet["golden-state-casualty"].behaviour, policy_discrepancy_rate=Decimal("0")))
    request = _bind_request(market)
    confirmation, issued = bind_answers(_loaded(request), market)
    assert (confirmation.type, issued.type) == ("carrier.bind.confirmed", "carrier.policy.issued")
    contract(confirmation.type, 1).load_strict(confirmation.data)
    contract(issued.type, 1).load_strict(issued.data)
    assert confirmation.data["bind_id"] == request["bind_id"] and confirmation.data["binder_number"].startswith("GSC-B-")
    assert confirmation.data["effective_date"] == request["period"]["effective_date"]
    assert set(confirmation.data["policy_numbers"]) == {"GL", "AUTO"}
    assert issued.data["policy_numbers"] == confirmation.data["policy_numbers"]
    assert issued.data["lines"] == request["lines"] and issued.data["exclusions"] == request["exclusions"]
    assert issued.delay_seconds == market.behaviour.delay_seconds + market.behaviour.issue_delay_seconds
    assert bind_answers(_loaded(request), market)[0].data == confirmation.data  # the same answers again


def test_a_careless_market_issues_a_policy_that_differs_from_the_binder(fleet):
    market = fleet["golden-state-casualty"]
    careless = replace(market, behaviour=replace(market.behaviour, policy_discrepancy_rate=Decimal("1")))
    labels = set()
    for _ in range(12):
        request = _bind_request(careless)
        issued = bind_answers(_loaded(request), careless)[1]
        labels.add(issued.label)
        assert (issued.data["lines"] != request["lines"]
                or DISCREPANCY_EXCLUSION in issued.data["exclusions"]
                or issued.data["period"]["effective_date"] != request["period"]["effective_date"])
    assert labels <= {"issued policy (deductible raised)", "issued policy (exclusion added)",
                      "issued policy (term shifted)"} and len(labels) >= 2


def test_a_shifted_term_moves_both_dates_a_week(fleet):
    market = fleet["golden-state-casualty"]
    careless = replace(market, behaviour=replace(market.behaviour, policy_discrepancy_rate=Decimal("1")))
    for _ in range(40):
        request = _bind_request(careless)
        confirmation, issued = bind_answers(_loaded(request), careless)
        if issued.label == "issued policy (term shifted)":
            break
    else:
        raise AssertionError("no shifted term in 40 binds")
    contract(issued.type, 1).load_strict(issued.data)
    assert confirmation.data["effective_date"] == request["period"]["effective_date"] == "2027-02-25"
    assert issued.data["period"] == {"effective_date": "2027-03-04", "expiration_date": "2028-03-03"}
    assert issued.data["lines"] == request["lines"] and issued.data["exclusions"] == request["exclusions"]


def test_a_market_that_will_not_bind_declines_within_the_contract(fleet):
    market = fleet["golden-state-casualty"]
    refusing = replace(market, behaviour=replace(market.behaviour, bind_decline_rate=Decimal("1"),
                                                 bind_decline_reason="No longer within appetite"))
    request = _bind_request(refusing)
    (answer,) = bind_answers(_loaded(request), refusing)
    assert answer.type == "carrier.bind.declined" and answer.delay_seconds == market.behaviour.delay_seconds
    contract(answer.type, 1).load_strict(answer.data)
    assert (answer.data["bind_id"], answer.data["reason"]) == (request["bind_id"], "No longer within appetite")
    assert bind_answers(_loaded(request), refusing)[0].data == answer.data  # the same answer again
    # the demo fleet binds (the golden path depends on it): no market refuses unless configured to
    assert all(m.behaviour.bind_decline_rate == 0 for m in fleet.values())


def test_the_simulator_acknowledges_and_confirms_over_the_filesystem_transport(embedded, fleet, golden_submissions):
    settings, platform = embedded
    market = renamed(fleet["golden-state-casualty"], delay_seconds=0.0, issue_delay_seconds=0.0)
    platform.open_market(market)
    channel = platform.conn.default_channel
    others = Queue(f"test.market-messages.{uuid.uuid4().hex[:6]}", durable=True, bindings=[
        kombu_binding(topology.CARRIER_INTAKE, routing_key=key) for key in topology.INTAKE_ROUTING_KEYS[1:]])
    others(channel).declare()
    platform.send(submission_envelope(golden_submissions[0], market))
    request = _bind_request(market)
    platform.send(build_envelope(event_type=BIND_REQUESTED, version=1, source="marketing", data=request,
                                 message_id=str(uuid.uuid4()), subject=request["submission_id"],
                                 correlation_id=None, causation_id=None))
    simulator = Simulator(settings, [market], time_scale=0, today=TODAY)
    simulator.run(threading.Event(), once=True, idle_seconds=0.5)
    got = []
    with platform.conn.Consumer([others], accept=None, on_message=lambda m: (got.append(m), m.ack())):
        testing.wait_for(lambda: (platform._drain(), len(got) >= 3)[1], timeout=20, message="three market messages")
    by_type = {json.loads(m.body)["type"]: m for m in got}
    assert set(by_type) == {"carrier.submission.acknowledged", "carrier.bind.confirmed", "carrier.policy.issued"}
    for event_type, message in by_type.items():
        assert message.delivery_info["routing_key"] == event_type
        assert message.properties["user_id"] == market.broker_user
        contract(event_type, 1).load_strict(json.loads(message.body)["data"])
    assert [n["type"] for n in simulator.notices] == ["carrier.submission.acknowledged"]
    assert [s["type"] for s in simulator.sent if s["type"] != "carrier.quote.submitted"] == [
        "carrier.bind.confirmed", "carrier.policy.issued"]
    assert len(platform.answers(1)) == 1  # the quote itself, on its own routing key


def test_a_cancelled_bind_is_not_confirmed(embedded, fleet):
    settings, platform = embedded
    market = renamed(fleet["golden-state-casualty"], delay_seconds=30.0, issue_delay_seconds=0.0)
    platform.open_market(market)
    request = _bind_request(market)
    platform.send(build_envelope(event_type=BIND_REQUESTED, version=1, source="marketing", data=request,
                                 message_id=str(uuid.uuid4()), subject=request["submission_id"],
                                 correlation_id=None, causation_id=None))
    cancel = copy.deepcopy(testing.examples("carrier.bind.cancelled")[0]["data"])
    cancel.update(market_id=market.id, bind_id=request["bind_id"], submission_id=request["submission_id"])
    simulator = Simulator(settings, [market], time_scale=1, today=TODAY)
    stop = threading.Event()
    worker = threading.Thread(target=simulator.run, args=(stop,), daemon=True)
    worker.start()
    try:
        testing.wait_for(lambda: simulator._heap, timeout=20, message="the bind answers scheduled")
        platform.send(build_envelope(event_type="carrier.bind.cancelled", version=1, source="marketing", data=cancel,
                                     message_id=str(uuid.uuid4()), subject=cancel["submission_id"],
                                     correlation_id=None, causation_id=None))
        testing.wait_for(lambda: simulator.withdrawn, timeout=20, message="the bind withdrawn")
    finally:
        stop.set()
        worker.join(timeout=10)
    assert simulator.withdrawn == [request["bind_id"]] and not simulator._heap
    assert [s["type"] for s in simulator.sent] == []

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
                or DISCREPANCY_EXCLUSION in issued.data["exclusions"])
    assert labels <= {"issued policy (deductible raised)", "issued policy (exclusion added)"} and labels


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

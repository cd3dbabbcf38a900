"""Fixtures for the simulator's tests: the demo fleet, the golden submissions, and a
platform side that declares queues, publishes submissions and collects the answers."""
from __future__ import annotations

import copy
import json
import uuid
from dataclasses import replace
from datetime import date

import pytest
from kombu import Queue

from shared import testing
from shared.contracts.envelope import build_envelope
from shared.kit import broker, topology

from carrier_simulator.fleet import DEFAULT_FLEET, Market, load_fleet
from carrier_simulator.publish import load_submission

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="session")
def fleet() -> dict[str, Market]:
    return {m.id: m for m in load_fleet()}


@pytest.fixture(scope="session")
def golden_submissions() -> list[dict]:
    """Every golden carrier.submission.requested payload, as JSON."""
    return [e["data"] for e in testing.examples("carrier.submission.requested")]


def loaded_for(submission: dict, market: Market) -> dict:
    return load_submission({**submission, "market_id": market.id})


def renamed(market: Market, **behaviour) -> Market:
    """The market under a fresh id and broker user.  Tests sharing a RabbitMQ vhost must
    not collide, and kombu's filesystem transport keeps its bindings in process-global
    state, so a queue name bound in one tmp var dir would not be bound in the next."""
    market_id = f"{market.id}-{uuid.uuid4().hex[:6]}"
    return replace(market, id=market_id, broker_user=f"sim-{market_id}",
                   behaviour=replace(market.behaviour, **behaviour))


def write_fleet(path, market_ids: list[str]) -> tuple[str, list[Market]]:
    """A fleet file holding renamed copies of the demo fleet's ``market_ids``."""
    records = {r["id"]: r for r in json.loads(DEFAULT_FLEET.read_text())}
    chosen = []
    for market_id in market_ids:
        record = copy.deepcopy(records[market_id])
        record["id"] = f"{market_id}-{uuid.uuid4().hex[:6]}"
        record["broker_user"] = f"sim-{record['id']}"
        chosen.append(record)
    path.write_text(json.dumps(chosen))
    return str(path), load_fleet(path)


def submission_envelope(submission: dict, market: Market, submission_id: str | None = None) -> dict:
    data = copy.deepcopy(submission)
    data.update(market_id=market.id, submission_id=submission_id or str(uuid.uuid4()))
    return build_envelope(event_type="carrier.submission.requested", version=1, source="marketing", data=data,
                          message_id=str(uuid.uuid4()), subject=data["submission_id"],
                          correlation_id=str(uuid.uuid4()), causation_id=None)


class Platform:
    """What the platform does around a carrier: declare, send, read the intake."""

    def __init__(self, settings):
        self.settings = settings
        self.conn = broker.connect(settings)
        self.amqp = topology.is_amqp(self.conn)
        channel = self.conn.default_channel
        for exchange in topology.EXCHANGES:
            exchange(channel).declare()
        self.intake = Queue(f"test.intake.{uuid.uuid4().hex[:6]}", exchange=topology.CARRIER_INTAKE,
                            routing_key=topology.INTAKE_ROUTING_KEY, durable=True)
        self.intake(channel).declare()

    def open_market(self, market: Market) -> None:
        channel = self.conn.default_channel
        topology.carrier_inbox(market.id, self.amqp)(channel).declare()
        topology.carrier_reply_queue(market.id, self.amqp)(channel).declare()

    def send(self, envelope: dict) -> None:
        self.conn.Producer().publish(
            json.dumps(envelope).encode(), exchange=topology.CARRIER_OUTBOUND,
            routing_key=topology.outbound_routing_key(envelope["data"]["market_id"]),
            content_type="application/json", content_encoding="utf-8", message_id=envelope["id"])

    def reply(self, market: Market, data: dict) -> None:
        envelope = build_envelope(event_type="carrier.quote.replied", version=1, source="marketing", data=data,
                                  message_id=str(uuid.uuid4()), subject=None, correlation_id=None,
                                  causation_id=None)
        self.conn.Producer().publish(
            json.dumps(envelope).encode(), exchange=topology.CARRIER_REPLIES, routing_key=market.id,
            content_type="application/json", content_encoding="utf-8", message_id=envelope["id"])

    def answers(self, expected: int, timeout: float = 20) -> list:
        got = []

        def on_message(message):
            got.append(message)
            message.ack()

        with self.conn.Consumer([self.intake], accept=None, on_message=on_message):
            testing.wait_for(lambda: (self._drain(), len(got) >= expected)[1], timeout=timeout,
                             message=f"{expected} answers on the intake")
        return got

    def _drain(self) -> None:
        try:
            self.conn.drain_events(timeout=0.1)
        except TimeoutError:
            pass

    def close(self) -> None:
        self.conn.release()


@pytest.fixture
def embedded(tmp_path):
    settings = testing.embedded_settings("simulator", tmp_path)
    platform = Platform(settings)
    yield settings, platform
    platform.close()

"""Publishing quotes the way a carrier does, and ready-made messages for tests and
benchmarks: many distinct valid quotes for one submission, and poison variants labelled
with the dead-letter kind the platform assigns them."""
from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from kombu import Connection

from shared.contracts.carrier import INTAKE_TYPE, OUTBOUND_TYPE
from shared.contracts.envelope import build_envelope
from shared.contracts.registry import contract
from shared.kit.topology import CARRIER_INTAKE, INTAKE_ROUTING_KEY

from carrier_simulator import carrier
from carrier_simulator.fleet import Market

# Answers to the same inbound message get the same ids, so a redelivered submission
# produces messages the platform recognises as duplicates.
ANSWER_NAMESPACE = uuid.UUID("6f1c2a9e-4b7d-5e3f-8a21-0c9d7e6b5a43")
DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024
POISON_KINDS = ("malformed", "schema_violation", "unknown_version", "oversized", "forged_market")


@dataclass(frozen=True)
class Poison:
    """A message the platform must dead-letter; ``kind`` is the ``x-dead-letter-kind``
    it gets.  Publish it with ``user_id`` (on RabbitMQ, over that user's connection)."""

    kind: str
    body: bytes
    message_id: str
    user_id: str


def answer_message_id(inbound_message_id: str, market_id: str, label: str) -> str:
    return str(uuid.uuid5(ANSWER_NAMESPACE, f"{inbound_message_id}|{market_id}|{label}"))


def build_quote_envelope(data: dict, *, message_id: str | None = None, correlation_id: str | None = None,
                         causation_id: str | None = None, time: datetime | None = None) -> dict:
    """A ``carrier.quote.submitted`` envelope; ``data`` is validated strictly first."""
    return build_carrier_envelope(INTAKE_TYPE, data, message_id=message_id, correlation_id=correlation_id,
                                  causation_id=causation_id, time=time)


def build_carrier_envelope(event_type: str, data: dict, *, message_id: str | None = None,
                           correlation_id: str | None = None, causation_id: str | None = None,
                           time: datetime | None = None) -> dict:
    """An envelope of any message a market publishes; ``data`` is validated strictly first."""
    payload = contract(event_type, 1).dump(data)
    return build_envelope(
        event_type=event_type, version=1, source=f"carrier:{payload['market_id']}", data=payload,
        message_id=message_id or str(uuid.uuid4()), subject=payload["submission_id"],
        correlation_id=correlation_id, causation_id=causation_id, time=time,
    )


def encode(envelope: dict) -> bytes:
    return json.dumps(envelope, separators=(",", ":")).encode()


def publish_quotes(connection: Connection, envelopes: Iterable[dict | Poison], user_id: str) -> int:
    """Publish envelopes (and poison messages) to the intake exchange as ``user_id``.
    On RabbitMQ the connection must be that user's: the broker checks ``user_id``."""
    producer = connection.Producer(auto_declare=False)
    count = 0
    for item in envelopes:
        if isinstance(item, Poison):
            publish_body(producer, item.body, item.message_id, item.user_id)
        else:
            publish_body(producer, encode(item), item["id"], user_id)
        count += 1
    return count


def publish_body(producer, body: bytes, message_id: str, user_id: str, routing_key: str = INTAKE_ROUTING_KEY) -> None:
    """Publish on the intake exchange; the routing key is the message's type."""
    producer.publish(
        body, exchange=CARRIER_INTAKE.name, routing_key=routing_key,
        content_type="application/json", content_encoding="utf-8", delivery_mode=2,
        message_id=message_id, user_id=user_id, retry=True, retry_policy={"max_retries": 3},
    )


def load_submission(data: dict) -> dict:
    """A ``carrier.submission.requested`` payload as JSON, loaded (Decimals, dates)."""
    return contract(OUTBOUND_TYPE, 1).load_tolerant(data)


def submission_for(submission_id: str, market_id: str) -> dict:
    """The golden submission (JSON) re-addressed: for benchmarks against a submission
    the platform already holds."""
    data = copy.deepcopy(contract(OUTBOUND_TYPE, 1).examples()[0]["data"])
    return {**data, "submission_id": submission_id, "market_id": market_id}


def quote_envelopes(submission: dict, market: Market, count: int, *, today: date | None = None,
                    ref_prefix: str | None = None) -> list[dict]:
    """``count`` valid, distinct quote envelopes (each its own carrier quote reference)
    from ``market`` for ``submission`` (JSON payload), priced by the market's behaviour."""
    loaded = load_submission(submission)
    base = carrier.quote_payload(loaded, market, today or date.today(), ref="base", revision=1)
    prefix = ref_prefix or f"{market.behaviour.quote_prefix}-B{uuid.uuid4().hex[:6]}"
    template = build_quote_envelope(base)
    envelopes = []
    for number in range(1, count + 1):
        envelope = copy.deepcopy(template)
        envelope["id"] = str(uuid.uuid4())
        envelope["data"]["carrier_quote_ref"] = f"{prefix}-{number:07d}"
        envelopes.append(envelope)
    return envelopes


def poison_messages(submission: dict, market: Market, forger: Market, *,
                    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> list[Poison]:
    """One of each poison kind for ``submission`` (JSON payload) from ``market``; the
    forged one claims ``market`` but is published by ``forger``."""
    [valid] = quote_envelopes(submission, market, 1, ref_prefix=f"{market.behaviour.quote_prefix}-P{uuid.uuid4().hex[:6]}")
    bodies = {kind: poison_body(kind, valid, max_message_bytes) for kind in POISON_KINDS if kind != "forged_market"}
    poisons = [Poison(kind, body, str(uuid.uuid4()), market.broker_user) for kind, body in bodies.items()]
    forged = {**valid, "id": str(uuid.uuid4())}
    poisons.append(Poison("forged_market", encode(forged), forged["id"], forger.broker_user))
    return poisons


def poison_body(kind: str, envelope: dict, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> bytes:
    """A broken variant of a valid envelope, as a buggy carrier would send it."""
    if kind == "malformed":
        whole = encode(envelope)
        return whole[: len(whole) // 2]
    broken = copy.deepcopy(envelope)
    if kind == "schema_violation":
        _break_schema(broken["data"])
    elif kind == "unknown_version":
        broken["dataschema"] = broken["dataschema"].rsplit(":", 1)[0] + ":7"
    elif kind == "oversized":
        broken["data"]["underwriting_note"] = "x" * (max_message_bytes + 1)
    else:
        raise ValueError(f"no poison body for {kind!r}")
    return encode(broken)


def _break_schema(data: dict) -> None:
    """A premium as a JSON float (cents already lost), or a declination without reason."""
    if data.get("lines"):
        premium = data["lines"][0]["premium"]
        premium["amount"] = float(premium["amount"])
    else:
        data["declination_reason"] = None

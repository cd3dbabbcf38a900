"""Transactional outbox: an event is written in the same transaction as the state change
that causes it; the relay publishes it later.  A request never waits on the broker."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shared.contracts.envelope import build_envelope
from shared.contracts.registry import contract
from shared.kit import context, jsoncodec
from shared.kit.db import OUTBOX, bulk_insert, utcnow
from shared.kit.topology import EVENTS


@dataclass
class Event:
    """One event for :func:`record_events`.  ``correlation_id`` and ``causation_id`` are
    explicit: a batch records the events of many messages, each caused by its own."""

    type: str
    data: dict
    version: int = 1
    subject: str | None = None
    exchange: str = EVENTS.name
    routing_key: str | None = None
    headers: dict | None = None
    correlation_id: str | None = None
    causation_id: str | None = None


def record_event(session: Session, source: str, event_type: str, data: dict, *, version: int = 1,
                 subject: str | None = None, exchange: str = EVENTS.name,
                 routing_key: str | None = None, headers: dict | None = None) -> dict:
    """Validate ``data`` strictly against its contract and add its envelope to the outbox.

    Returns the envelope.  The caller commits the session, with the state change."""
    event = Event(event_type, data, version, subject, exchange, routing_key, headers,
                  context.current_correlation_id(), context.causation_id.get())
    envelope, row = _outbox_row(source, event)
    session.execute(insert(OUTBOX).values(**row))
    return envelope


def record_events(session: Session, source: str, events: list[Event]) -> list[dict]:
    """:func:`record_event` for many events in one multi-row INSERT, in the order given
    (each still validated strictly against its contract).  Returns the envelopes."""
    if not events:
        return []
    built = [_outbox_row(source, event) for event in events]
    bulk_insert(session, OUTBOX, [row for _envelope, row in built])  # seq follows the order given
    return [envelope for envelope, _row in built]


def _outbox_row(source: str, event: Event) -> tuple[dict, dict]:
    body = contract(event.type, event.version).dump(event.data)
    envelope = build_envelope(
        event_type=event.type, version=event.version, source=source, data=body,
        message_id=context.new_id(), subject=event.subject,
        correlation_id=event.correlation_id or context.new_id(), causation_id=event.causation_id,
    )
    row = dict(
        message_id=envelope["id"], exchange=event.exchange, routing_key=event.routing_key or event.type,
        body=jsoncodec.dumps(envelope), headers=event.headers or {}, created_at=utcnow(),
    )
    return envelope, row

"""Transactional outbox: an event is written in the same transaction as the state change
that causes it; the relay publishes it later.  A request never waits on the broker."""
from __future__ import annotations

import json

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shared.contracts.envelope import build_envelope
from shared.contracts.registry import contract
from shared.kit import context
from shared.kit.db import OUTBOX, utcnow
from shared.kit.topology import EVENTS


def record_event(session: Session, source: str, event_type: str, data: dict, *, version: int = 1,
                 subject: str | None = None, exchange: str = EVENTS.name,
                 routing_key: str | None = None, headers: dict | None = None) -> dict:
    """Validate ``data`` strictly against its contract and add its envelope to the outbox.

    Returns the envelope.  The caller commits the session, with the state change."""
    body = contract(event_type, version).dump(data)
    envelope = build_envelope(
        event_type=event_type, version=version, source=source, data=body,
        message_id=context.new_id(), subject=subject,
        correlation_id=context.current_correlation_id(), causation_id=context.causation_id.get(),
    )
    session.execute(
        insert(OUTBOX).values(
            message_id=envelope["id"], exchange=exchange, routing_key=routing_key or event_type,
            body=json.dumps(envelope, separators=(",", ":")), headers=headers or {},
            created_at=utcnow(),
        )
    )
    return envelope

"""Every write records who did it."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared.kit.context import correlation_id
from shared.kit.db import AUDIT_LOG, bulk_insert, utcnow


@dataclass
class AuditEntry:
    """One audit row for :func:`audit_many`; ``correlation_id`` is explicit because a batch
    records the writes of many messages, each with its own."""

    actor: str
    action: str
    entity_type: str
    entity_id: str
    details: dict = field(default_factory=dict)
    correlation_id: str | None = None


def audit(session: Session, actor: str, action: str, entity_type: str, entity_id: str, **details) -> None:
    session.execute(insert(AUDIT_LOG).values(
        at=utcnow(), actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
        correlation_id=correlation_id.get(), details=_jsonable(details),
    ))


def audit_many(session: Session, entries: list[AuditEntry]) -> None:
    """Record many audit rows with one statement, in the order given."""
    if not entries:
        return
    now = utcnow()
    rows = [dict(at=now, actor=e.actor, action=e.action, entity_type=e.entity_type, entity_id=str(e.entity_id),
                 correlation_id=e.correlation_id, details=_jsonable(e.details)) for e in entries]
    bulk_insert(session, AUDIT_LOG, rows)


def history(session: Session, entity_type: str, entity_id: str) -> list[dict]:
    rows = session.execute(
        select(AUDIT_LOG).where(AUDIT_LOG.c.entity_type == entity_type, AUDIT_LOG.c.entity_id == str(entity_id))
        .order_by(AUDIT_LOG.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)

"""Every write records who did it."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared.kit.context import correlation_id
from shared.kit.db import AUDIT_LOG, utcnow


def audit(session: Session, actor: str, action: str, entity_type: str, entity_id: str, **details) -> None:
    session.execute(insert(AUDIT_LOG).values(
        at=utcnow(), actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
        correlation_id=correlation_id.get(), details=_jsonable(details),
    ))


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

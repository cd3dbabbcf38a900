"""Idempotent consumption: a processed message id is recorded in the same transaction as
its effect, so a redelivered message takes effect once."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.kit.db import INBOX, utcnow


def claim(session: Session, consumer: str, message_id: str, message_type: str) -> bool:
    """Record ``message_id`` as processed by ``consumer``.  False if it already was."""
    dialect = session.get_bind().dialect.name
    values = dict(consumer=consumer, message_id=message_id, message_type=message_type, processed_at=utcnow())
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other backends are not configured
        raise RuntimeError(f"unsupported database {dialect}")
    # RETURNING, not rowcount: drivers report rowcount -1 for some INSERT forms.
    statement = insert(INBOX).values(**values).on_conflict_do_nothing().returning(INBOX.c.message_id)
    return session.execute(statement).first() is not None

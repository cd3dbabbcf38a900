"""Idempotent consumption: a processed message id is recorded in the same transaction as
its effect, so a redelivered message takes effect once."""
from __future__ import annotations

from sqlalchemy import bindparam, delete, text
from sqlalchemy.orm import Session

from shared.kit.db import INBOX, UTCDateTime, utcnow


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other backends are not configured
        raise RuntimeError(f"unsupported database {dialect}")
    # RETURNING, not rowcount: drivers report rowcount -1 for some INSERT forms.
    return insert(INBOX).on_conflict_do_nothing().returning(INBOX.c.message_id)


def claim(session: Session, consumer: str, message_id: str, message_type: str) -> bool:
    """Record ``message_id`` as processed by ``consumer``.  False if it already was."""
    values = dict(consumer=consumer, message_id=message_id, message_type=message_type, processed_at=utcnow())
    return session.execute(_insert(session).values(**values)).first() is not None


def claim_many(session: Session, consumer: str, messages: list[tuple[str, str]]) -> set[str]:
    """Record each ``(message_id, message_type)`` as processed by ``consumer`` in one
    statement; returns the ids that were not recorded before.  Ids must be distinct."""
    if not messages:
        return set()
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # Two array parameters: a multi-row VALUES list costs the driver a slow parse of
        # four placeholders per message.
        ids, types = zip(*messages)
        return set(session.execute(_CLAIM_UNNEST, {"consumer": consumer, "now": now, "ids": list(ids),
                                                   "types": list(types)}).scalars())
    rows = [dict(consumer=consumer, message_id=message_id, message_type=message_type, processed_at=now)
            for message_id, message_type in messages]
    # One multi-row INSERT .. ON CONFLICT DO NOTHING RETURNING (SQLAlchemy "insertmanyvalues").
    return set(session.execute(_insert(session), rows).scalars())


_CLAIM_UNNEST = text(
    "INSERT INTO inbox (consumer, message_id, message_type, processed_at) "
    "SELECT :consumer, m.message_id, m.message_type, :now "
    "FROM unnest(CAST(:ids AS varchar[]), CAST(:types AS varchar[])) AS m(message_id, message_type) "
    "ON CONFLICT DO NOTHING RETURNING message_id"
).bindparams(bindparam("now", type_=UTCDateTime()))


def release(session: Session, consumer: str, message_ids: list[str]) -> None:
    """Forget messages claimed in this transaction that did not take effect (dead letters),
    so that they are not recorded as processed."""
    if message_ids:
        session.execute(delete(INBOX).where(INBOX.c.consumer == consumer, INBOX.c.message_id.in_(message_ids)))

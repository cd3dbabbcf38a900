"""Finding documents: newest first, filtered, limited to the caller's programs, with
keyset pagination (the cursor is the last row's creation time and id)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.documents.models import Document
from shared.contracts.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class DocumentFilter:
    programs: frozenset[str] | None  # None: every program
    subject_id: str | None = None
    client_id: str | None = None
    kind: str | None = None
    status: str | None = None


def visible(document: Document | None, programs: frozenset[str] | None) -> bool:
    return document is not None and (programs is None or document.program in programs)


def list_documents(session: Session, where: DocumentFilter, limit: int, after: str | None) -> tuple[list[Document], str | None]:
    query = select(Document)
    if where.programs is not None:
        query = query.where(Document.program.in_(sorted(where.programs)))
    for column, value in ((Document.subject_id, where.subject_id), (Document.client_id, where.client_id),
                          (Document.kind, where.kind), (Document.status, where.status)):
        if value is not None:
            query = query.where(column == value)
    if after:
        created_at, document_id = _position(after)
        query = query.where(or_(Document.created_at < created_at,
                                and_(Document.created_at == created_at, Document.id < document_id)))
    rows = list(session.scalars(query.order_by(Document.created_at.desc(), Document.id.desc()).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor([last.created_at.isoformat(), last.id])


def _position(cursor: str) -> tuple[datetime, str]:
    key = decode_cursor(cursor)
    try:
        created_at, document_id = key
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        raise ValidationError("Not a valid cursor.", "after") from None
    if moment.tzinfo is None or not isinstance(document_id, str):
        raise ValidationError("Not a valid cursor.", "after")
    return moment, document_id

"""Documents generated for an account by the documents service, linked for download."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.paging import Page, page
from services.accounts.models import AccountDocument, Client, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow

LINKED_FIELDS = ("document_id", "request_id", "kind", "title", "filename", "media_type", "size_bytes",
                 "subject_type", "subject_id", "download_path")


def link_document(session: Session, actor: str, client: Client, generated: dict) -> AccountDocument | None:
    """Link a generated document to its account; None when it is linked already."""
    existing = session.scalar(select(AccountDocument).where(AccountDocument.document_id == generated["document_id"]))
    if existing is not None:
        return None
    document = AccountDocument(id=new_id(), client_id=client.id, created_at=utcnow(),
                               **{name: generated[name] for name in LINKED_FIELDS})
    session.add(document)
    session.flush()
    audit(session, actor, "document.linked", "client", client.id, document_id=document.document_id,
          kind=document.kind)
    return document


def client_documents(session: Session, client_id: str, *, limit: int, after: list | None) -> Page[AccountDocument]:
    statement = select(AccountDocument).where(AccountDocument.client_id == client_id)
    return page(session, statement, AccountDocument.created_at, AccountDocument.id, limit=limit, after=after,
                key_of=lambda d: [d.created_at.isoformat(), d.id], parse_sort=_aware)


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("naive time in cursor")
    return value

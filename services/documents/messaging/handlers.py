"""What the documents worker does with each message it receives."""
from __future__ import annotations

import functools
import logging

from sqlalchemy.orm import Session

from services.documents.domain.generation import (
    DocumentRequest, failed_event, generate, generated_event,
)
from services.documents.domain.store import FileStore, file_store
from services.documents.models import GENERATED, Document
from shared.kit.audit import audit
from shared.kit.config import load_settings
from shared.kit.consumer import Delivery, Handler
from shared.kit.outbox import record_event

log = logging.getLogger(__name__)
SOURCE = "documents"


def on_document_requested(session: Session, delivery: Delivery, store: FileStore) -> None:
    """Render the requested document once per request id; tell the requester how it went.

    An invalid payload is answered with documents.document.failed, not dead-lettered:
    the requester is waiting for an answer it can act on."""
    request = DocumentRequest.from_data(delivery.data)
    generation = generate(session, store, request)
    if not generation.created:
        log.info("document request %s was already handled (document %s)", request.request_id, generation.document.id)
        return
    record_outcome(session, generation.document, actor=f"service:{delivery.source}")


def record_outcome(session: Session, document: Document, *, actor: str) -> None:
    """Audit the new document and queue its event, in the caller's transaction."""
    if document.status == GENERATED:
        audit(session, actor, "document.generated", "document", document.id, kind=document.kind,
              request_id=document.request_id, sha256=document.sha256)
        record_event(session, SOURCE, "documents.document.generated", generated_event(document),
                     subject=document.client_id)
        return
    log.warning("document request %s failed: %s", document.request_id, document.failure_reason)
    audit(session, actor, "document.failed", "document", document.id, kind=document.kind,
          request_id=document.request_id, reason=document.failure_reason)
    record_event(session, SOURCE, "documents.document.failed", failed_event(document), subject=document.client_id)


def handlers_for(store: FileStore | None = None) -> dict[str, Handler]:
    """The handlers, writing files to ``store`` (default: the configured store)."""
    def requested(session: Session, delivery: Delivery) -> None:
        on_document_requested(session, delivery, store or configured_store())

    return {"documents.document.requested": requested}


@functools.cache
def configured_store() -> FileStore:
    return file_store(load_settings("documents"))


HANDLERS = handlers_for()

"""Turning a document request into a stored document, exactly once per request id.

Used by the message handler and by the synchronous render endpoint alike; the caller
records the resulting event and commits."""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.documents.domain.render import RENDERERS, InvalidPayload, load_payload
from services.documents.domain.store import FileStore
from services.documents.models import FAILED, GENERATED, Document
from shared.kit.db import utcnow
from shared.kit.metrics import DOCUMENT_RENDER


@dataclass(frozen=True)
class DocumentRequest:
    request_id: str
    kind: str
    client_id: str
    program: str
    subject_type: str
    subject_id: str
    title: str
    payload: dict

    @classmethod
    def from_data(cls, data: dict) -> "DocumentRequest":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Generation:
    document: Document
    created: bool  # False when the request had been handled before


def find_by_request(session: Session, request_id: str) -> Document | None:
    return session.scalars(select(Document).where(Document.request_id == request_id)).first()


def generate(session: Session, store: FileStore, request: DocumentRequest) -> Generation:
    """Render, store and record the document; a request seen before returns its document.

    An invalid payload gives a *failed* document with the reason (the request will not
    get better by retrying); an unexpected renderer error propagates, so the request can
    be retried once the renderer is fixed."""
    existing = find_by_request(session, request.request_id)
    if existing is not None:
        return Generation(existing, False)
    try:
        data = load_payload(request.kind, request.payload)
        check_owner(request, data)
    except InvalidPayload as exc:
        return Generation(_add(session, _document(request, status=FAILED, failure_reason=exc.reason)), True)
    renderer = RENDERERS[request.kind]
    with DOCUMENT_RENDER.labels(request.kind).time():
        content = renderer.render(data)
    document = _document(
        request, status=GENERATED, filename=filename_for(request.title, request.kind, renderer.extension),
        media_type=renderer.media_type, size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
    )
    document.storage_key = document.id
    _add(session, document)  # a concurrent twin of this request fails here, before any file is written
    store.put(document.storage_key, content)
    return Generation(document, True)


def check_owner(request: DocumentRequest, data: dict) -> None:
    """A payload about another client or program must not be filed under this one."""
    subject = data.get("comparison") or data.get("insured") or data
    for name in ("client_id", "program"):
        stated = subject.get(name)
        if stated is not None and stated != getattr(request, name):
            raise InvalidPayload(f"payload {name} {stated!r} differs from the request's {getattr(request, name)!r}")


def filename_for(title: str, kind: str, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")
    return f"{slug or kind.replace('_', '-')}.{extension}"


def _document(request: DocumentRequest, **values) -> Document:
    return Document(
        id=str(uuid.uuid4()), request_id=request.request_id, kind=request.kind, client_id=request.client_id,
        program=request.program, subject_type=request.subject_type, subject_id=request.subject_id,
        title=request.title, created_at=utcnow(), **values,
    )


def _add(session: Session, document: Document) -> Document:
    session.add(document)
    session.flush()
    return document


def generated_event(document: Document) -> dict:
    """Data of documents.document.generated."""
    return {
        "document_id": document.id, "request_id": document.request_id, "kind": document.kind,
        "client_id": document.client_id, "program": document.program, "subject_type": document.subject_type,
        "subject_id": document.subject_id, "title": document.title, "filename": document.filename,
        "media_type": document.media_type, "size_bytes": document.size_bytes, "sha256": document.sha256,
        "download_path": document.download_path,
    }


def failed_event(document: Document) -> dict:
    """Data of documents.document.failed."""
    return {
        "request_id": document.request_id, "kind": document.kind, "client_id": document.client_id,
        "program": document.program, "reason": document.failure_reason,
    }

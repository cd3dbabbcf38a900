"""/api/v1/documents: rendered documents, their content, and synchronous rendering."""
from __future__ import annotations

import hashlib
import io
import logging
import uuid

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, ValidationError
from sqlalchemy.exc import IntegrityError

from services.documents.api.schemas import (
    DocumentListArgsSchema, DocumentPageSchema, DocumentSchema, RenderRequestSchema,
)
from services.documents.domain.generation import DocumentRequest, find_by_request, generate
from services.documents.domain.listing import DocumentFilter, list_documents, visible
from services.documents.domain.store import StoredFileMissing, file_store
from services.documents.messaging.handlers import record_outcome
from services.documents.models import GENERATED, Document
from shared.kit.web import abort, db_session, principal, settings, visible_or_404

log = logging.getLogger(__name__)
blp = Blueprint("documents", __name__, url_prefix="/api/v1/documents",
                description="Rendered documents: metadata, download and synchronous render.")


def caller_programs() -> frozenset[str] | None:
    user = principal()
    return None if user.is_admin or "*" in user.programs else user.programs


def visible_document(document_id: str) -> Document:
    """The document, or 404 when it does not exist or lies outside the caller's programs."""
    document = db_session().get(Document, document_id)
    if not visible(document, caller_programs()):
        abort(404, "No such document.")
    return document


@blp.route("")
class Documents(MethodView):
    @blp.arguments(DocumentListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, DocumentPageSchema)
    def get(self, args):
        """Documents newest first, filtered by subject, client or kind."""
        where = DocumentFilter(caller_programs(), args["subject_id"], args["client_id"], args["kind"], args["status"])
        try:
            items, next_cursor = list_documents(db_session(), where, args["limit"], args["after"])
        except ValidationError as exc:
            abort(422, "The request did not pass validation.", errors={"query": exc.messages})
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/render")
class Render(MethodView):
    @blp.arguments(RenderRequestSchema)
    @blp.response(201, DocumentSchema)
    def post(self, body):
        """Render a document now (for the portals) and store it; answers its metadata."""
        visible_or_404(body["program"], "program")
        session = db_session()
        request_id = body.pop("request_id") or str(uuid.uuid4())
        request = DocumentRequest(request_id=request_id, **body)
        earlier = find_by_request(session, request_id)
        if earlier is not None:
            return _repeat(earlier, request), 200
        try:
            document = generate(session, file_store(settings()), request).document
        except IntegrityError:  # the same request_id, posted twice at once: the other one won
            session.rollback()
            return _repeat(find_by_request(session, request_id), request), 200
        if document.status != GENERATED:
            session.rollback()
            abort(422, "The payload cannot be rendered.", errors={"payload": [document.failure_reason]})
        record_outcome(session, document, actor=principal().actor)
        session.commit()
        return document


def _repeat(earlier: Document, request: DocumentRequest) -> Document:
    same = (earlier.kind, earlier.client_id, earlier.program, earlier.subject_id) == (
        request.kind, request.client_id, request.program, request.subject_id)
    if not same or not visible(earlier, caller_programs()):
        abort(409, "This request_id was already used for a different document.")
    return earlier


@blp.route("/<string:document_id>")
class DocumentItem(MethodView):
    @blp.response(200, DocumentSchema)
    def get(self, document_id):
        """A document's metadata (status, size, checksum, where to download it)."""
        return visible_document(document_id)


@blp.route("/<string:document_id>/content")
class DocumentContent(MethodView):
    @blp.doc(responses={"200": {"description": "The file, as an attachment; ETag is its SHA-256.",
                                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, document_id):
        """Download the rendered file."""
        document = visible_document(document_id)
        if document.status != GENERATED:
            abort(409, f"The document failed to render: {document.failure_reason}")
        content = _stored_content(document)
        response = send_file(io.BytesIO(content), mimetype=document.media_type, as_attachment=True,
                             download_name=document.filename, etag=document.sha256, conditional=True,
                             last_modified=document.created_at, max_age=0)
        response.headers["Cache-Control"] = "private, no-cache"
        return response


def _stored_content(document: Document) -> bytes:
    try:
        with file_store(settings()).open(document.storage_key) as handle:
            content = handle.read()
    except StoredFileMissing:
        log.error("document %s has no stored file %s", document.id, document.storage_key)
        abort(500, "The document's file is missing from the store; it has been logged.")
    if hashlib.sha256(content).hexdigest() != document.sha256:
        log.error("document %s: stored file does not match its checksum", document.id)
        abort(500, "The document's file does not match its checksum; it has been logged.")
    return content

"""The communication log of an account: notes, calls and emails (imported from .eml files
with their attachments).  Immutable: no PATCH or DELETE; a correction is a new entry."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import (
    business_rules, commit, cursor_key, may_write_in, page_body, visible_client,
)
from services.accounts.api.schemas import (
    CommunicationCreateSchema, CommunicationListArgsSchema, CommunicationPageSchema, CommunicationSchema,
    EmailFileSchema, EmailImportFormSchema,
)
from services.accounts.domain.attachments import AttachmentStore
from services.accounts.domain.communications import (
    CommunicationFilter, attachment, corrections_of, find_communications, get_communication, import_email,
    log_communication,
)
from services.accounts.domain.email_import import parse_eml
from shared.kit.web import abort, db_session, principal, settings, visible_or_404

blp = Blueprint("communications", __name__, url_prefix="/api/v1",
                description="The communication log: notes, calls and emails of an account.")


@blp.route("/clients/<client_id>/communications")
class ClientCommunications(MethodView):
    @blp.arguments(CommunicationListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, CommunicationPageSchema)
    def get(self, args, client_id):
        """The account's log, newest first; ``q`` searches subject and body, ``since`` and
        ``until`` bound the day, ``author`` and ``kind`` filter."""
        client = visible_client(client_id)
        where = CommunicationFilter(client_id=client.id, text=args.get("q"), since=args.get("since"),
                                    until=args.get("until"), author=args.get("author"), kind=args.get("kind"),
                                    policy_id=args.get("policy_id"))
        session = db_session()
        with business_rules():
            found = find_communications(session, where, limit=args["limit"], after=cursor_key(args))
        corrected_by = corrections_of(session, [c.id for c in found.items])
        return page_body(found, lambda c: communication_view(c, corrected_by.get(c.id, [])))

    @blp.arguments(CommunicationCreateSchema)
    @blp.response(201, CommunicationSchema)
    def post(self, fields, client_id):
        """Log a note, call or email (author: the caller).  ``corrects_id`` links a correction."""
        client = visible_client(client_id)
        may_write_in(client.program)
        with business_rules():
            entry = log_communication(db_session(), principal().actor, client, fields)
        commit()
        return communication_view(entry, [])


@blp.route("/clients/<client_id>/communications/eml")
class EmailImport(MethodView):
    @blp.arguments(EmailImportFormSchema, location="form", unknown=RAISE)
    @blp.arguments(EmailFileSchema, location="files", unknown=RAISE)
    @blp.response(201, CommunicationSchema)
    def post(self, form, files, client_id):
        """Import an email from an RFC 5322 ``.eml`` file (multipart ``file``): sender,
        recipients, subject, date, body text and attachments (409 when already imported)."""
        client = visible_client(client_id)
        may_write_in(client.program)
        with business_rules():
            parsed = parse_eml(files["file"].read())
            entry = import_email(db_session(), principal().actor, client, parsed, _store(),
                                 policy_id=form.get("policy_id"), direction=form.get("direction"))
        commit()
        return communication_view(entry, [])


@blp.route("/communications/<communication_id>")
class CommunicationById(MethodView):
    @blp.response(200, CommunicationSchema)
    def get(self, communication_id):
        """One entry, with the entries correcting it."""
        entry = _visible(communication_id)
        return communication_view(entry, corrections_of(db_session(), [entry.id]).get(entry.id, []))


@blp.route("/communications/<communication_id>/attachments/<int:position>")
class AttachmentContent(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, communication_id, position):
        """Download an email's attachment (numbered from 1)."""
        entry = _visible(communication_id)
        with business_rules():
            item = attachment(entry, position)
        try:
            content = _store().get(item.sha256)
        except OSError:
            abort(410, "The attachment's file is missing or damaged in the attachment store.")
        return Response(content, mimetype=item.media_type,
                        headers={"Content-Disposition": _disposition(item.filename)})


def communication_view(entry, corrected_by: list[str]) -> dict:
    return {
        "id": entry.id, "client_id": entry.client_id, "policy_id": entry.policy_id, "kind": entry.kind,
        "direction": entry.direction, "subject": entry.subject, "body": entry.body, "contact": entry.contact,
        "sender": entry.sender, "recipients": entry.recipients, "message_id": entry.message_id,
        "author": entry.author, "occurred_at": entry.occurred_at, "corrects_id": entry.corrects_id,
        "corrected_by": corrected_by, "created_at": entry.created_at,
        "attachments": [{"position": a.position, "filename": a.filename, "media_type": a.media_type,
                         "size_bytes": a.size_bytes, "sha256": a.sha256,
                         "download_path": f"/api/v1/communications/{entry.id}/attachments/{a.position}"}
                        for a in entry.attachments],
    }


def _visible(communication_id: str):
    with business_rules():
        entry, client = get_communication(db_session(), communication_id)
    visible_or_404(client.program, "communication")
    return entry


def _disposition(filename: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _store() -> AttachmentStore:
    return AttachmentStore(settings().var_dir / "attachments")

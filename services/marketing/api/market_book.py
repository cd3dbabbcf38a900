"""The book of markets: underwriter contacts at each market, and the bulk import of
markets from a spreadsheet (CSV or XLSX; all or nothing, with a per-row error report)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.marketing.api.common import WRITERS, domain_errors
from services.marketing.api.lifecycle_schemas import (
    ContactCreateSchema, ContactFieldsSchema, ContactListSchema, ContactSchema, MarketImportFileSchema, MarketImportResultSchema,
)
from services.marketing.api.markets import MANAGERS
from services.marketing.domain import contacts, market_import
from shared.kit.web import abort, db_session, principal, require_roles

blp = Blueprint("market_book", __name__, url_prefix="/api/v1/markets",
                description="Underwriter contacts and the bulk import of markets")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@blp.route("/import")
class MarketImport(MethodView):
    @blp.arguments(MarketImportFileSchema, location="files")
    @blp.response(200, MarketImportResultSchema)
    def post(self, files):
        """Create or update markets from a CSV or XLSX file (program managers and admins).
        Every row is checked first: one bad row imports nothing, and the problem's
        ``errors`` lists each bad row (its number in the file, the market id and what is
        wrong).  Columns: see ``services.marketing.domain.market_import``."""
        require_roles(*MANAGERS)
        upload = files["file"]
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            abort(413, f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.")
        try:
            records = market_import.records_from_upload(upload.filename, upload.mimetype, content)
        except market_import.UnreadableFile as exc:
            abort(422, str(exc))
        if not records:
            abort(422, "The file has a header row but no markets.")
        session = db_session()
        result = market_import.import_records(session, records, principal().actor, first_row=2)
        if not result.ok:
            session.rollback()
            abort(422, f"{len(result.errors)} rows cannot be imported; nothing was imported.", errors=result.errors)
        session.commit()
        return {"created": result.created, "updated": result.updated,
                "market_ids": [record["id"] for record in records]}


@blp.route("/<market_id>/contacts")
class ContactCollection(MethodView):
    @blp.response(200, ContactListSchema)
    def get(self, market_id):
        """The market's underwriter contacts, the primary one first."""
        with domain_errors():
            return {"items": contacts.contacts_of(db_session(), market_id)}

    @blp.arguments(ContactCreateSchema)
    @blp.response(201, ContactSchema)
    def post(self, data, market_id):
        """Add an underwriter contact (``is_primary`` makes it the market's one primary contact)."""
        require_roles(*WRITERS)
        session = db_session()
        with domain_errors():
            contact = contacts.add_contact(session, market_id, data, principal().actor)
        session.commit()
        return contact


@blp.route("/<market_id>/contacts/<contact_id>")
class ContactItem(MethodView):
    @blp.response(200, ContactSchema)
    def get(self, market_id, contact_id):
        with domain_errors():
            return contacts.get_contact(db_session(), market_id, contact_id)

    @blp.arguments(ContactFieldsSchema(partial=True))
    @blp.response(200, ContactSchema)
    def patch(self, changes, market_id, contact_id):
        """Change some of a contact's details."""
        require_roles(*WRITERS)
        session = db_session()
        with domain_errors():
            contact = contacts.update_contact(session, market_id, contact_id, changes, principal().actor)
        session.commit()
        return contact

    @blp.response(204)
    def delete(self, market_id, contact_id):
        """Remove a contact."""
        require_roles(*WRITERS)
        session = db_session()
        with domain_errors():
            contacts.remove_contact(session, market_id, contact_id, principal().actor)
        session.commit()

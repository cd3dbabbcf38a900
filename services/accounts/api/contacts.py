"""The people at a client: list, add, change, remove (each announced in accounts.client.updated)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import (
    business_rules, commit, cursor_key, may_write_in, page_body, visible_client,
)
from services.accounts.api.presenters import contact_view
from services.accounts.api.schemas import ContactChangesSchema, ContactCreateSchema, ContactPageSchema, ContactSchema
from services.accounts.domain.contacts import add_contact, change_contact, find_contacts, get_contact, remove_contact
from shared.contracts.pagination import PageArgsSchema
from shared.kit.web import db_session, principal

blp = Blueprint("contacts", __name__, url_prefix="/api/v1/clients",
                description="A client's contacts: roles, how to reach them, the primary one.")


@blp.route("/<client_id>/contacts")
class ClientContacts(MethodView):
    @blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ContactPageSchema)
    def get(self, args, client_id):
        """The client's contacts, by name."""
        client = visible_client(client_id)
        with business_rules():
            found = find_contacts(db_session(), client.id, limit=args["limit"], after=cursor_key(args))
        return page_body(found, contact_view)

    @blp.arguments(ContactCreateSchema)
    @blp.response(201, ContactSchema)
    def post(self, fields, client_id):
        """Add a contact (the first one is the primary contact unless ``primary`` is false;
        making one primary makes the previous one not)."""
        client = visible_client(client_id)
        may_write_in(client.program)
        with business_rules():
            contact = add_contact(db_session(), principal().actor, client, fields)
        commit()
        return contact_view(contact)


@blp.route("/<client_id>/contacts/<contact_id>")
class ContactById(MethodView):
    @blp.response(200, ContactSchema)
    def get(self, client_id, contact_id):
        """One contact."""
        client = visible_client(client_id)
        with business_rules():
            return contact_view(get_contact(db_session(), client, contact_id))

    @blp.arguments(ContactChangesSchema)
    @blp.response(200, ContactSchema)
    def patch(self, changes, client_id, contact_id):
        """Change a contact's details."""
        client = visible_client(client_id)
        may_write_in(client.program)
        session = db_session()
        with business_rules():
            contact = get_contact(session, client, contact_id)
            change_contact(session, principal().actor, client, contact, changes)
        commit()
        return contact_view(contact)

    @blp.response(204)
    def delete(self, client_id, contact_id):
        """Remove a contact (the audit log keeps who they were)."""
        client = visible_client(client_id)
        may_write_in(client.program)
        session = db_session()
        with business_rules():
            remove_contact(session, principal().actor, client, get_contact(session, client, contact_id))
        commit()

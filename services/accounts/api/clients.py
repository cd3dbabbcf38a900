"""Clients and prospects: register, find, show with policies and credentials, update."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import (
    business_rules, commit, cursor_key, may_write_in, page_body, visible_client, visible_programs,
)
from services.accounts.api.presenters import client_detail, client_summary
from services.accounts.api.schemas import (
    ClientChangesSchema, ClientCreateSchema, ClientListArgsSchema, ClientPageSchema, ClientSchema,
)
from services.accounts.domain.checklists import progress
from services.accounts.domain.client_reads import account
from services.accounts.domain.clients import ClientFilter, find_clients, register_client, update_client
from shared.kit.web import db_session, principal, visible_or_404

blp = Blueprint("clients", __name__, url_prefix="/api/v1/clients",
                description="Clients and prospects, with their regulatory credentials.")


@blp.route("")
class Clients(MethodView):
    @blp.arguments(ClientListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ClientPageSchema)
    def get(self, args):
        """Clients in the caller's programs, by name; search by name or DBA prefix
        (``q``: either), credential number, policy number, FEIN, or NAICS / SIC code (or its
        prefix); filter by program, status and team member (account manager, producer,
        assistant, or ``team_member``: any of them)."""
        team_member = args.get("team_member")
        where = ClientFilter(programs=visible_programs(), name=args.get("name"), dba=args.get("dba"),
                             name_or_dba=args.get("q"), credential_number=args.get("credential_number"),
                             policy_number=args.get("policy_number"), fein=args.get("fein"),
                             naics=args.get("naics"), sic=args.get("sic"),
                             status=args.get("status"), account_manager=args.get("account_manager"),
                             producer=args.get("producer"), assistant=args.get("assistant"),
                             team_member=principal().user_id if team_member == "me" else team_member,
                             program=args.get("program"))
        with business_rules():
            found = find_clients(db_session(), where, limit=args["limit"], after=cursor_key(args))
        roles = principal().roles
        return page_body(found, lambda c: client_summary(c, roles))

    @blp.arguments(ClientCreateSchema)
    @blp.response(201, ClientSchema)
    def post(self, fields):
        """Register a client or prospect (emits accounts.client.registered)."""
        may_write_in(fields["program"])
        session = db_session()
        with business_rules():
            client = register_client(session, principal().actor, fields)
        commit()
        return client_detail(client, principal().roles, progress(db_session(), client.id))


@blp.route("/<client_id>")
class ClientById(MethodView):
    @blp.response(200, ClientSchema)
    def get(self, client_id):
        """One account with its policies, credentials, contacts and locations."""
        with business_rules():
            client, checklists = account(db_session(), client_id)
        visible_or_404(client.program, "client")
        return client_detail(client, principal().roles, checklists)

    @blp.arguments(ClientChangesSchema)
    @blp.response(200, ClientSchema)
    def patch(self, changes, client_id):
        """Change details or credentials (the list given replaces the credentials);
        emits accounts.client.updated when anything changed."""
        client = visible_client(client_id, with_parts=True)
        may_write_in(client.program)
        if "program" in changes:
            may_write_in(changes["program"])
        with business_rules():
            update_client(db_session(), principal().actor, client, changes)
        commit()
        return client_detail(client, principal().roles, progress(db_session(), client.id))

"""A client's premises: list, add, change, remove (each announced in accounts.client.updated)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import (
    business_rules, commit, cursor_key, may_write_in, page_body, visible_client,
)
from services.accounts.api.presenters import location_view
from services.accounts.api.schemas import (
    LocationChangesSchema, LocationCreateSchema, LocationPageSchema, LocationSchema,
)
from services.accounts.domain.locations import (
    add_location, change_location, find_locations, get_location, remove_location,
)
from shared.contracts.pagination import PageArgsSchema
from shared.kit.web import db_session, principal

blp = Blueprint("locations", __name__, url_prefix="/api/v1/clients",
                description="A client's locations: numbered premises with occupancy, values and head count.")


@blp.route("/<client_id>/locations")
class ClientLocations(MethodView):
    @blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, LocationPageSchema)
    def get(self, args, client_id):
        """The client's locations, by location number."""
        client = visible_client(client_id)
        with business_rules():
            found = find_locations(db_session(), client.id, limit=args["limit"], after=cursor_key(args))
        return page_body(found, location_view)

    @blp.arguments(LocationCreateSchema)
    @blp.response(201, LocationSchema)
    def post(self, fields, client_id):
        """Add a location, numbered the next free number unless ``number`` is given (409
        when taken).  The first one is the primary location unless ``primary`` is false;
        making one primary (or mailing) makes the previous one not."""
        client = visible_client(client_id)
        may_write_in(client.program)
        with business_rules():
            location = add_location(db_session(), principal().actor, client, fields)
        commit()
        return location_view(location)


@blp.route("/<client_id>/locations/<location_id>")
class LocationById(MethodView):
    @blp.response(200, LocationSchema)
    def get(self, client_id, location_id):
        """One location."""
        client = visible_client(client_id)
        with business_rules():
            return location_view(get_location(db_session(), client, location_id))

    @blp.arguments(LocationChangesSchema)
    @blp.response(200, LocationSchema)
    def patch(self, changes, client_id, location_id):
        """Change a location (``address`` and ``values`` each replace the whole; 409 when
        the new number is taken)."""
        client = visible_client(client_id)
        may_write_in(client.program)
        session = db_session()
        with business_rules():
            location = get_location(session, client, location_id)
            change_location(session, principal().actor, client, location, changes)
        commit()
        return location_view(location)

    @blp.response(204)
    def delete(self, client_id, location_id):
        """Remove a location (the audit log keeps what it was)."""
        client = visible_client(client_id)
        may_write_in(client.program)
        session = db_session()
        with business_rules():
            remove_location(session, principal().actor, client, get_location(session, client, location_id))
        commit()

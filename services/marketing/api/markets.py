"""Markets: the carriers and wholesalers submissions go to."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.marketing.api.common import cursor, domain_errors, page
from services.marketing.api.schemas import (
    MarketCreateSchema, MarketFieldsSchema, MarketPageSchema, MarketQuerySchema, MarketSchema, ReachCreateSchema,
    ReachFieldsSchema, ReachListSchema, ReachSchema,
)
from services.marketing.domain import appointments, markets
from services.marketing.models import Market
from shared.kit.web import db_session, principal, require_roles

blp = Blueprint("markets", __name__, url_prefix="/api/v1/markets", description="Carriers and wholesalers")
MANAGERS = ("program_manager", "admin")


@blp.route("")
class MarketCollection(MethodView):
    @blp.arguments(MarketQuerySchema, location="query")
    @blp.response(200, MarketPageSchema)
    def get(self, args):
        """List markets (by id), optionally only active ones, by kind or by a line in appetite."""
        query = select(Market).order_by(Market.id)
        if args["active"] is not None:
            query = query.where(Market.active.is_(args["active"]))
        if args["kind"]:
            query = query.where(Market.kind == args["kind"])
        key = cursor(args["after"], 1)
        if key:
            query = query.where(Market.id > key[0])
        if not args["line"]:
            rows = list(db_session().scalars(query.limit(args["limit"] + 1)))
            return page(rows, args["limit"], lambda m: [m.id])
        # Appetite is data (JSON): the line filter runs here, over a book of a few hundred markets.
        rows = [m for m in db_session().scalars(query) if args["line"] in (m.appetite or {}).get("lines", [])]
        return page(rows[:args["limit"] + 1], args["limit"], lambda m: [m.id])

    @blp.arguments(MarketCreateSchema)
    @blp.response(201, MarketSchema)
    def post(self, data):
        """Add a market (program managers and admins)."""
        require_roles(*MANAGERS)
        session = db_session()
        with domain_errors():
            market = markets.create_market(session, data, principal().actor)
        session.commit()
        return market


@blp.route("/<market_id>")
class MarketItem(MethodView):
    @blp.response(200, MarketSchema)
    def get(self, market_id):
        with domain_errors():
            return markets.get_market(db_session(), market_id)

    @blp.arguments(MarketFieldsSchema(partial=True))
    @blp.response(200, MarketSchema)
    def patch(self, changes, market_id):
        """Change some of a market's details (program managers and admins)."""
        require_roles(*MANAGERS)
        session = db_session()
        with domain_errors():
            market = markets.update_market(session, market_id, changes, principal().actor)
        session.commit()
        return market


@blp.route("/<market_id>/carriers")
class ReachCollection(MethodView):
    @blp.response(200, ReachListSchema)
    def get(self, market_id):
        """The carriers a wholesaler or MGA reaches (empty for a carrier)."""
        session = db_session()
        with domain_errors():
            markets.get_market(session, market_id)
        return {"market_id": market_id,
                "items": [appointments.reach_view(c) for c in appointments.reachable(session, market_id)]}

    @blp.arguments(ReachCreateSchema)
    @blp.response(201, ReachSchema)
    def post(self, data, market_id):
        """Add a carrier the wholesaler reaches (program managers and admins)."""
        require_roles(*MANAGERS)
        session = db_session()
        with domain_errors():
            carrier = appointments.add_reach(session, markets.get_market(session, market_id), data,
                                             principal().actor)
        session.commit()
        return appointments.reach_view(carrier)


@blp.route("/<market_id>/carriers/<int:carrier_id>")
class ReachItem(MethodView):
    @blp.response(200, ReachSchema)
    def get(self, market_id, carrier_id):
        with domain_errors():
            return appointments.reach_view(appointments.get_reach(db_session(), market_id, carrier_id))

    @blp.arguments(ReachFieldsSchema(partial=True))
    @blp.response(200, ReachSchema)
    def patch(self, changes, market_id, carrier_id):
        """Change a reachable carrier (program managers and admins)."""
        require_roles(*MANAGERS)
        session = db_session()
        with domain_errors():
            carrier = appointments.update_reach(session, appointments.get_reach(session, market_id, carrier_id),
                                                changes, principal().actor)
        session.commit()
        return appointments.reach_view(carrier)

    @blp.response(204)
    def delete(self, market_id, carrier_id):
        """Remove a reachable carrier (program managers and admins)."""
        require_roles(*MANAGERS)
        session = db_session()
        with domain_errors():
            appointments.remove_reach(session, appointments.get_reach(session, market_id, carrier_id),
                                      principal().actor)
        session.commit()

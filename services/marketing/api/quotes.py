"""Quotes: look one up, key in an emailed one, bind one."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.marketing.api.common import WRITERS, domain_errors, visible_submission
from services.marketing.api.premium_schemas import (
    BreakdownQuerySchema, CounterOfferSchema, NegotiationRoundSchema, PremiumBreakdownSchema,
)
from services.marketing.api.presenters import bind_view, quote_view
from services.marketing.api.schemas import BindRequestSchema, BindSchema, QuoteSchema
from services.marketing.domain import binding, negotiation, premium_reports, quotes
from services.marketing.domain.intake import to_json
from services.marketing.domain.markets import get_market
from services.marketing.models import Quote
from shared.contracts.carrier import QuoteSubmittedV1
from shared.kit.db import utcnow
from shared.kit.web import abort, db_session, principal, require_roles

blp = Blueprint("quotes", __name__, url_prefix="/api/v1/quotes", description="Market answers and binding")
BINDERS = ("account_manager", "producer", "program_manager", "admin")


def visible_quote(quote_id: str) -> Quote:
    quote = db_session().get(Quote, quote_id)
    if quote is None:
        abort(404, "No such quote.")
    visible_submission(quote.submission_id)
    return quote


@blp.route("")
class QuoteCollection(MethodView):
    @blp.arguments(QuoteSubmittedV1)
    @blp.response(201, QuoteSchema)
    @blp.alt_response(200, schema=QuoteSchema, description="The same quote was already received (duplicate).")
    def post(self, data):
        """Key in a quote that came by email: the carrier contract's format, validated and
        deduplicated exactly as the queue does."""
        require_roles(*WRITERS)
        submission = visible_submission(data["submission_id"])
        session = db_session()
        with domain_errors():
            market = get_market(session, data["market_id"])
        try:
            result = quotes.receive(session, to_json(data), market, channel="email",
                                    actor=principal().actor, today=utcnow().date())
        except quotes.UnknownSubmission:
            abort(409, f"Submission {submission.id} was not sent to market {market.id}.")
        if result.outcome == "rejected":
            abort(409 if result.conflict else 422, "; ".join(result.reasons))
        session.commit()
        return quote_view(session, result.quote, market), 201 if result.outcome == "accepted" else 200


@blp.route("/<quote_id>")
class QuoteItem(MethodView):
    @blp.response(200, QuoteSchema)
    def get(self, quote_id):
        quote = visible_quote(quote_id)
        return quote_view(db_session(), quote)


@blp.route("/<quote_id>/bind")
class QuoteBinding(MethodView):
    @blp.arguments(BindRequestSchema)
    @blp.response(201, BindSchema)
    def post(self, data, quote_id):
        """Order the quote bound, with its subjectivities as a checklist.  A queue market is
        sent the bind request and confirms it over the carrier contract; an email market's
        binder is keyed in (``POST /binds/<id>/confirmation``).  Once the market confirms,
        the new policy terms go to accounts, documents and compliance.  (With
        ``BIND_CONFIRMATION=immediate`` the bind is confirmed at once.)"""
        quote = visible_quote(quote_id)
        require_roles(*BINDERS)
        session = db_session()
        with domain_errors():
            bind = binding.order(session, quote, data, principal().actor, utcnow().date(),
                                 current_app.config["BIND_RULES"])
        try:
            session.commit()
        except IntegrityError:  # a concurrent bind of the same submission won
            session.rollback()
            abort(409, "The submission is already bound.")
        return bind_view(session, bind)


@blp.route("/<quote_id>/premium-breakdown")
class QuotePremiumBreakdown(MethodView):
    @blp.arguments(BreakdownQuerySchema, location="query")
    @blp.response(200, PremiumBreakdownSchema)
    def get(self, args, quote_id):
        """Per line and coverage premium, taxes, fees, the surplus line tax and stamping fee
        of a non-admitted quote, an optional broker fee, and the total the rows add up to."""
        quote = visible_quote(quote_id)
        if quote.status == "declined":
            abort(409, "A declination has no premium to break down.")
        return premium_reports.breakdown_for(db_session(), quote, args["broker_fee"])


@blp.route("/<quote_id>/counter-offer")
class QuoteCounterOffer(MethodView):
    @blp.arguments(CounterOfferSchema)
    @blp.response(201, NegotiationRoundSchema)
    def post(self, data, quote_id):
        """Counter the quote: a re-quote request (target premium, requested changes, respond-by
        date) goes to the market over the carrier contract and is kept as a negotiation round."""
        quote = visible_quote(quote_id)
        require_roles(*BINDERS)
        session = db_session()
        with domain_errors():
            round_ = negotiation.counter_offer(session, quote, data, principal().actor, utcnow().date())
        session.commit()
        quotes_so_far = session.scalars(select(Quote).where(Quote.market_id == quote.market_id,
                                                             Quote.submission_id == quote.submission_id)).all()
        return negotiation.round_view(round_, list(quotes_so_far))

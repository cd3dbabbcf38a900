"""A submission's markets once it is out: copy it to more markets (approved before they
are sent), remarket after declinations, and each market's status with its history."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.marketing.api.common import WRITERS, domain_errors, visible_submission
from services.marketing.api.lifecycle_schemas import (
    AdditionApprovalSchema, MarketAdditionSchema, MarketStatusChangeSchema, RemarketRequestSchema, RemarketSchema,
    RemarketSuggestionsSchema, SubmissionMarketDetailSchema,
)
from services.marketing.api.presenters import submission_view
from services.marketing.api.schemas import SubmissionSchema
from services.marketing.domain import carrier_messages, market_status, remarketing, submissions
from services.marketing.domain.intake import to_json
from services.marketing.models import Market, SubmissionMarket
from shared.kit.db import utcnow
from shared.kit.web import abort, db_session, principal, require_roles

blp = Blueprint("submission_markets", __name__, url_prefix="/api/v1/submissions",
                description="A sent submission's markets: more markets, remarketing, each market's status")


@blp.route("/<submission_id>/markets/additions")
class MarketAdditions(MethodView):
    @blp.arguments(MarketAdditionSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, data, submission_id):
        """Copy the sent submission to more markets: they join the list as drafts and are sent
        once a producer, program manager or admin approves them."""
        require_roles(*WRITERS)
        submission = visible_submission(submission_id)
        session = db_session()
        with domain_errors():
            remarketing.add_markets(session, submission, data["market_ids"], principal().actor)
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>/markets/additions/approve")
class MarketAdditionsApproval(MethodView):
    @blp.arguments(AdditionApprovalSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, data, submission_id):
        """Approve the markets added to the sent submission and send it to them."""
        submission = visible_submission(submission_id)
        require_roles(*submissions.APPROVERS)
        session = db_session()
        with domain_errors():
            remarketing.approve_additions(session, submission, principal().actor, utcnow().date(),
                                          data["respond_by"])
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>/remarket")
class Remarket(MethodView):
    @blp.response(200, RemarketSuggestionsSchema)
    def get(self, submission_id):
        """The markets to remarket to: eligible by appetite, ranked, not yet on the list."""
        submission = visible_submission(submission_id)
        return remarketing.suggestions(db_session(), submission)

    @blp.arguments(RemarketRequestSchema)
    @blp.response(200, RemarketSchema)
    def post(self, data, submission_id):
        """Remarket after declinations in one call: the next-ranked eligible markets (one per
        declination unless ``count`` says otherwise) join the list, awaiting approval."""
        require_roles(*WRITERS)
        submission = visible_submission(submission_id)
        session = db_session()
        with domain_errors():
            result = remarketing.remarket(session, submission, principal().actor, data["count"])
        session.commit()
        return result


def _entry(submission_id: str, market_id: str) -> tuple[SubmissionMarket, Market]:
    submission = visible_submission(submission_id)
    row = db_session().execute(
        select(SubmissionMarket, Market).join(Market, Market.id == SubmissionMarket.market_id)
        .where(SubmissionMarket.submission_id == submission.id, SubmissionMarket.market_id == market_id)).first()
    if row is None:
        abort(404, f"Market {market_id} is not on this submission's list.")
    return row[0], row[1]


def _detail(entry: SubmissionMarket, market: Market) -> dict:
    session = db_session()
    return {
        **{name: getattr(entry, name) for name in (
            "submission_id", "market_id", "status", "sent_at", "answered_at", "acknowledged_at",
            "carrier_submission_ref", "underwriter", "status_changed_at")},
        "market_name": market.name, "channel": market.channel,
        "allowed_next": sorted(market_status.TRANSITIONS.get(entry.status, ())),
        "history": [{"at": h["at"], "by": h["by"], "from_status": h["from"], "to_status": h["to"],
                     "reason": h["reason"]} for h in market_status.status_history(session, entry)],
    }


@blp.route("/<submission_id>/markets/<market_id>")
class SubmissionMarketItem(MethodView):
    @blp.response(200, SubmissionMarketDetailSchema)
    def get(self, submission_id, market_id):
        """Where one market stands on the submission, the moves it may make next, and every
        status change (when, by whom, why)."""
        return _detail(*_entry(submission_id, market_id))


@blp.route("/<submission_id>/markets/<market_id>/status")
class SubmissionMarketStatus(MethodView):
    @blp.arguments(MarketStatusChangeSchema)
    @blp.response(200, SubmissionMarketDetailSchema)
    def post(self, data, submission_id, market_id):
        """Record by hand that the market acknowledged the submission (by email or phone) or
        that it is lost; a move its status cannot make is refused (409)."""
        require_roles(*WRITERS)
        entry, market = _entry(submission_id, market_id)
        session = db_session()
        actor = principal().actor
        with domain_errors():
            if data["status"] == "acknowledged":
                carrier_messages.acknowledge(session, entry, {
                    "carrier_submission_ref": data["carrier_submission_ref"],
                    "underwriter": to_json(data["underwriter"]) if data["underwriter"] else None,
                    "note": data["reason"]}, actor, keyed=True)
            else:
                market_status.change(session, entry, "lost", actor, reason=data["reason"] or "marked lost")
        session.commit()
        return _detail(entry, market)

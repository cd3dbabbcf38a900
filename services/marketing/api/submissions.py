"""Submissions: open, choose and approve markets, send, follow the answers, compare."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.marketing.api.common import (
    WRITERS, after_ascending, after_descending, cursor, domain_errors, page, sees_everything, visible_submission,
)
from services.marketing.api.premium_schemas import NegotiationSchema, PremiumSummarySchema
from services.marketing.api.presenters import quote_view, submission_view
from services.marketing.api.schemas import (
    DocumentRequestsSchema, MarketListSchema, MarketRankingSchema, QuotePageSchema, SendSchema, SpecificationsSchema,
    SubmissionCreateSchema, SubmissionPageSchema, SubmissionQuerySchema, SubmissionSchema,
)
from services.marketing.domain import comparisons, market_ranking, negotiation, premium_reports, submissions
from services.marketing.models import Market, Quote, Submission
from shared.contracts.comparison import ComparisonSchema
from shared.contracts.pagination import PageArgsSchema
from shared.kit.db import utcnow
from shared.kit.web import abort, db_session, principal, require_roles

blp = Blueprint("submissions", __name__, url_prefix="/api/v1/submissions",
                description="Submissions to markets, their answers and the comparison")
SENDERS = ("account_manager", "producer", "program_manager", "admin")


@blp.route("")
class SubmissionCollection(MethodView):
    @blp.arguments(SubmissionQuerySchema, location="query")
    @blp.response(200, SubmissionPageSchema)
    def get(self, args):
        """Submissions in the caller's programs, newest first."""
        query = select(Submission).order_by(Submission.created_at.desc(), Submission.id.desc())
        if not sees_everything():
            query = query.where(Submission.program.in_(sorted(principal().programs)))
        for name in ("status", "client_id", "kind"):
            if args[name]:
                query = query.where(getattr(Submission, name) == args[name])
        key = cursor(args["after"], 2)
        if key:
            query = query.where(after_descending(Submission.created_at, Submission.id, key))
        session = db_session()
        rows = list(session.scalars(query.limit(args["limit"] + 1)))
        result = page(rows, args["limit"], lambda s: [s.created_at.isoformat(), s.id])
        result["items"] = [submission_view(session, s) for s in result["items"]]
        return result

    @blp.arguments(SubmissionCreateSchema)
    @blp.response(201, SubmissionSchema)
    def post(self, data):
        """Open a draft: a renewal of expiring policies, or new business for a client."""
        require_roles(*WRITERS)
        session = db_session()
        user = principal()
        with domain_errors():
            if data["kind"] == "renewal":
                submission = submissions.open_renewal(session, data["expiring_policy_ids"], user.actor,
                                                      visible=user.can_see)
            else:
                submission = submissions.open_new_business(session, data, user.actor, visible=user.can_see)
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>")
class SubmissionItem(MethodView):
    @blp.response(200, SubmissionSchema)
    def get(self, submission_id):
        """A submission with where each market on its list stands."""
        return submission_view(db_session(), visible_submission(submission_id))


@blp.route("/<submission_id>/specifications")
class SubmissionSpecifications(MethodView):
    @blp.arguments(SpecificationsSchema)
    @blp.response(200, SubmissionSchema)
    def put(self, data, submission_id):
        """Replace the requested coverages (draft only)."""
        require_roles(*WRITERS)
        submission = visible_submission(submission_id)
        session = db_session()
        with domain_errors():
            submissions.replace_specifications(session, submission, data["specifications"], principal().actor)
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>/markets")
class SubmissionMarkets(MethodView):
    @blp.arguments(MarketListSchema)
    @blp.response(200, SubmissionSchema)
    def put(self, data, submission_id):
        """Choose the markets (draft only; the list is approved before anything is sent)."""
        require_roles(*WRITERS)
        submission = visible_submission(submission_id)
        session = db_session()
        with domain_errors():
            submissions.set_markets(session, submission, data["market_ids"], principal().actor)
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>/market-ranking")
class SubmissionMarketRanking(MethodView):
    @blp.response(200, MarketRankingSchema)
    def get(self, submission_id):
        """Active markets ranked by appetite fit and history with the agency, with the reasons."""
        submission = visible_submission(submission_id)
        return market_ranking.ranking_for(db_session(), submission)


@blp.route("/<submission_id>/approve")
class SubmissionApproval(MethodView):
    @blp.response(200, SubmissionSchema)
    def post(self, submission_id):
        """Approve the market list (producer, program manager or admin)."""
        submission = visible_submission(submission_id)
        require_roles(*submissions.APPROVERS)
        session = db_session()
        with domain_errors():
            submissions.approve_markets(session, submission, principal().actor)
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>/send")
class SubmissionSending(MethodView):
    @blp.arguments(SendSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, data, submission_id):
        """Send the approved submission to every market on its list."""
        submission = visible_submission(submission_id)
        require_roles(*SENDERS)
        session = db_session()
        with domain_errors():
            submissions.send(session, submission, principal().actor, today=utcnow().date(),
                             respond_by=data["respond_by"], underwriting_notes=data["underwriting_notes"])
        session.commit()
        return submission_view(session, submission)


@blp.route("/<submission_id>/quotes")
class SubmissionQuotes(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, QuotePageSchema)
    def get(self, args, submission_id):
        """Every answer received, every revision, in order of arrival."""
        submission = visible_submission(submission_id)
        query = (select(Quote, Market).join(Market, Market.id == Quote.market_id)
                 .where(Quote.submission_id == submission.id).order_by(Quote.received_at, Quote.id))
        key = cursor(args["after"], 2)
        if key:
            query = query.where(after_ascending(Quote.received_at, Quote.id, key))
        session = db_session()
        rows = session.execute(query.limit(args["limit"] + 1)).all()
        result = page(rows, args["limit"], lambda row: [row[0].received_at.isoformat(), row[0].id])
        result["items"] = [quote_view(session, quote, market) for quote, market in result["items"]]
        return result


@blp.route("/<submission_id>/comparison")
class SubmissionComparison(MethodView):
    @blp.response(200, ComparisonSchema)
    def get(self, submission_id):
        """Each current quote against the specifications and the expiring policy, coverage by coverage."""
        submission = visible_submission(submission_id)
        return ComparisonSchema().load(comparisons.comparison_for(db_session(), submission))


@blp.route("/<submission_id>/comparison/documents")
class SubmissionComparisonDocuments(MethodView):
    @blp.response(202, DocumentRequestsSchema)
    def post(self, submission_id):
        """Render the comparison spreadsheet and the proposal again (after revisions)."""
        require_roles(*WRITERS)
        submission = visible_submission(submission_id)
        if submission.sent_at is None:
            abort(409, "The submission has not been sent; there is nothing to compare yet.")
        session = db_session()
        comparison = comparisons.comparison_for(session, submission)
        request_ids = comparisons.request_documents(session, submission, comparison, principal().actor,
                                                    utcnow().date())
        session.commit()
        return {"request_ids": request_ids}


@blp.route("/<submission_id>/premium-summary")
class SubmissionPremiumSummary(MethodView):
    @blp.response(200, PremiumSummarySchema)
    def get(self, submission_id):
        """Per line, the expiring carrier, policy number and premium against each renewal
        option's premium, with the change in amount and percent; taxes and fees on their
        own rows; totals (the spreadsheet documents renders)."""
        submission = visible_submission(submission_id)
        return premium_reports.summary_for(db_session(), submission)


@blp.route("/<submission_id>/negotiation")
class SubmissionNegotiation(MethodView):
    @blp.response(200, NegotiationSchema)
    def get(self, submission_id):
        """Per market: the counter-offer rounds, the revision chain with each revision priced
        against the one before, and the premium drift from indication to quote to bind."""
        submission = visible_submission(submission_id)
        return negotiation.negotiation_of(db_session(), submission)

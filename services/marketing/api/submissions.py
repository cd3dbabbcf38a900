"""Submissions: open, choose and approve markets, send, follow the answers, compare."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.marketing.api.common import (
    WRITERS, after_ascending, after_descending, cursor, domain_errors, page, sees_everything, visible_submission,
)
from services.marketing.api.package_schemas import SubmissionPackageSchema
from services.marketing.api.premium_schemas import NegotiationSchema, PremiumSummarySchema
from services.marketing.api.presenters import program_business, quote_view, submission_view
from services.marketing.api.schemas import (
    DocumentRequestsSchema, MarketListSchema, MarketRankingSchema, QuotePageSchema, RiskDetailsSchema, SendSchema,
    SpecificationsSchema,
    SubmissionCreateSchema, SubmissionPageSchema, SubmissionQuerySchema, SubmissionSchema,
)
from services.marketing.domain import (
    comparisons, email_channel, market_ranking, negotiation, premium_reports, submission_package, submissions,
)
from services.marketing.domain.loss_summary import loss_history, summary_of
from services.marketing.models import Market, Quote, Submission, SubmissionEmail
from shared.kit.audit import audit
from shared.contracts.comparison import ComparisonSchema
from shared.contracts.fast import strict_dumper
from shared.contracts.pagination import PageArgsSchema
from shared.kit import jsoncodec
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
            risk = {name: data[name] for name in ("class_codes", "operations") if data.get(name) is not None}
            if risk:
                submissions.set_risk_details(session, submission, risk, user.actor)
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
        return _change(submission_id, lambda session, submission, actor: submissions.replace_specifications(
            session, submission, data["specifications"], actor))


@blp.route("/<submission_id>/risk")
class SubmissionRisk(MethodView):
    @blp.arguments(RiskDetailsSchema(partial=True))
    @blp.response(200, SubmissionSchema)
    def patch(self, data, submission_id):
        """Describe the risk beyond NAICS: class codes per line (WC, GL) and the insured's
        operations, which markets' appetite (class codes, exclusions) is matched against."""
        return _change(submission_id, lambda session, submission, actor: submissions.set_risk_details(
            session, submission, data, actor))


@blp.route("/<submission_id>/markets")
class SubmissionMarkets(MethodView):
    @blp.arguments(MarketListSchema)
    @blp.response(200, SubmissionSchema)
    def put(self, data, submission_id):
        """Choose the markets (draft only; the list is approved before anything is sent)."""
        return _change(submission_id, lambda session, submission, actor: submissions.set_markets(
            session, submission, data["market_ids"], actor))


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
        """Approve the market list (producer, program manager or admin).  Program business
        (PROGRAM_BUSINESS) needs the producer's and a program manager's approval, from two
        people; the submission stays a draft, awaiting the other, after the first."""
        submission = visible_submission(submission_id)
        require_roles(*submissions.APPROVERS)
        session = db_session()
        user = principal()
        with domain_errors():
            submissions.approve_markets(session, submission, user.actor, roles=user.roles,
                                        program_business=program_business())
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
        # The comparison is computed in its JSON form: checked strictly against the schema
        # and sent as it is (loading it into Python values only for flask-smorest to dump
        # them again cost more than computing it).
        comparison = _COMPARISON_JSON(comparisons.comparison_for(db_session(), submission))
        return Response(jsoncodec.dumps(comparison), mimetype="application/json")


_COMPARISON_JSON = strict_dumper(ComparisonSchema())


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


@blp.route("/<submission_id>/package")
class SubmissionPackage(MethodView):
    @blp.response(200, SubmissionPackageSchema)
    def get(self, submission_id):
        """The package: the client's current loss history by policy year (accounts' latest
        loss summary, what the next message to a market carries), each document asked of documents (application and specifications once,
        a submission letter per market: requested, generated or failed) and the package
        email to each email-channel market (waiting, ready, sent or failed, with attempts
        and the last error)."""
        submission = visible_submission(submission_id)
        return package_view(db_session(), submission)


@blp.route("/<submission_id>/package/retry")
class SubmissionPackageRetry(MethodView):
    @blp.response(200, SubmissionPackageSchema)
    def post(self, submission_id):
        """Retry the failed package emails: documents that failed to render are asked for
        again, and each email goes out once its package is complete."""
        require_roles(*SENDERS)
        submission = visible_submission(submission_id)
        session = db_session()
        requests, market_ids = email_channel.retry(session, submission, principal().actor)
        if not market_ids:
            abort(409, "No package email of this submission has failed; there is nothing to retry.")
        audit(session, principal().actor, "submission.package_retried", "submission", submission.id,
              markets=market_ids, requests=requests)
        session.commit()
        return package_view(session, submission)


def package_view(session, submission: Submission) -> dict:
    losses = summary_of(session, submission.client_id)
    emails = session.execute(select(SubmissionEmail, Market).join(Market, Market.id == SubmissionEmail.market_id)
                             .where(SubmissionEmail.submission_id == submission.id)
                             .order_by(SubmissionEmail.created_at, SubmissionEmail.id)).all()
    return {
        "submission_id": submission.id,
        "losses_as_of": None if losses is None else losses.as_of,
        "loss_history": loss_history(losses),
        "documents": [{name: getattr(d, name) for name in (
            "request_id", "kind", "market_id", "status", "document_id", "filename", "media_type", "size_bytes",
            "download_path", "failure_reason", "requested_at", "settled_at")}
            for d in submission_package.documents_of(session, submission.id)],
        "emails": [{**{name: getattr(e, name) for name in (
            "market_id", "recipient", "subject", "message_id", "status", "attempts", "next_attempt_at", "last_error",
            "sent_at")}, "market_name": m.name} for e, m in emails],
    }


def _change(submission_id: str, change) -> dict:
    """A writer's change to a visible submission: ``change(session, submission, actor)``
    under the domain's error mapping, committed; answers the submission."""
    require_roles(*WRITERS)
    submission = visible_submission(submission_id)
    session = db_session()
    with domain_errors():
        change(session, submission, principal().actor)
    session.commit()
    return submission_view(session, submission)

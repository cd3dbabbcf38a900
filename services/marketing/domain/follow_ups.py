"""Quote-due follow-ups: a market sent a submission that has not answered by the
submission's respond-by date raises ``marketing.quote.overdue`` once per (submission,
market); accounts opens the chase activity for the account manager."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.readmodels import insured_of
from services.marketing.domain.submissions import submission_ref
from services.marketing.models import Market, QuoteOverdue, Submission, SubmissionMarket
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "marketing"
ACTOR = "service:marketing"
OPEN_SUBMISSIONS = ("sent", "quoted")


def overdue_markets(session: Session, today: date) -> list[tuple[SubmissionMarket, Submission, Market]]:
    """Markets sent an open submission, still waiting for their first answer after the
    respond-by date, not yet chased."""
    chased = select(QuoteOverdue.market_id).where(QuoteOverdue.submission_id == SubmissionMarket.submission_id,
                                                   QuoteOverdue.market_id == SubmissionMarket.market_id)
    rows = session.execute(
        select(SubmissionMarket, Submission, Market)
        .join(Submission, Submission.id == SubmissionMarket.submission_id)
        .join(Market, Market.id == SubmissionMarket.market_id)
        .where(SubmissionMarket.status.in_(("sent", "acknowledged")), SubmissionMarket.sent_at.is_not(None),
               SubmissionMarket.answered_at.is_(None), Submission.status.in_(OPEN_SUBMISSIONS),
               Submission.respond_by < today, ~chased.exists())
        .order_by(Submission.respond_by, SubmissionMarket.id)).all()
    return [(entry, submission, market) for entry, submission, market in rows]


def raise_overdue_quotes(session: Session, today: date) -> list[tuple[str, str]]:
    """Record and announce every newly overdue market; returns (submission id, market id) pairs."""
    raised = []
    for entry, submission, market in overdue_markets(session, today):
        session.add(QuoteOverdue(submission_id=submission.id, market_id=market.id,
                                 respond_by=submission.respond_by, raised_at=utcnow()))
        record_event(session, SOURCE, "marketing.quote.overdue", {
            **submission_ref(submission, market),
            "insured_name": insured_of(session, submission)["name"],
            "lines": list(submission.lines),
            "effective_date": submission.effective_date.isoformat(),
            "sent_at": entry.sent_at.isoformat(),
            "respond_by": submission.respond_by.isoformat(),
            "account_manager": submission.account_manager,
        }, subject=submission.id)
        audit(session, ACTOR, "submission.quote_overdue", "submission", submission.id, market_id=market.id,
              respond_by=submission.respond_by)
        raised.append((submission.id, market.id))
    return raised

"""Quote-due follow-ups: a market sent a submission that has not answered by the
submission's respond-by date raises ``marketing.quote.overdue`` once per (submission,
market); accounts opens the chase activity for the account manager.

Every marketing worker runs the follow-ups, so two may run them at the same moment: each
locks the market-list rows it chases (``SKIP LOCKED``: what another run, or an answer
being taken in, holds is left to it) and claims each (submission, market) by inserting its
:class:`QuoteOverdue` row with ``ON CONFLICT DO NOTHING``; only a run whose row went in
announces and audits it, so the chase activity is opened once however the runs overlap."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
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
        .order_by(Submission.respond_by, SubmissionMarket.id)
        .with_for_update(of=SubmissionMarket, skip_locked=True)).all()
    return [(entry, submission, market) for entry, submission, market in rows]


def raise_overdue_quotes(session: Session, today: date) -> list[tuple[str, str]]:
    """Record and announce every newly overdue market; returns (submission id, market id) pairs."""
    raised = []
    for entry, submission, market in overdue_markets(session, today):
        if not _claim(session, submission, market):
            continue  # another run raised it (committed after this one's read)
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


def _claim(session: Session, submission: Submission, market: Market) -> bool:
    """Record that the market is chased; False if that was already recorded (by a run that
    committed after :func:`overdue_markets` read, or one still under way: PostgreSQL waits
    for it and then skips the row if it committed)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = QuoteOverdue.__table__
    inserted = session.execute(
        dialect.insert(table)
        .values(submission_id=submission.id, market_id=market.id, respond_by=submission.respond_by,
                raised_at=utcnow())
        .on_conflict_do_nothing(index_elements=["submission_id", "market_id"])
        .returning(table.c.submission_id))
    return inserted.first() is not None

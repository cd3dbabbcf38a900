"""More markets for a submission already out: copy it to markets added to its list (the
producer's or program manager's approval still comes first), and remarket after
declinations (the next-ranked eligible markets not yet on the list)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import market_ranking, renewal, submissions
from services.marketing.domain.errors import Conflict, Invalid
from services.marketing.models import Market, Submission, SubmissionMarket
from shared.kit.audit import audit
from shared.kit.db import utcnow

CLOSED = ("bound", "closed")
MAX_REMARKET = 10


def _require_out(submission: Submission, doing: str) -> None:
    if submission.sent_at is None:
        raise Conflict(f"The submission has not been sent; change its market list instead of {doing}.")
    if submission.status in CLOSED or submission.status == "bind_requested":
        raise Conflict(f"The submission is {submission.status.replace('_', ' ')}; it is not marketed any more.")


def add_markets(session: Session, submission: Submission, market_ids: list[str], actor: str, *,
                reason: str = "copied to more markets") -> list[str]:
    """Put markets on a sent submission's list, awaiting approval (status draft)."""
    _require_out(submission, "adding to it")
    submissions.check_markets(session, market_ids, on=submission.effective_date)
    listed = set(session.scalars(select(SubmissionMarket.market_id)
                                 .where(SubmissionMarket.submission_id == submission.id)))
    already = [mid for mid in market_ids if mid in listed]
    if already:
        raise Conflict(f"Already on the submission's list: {', '.join(already)}.")
    for market_id in market_ids:
        session.add(SubmissionMarket(submission_id=submission.id, market_id=market_id, status="draft"))
    submission.updated_at = utcnow()
    audit(session, actor, "submission.markets_added", "submission", submission.id, markets=market_ids, reason=reason)
    return market_ids


def pending(session: Session, submission: Submission) -> list[tuple[SubmissionMarket, Market]]:
    return [(entry, market) for entry, market in submissions.market_list(session, submission.id)
            if entry.status == "draft"]


def approve_additions(session: Session, submission: Submission, actor: str, today: date,
                      respond_by: date | None = None) -> list[str]:
    """Approve the markets added to a sent submission and send it to them."""
    _require_out(submission, "approving additions")
    entries = pending(session, submission)
    if not entries:
        raise Conflict("No added markets are waiting for approval.")
    if respond_by is None:
        respond_by = submission.respond_by if submission.respond_by and submission.respond_by >= today else \
            renewal.default_respond_by(today, submission.effective_date)
    if respond_by < today:
        raise Invalid("respond_by is in the past.")
    submissions.send_to_markets(session, submission, entries, actor, respond_by, submission.underwriting_notes,
                                utcnow())
    submission.updated_at = utcnow()
    sent = [market.id for _entry, market in entries]
    audit(session, actor, "submission.additions_approved", "submission", submission.id, markets=sent,
          respond_by=respond_by)
    return sent


def suggestions(session: Session, submission: Submission) -> dict:
    """The ranking's eligible markets not on the list yet, best first, and the markets on
    the list that declined."""
    listed = {entry.market_id: entry.status for entry, _market in submissions.market_list(session, submission.id)}
    ranking = market_ranking.ranking_for(session, submission)
    candidates = [m for m in ranking["markets"] if m["eligible"] and m["market_id"] not in listed]
    declined = sorted(mid for mid, status in listed.items() if status == "declined")
    return {"submission_id": submission.id, "declined": declined, "suggestions": candidates}


def remarket(session: Session, submission: Submission, actor: str, count: int | None = None) -> dict:
    """Add the next ``count`` ranked markets (default: one per declination, at least one)
    to the list, awaiting approval."""
    _require_out(submission, "remarketing")
    found = suggestions(session, submission)
    wanted = count if count is not None else max(1, len(found["declined"]))
    chosen = [m["market_id"] for m in found["suggestions"][:min(wanted, MAX_REMARKET)]]
    if not chosen:
        raise Conflict("No eligible market is left to remarket to.")
    add_markets(session, submission, chosen, actor,
                reason=f"remarketed after {len(found['declined'])} declinations")
    return {**found, "added": chosen}

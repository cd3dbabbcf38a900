"""Quotes past their valid-until date: a current, unbound quote or indication whose date
has passed is marked expired (and its market too, unless it has moved on), once; it can
no longer be bound.  A new revision from the market revives it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import market_status
from services.marketing.models import Bind, Quote, Submission, SubmissionMarket
from shared.kit.audit import audit
from shared.kit.db import utcnow

ACTOR = "service:marketing"
EXPIRING = ("quoted", "indication")


def expire_quotes(session: Session, today: date, actor: str = ACTOR) -> list[str]:
    """Mark every quote that expired before ``today``; returns their ids."""
    ordered = select(Bind.id).where(Bind.quote_id == Quote.id)
    rows = session.execute(
        select(Quote, SubmissionMarket)
        .join(Submission, Submission.id == Quote.submission_id)
        .join(SubmissionMarket, (SubmissionMarket.submission_id == Quote.submission_id)
              & (SubmissionMarket.market_id == Quote.market_id))
        .where(Quote.is_current.is_(True), Quote.status.in_(EXPIRING), Quote.valid_until < today,
               Quote.expired_at.is_(None), Submission.status.not_in(("bound", "closed")), ~ordered.exists())
        .order_by(Quote.valid_until, Quote.id)).all()
    now = utcnow()
    expired = []
    for quote, entry in rows:
        quote.expired_at = now
        if market_status.allowed(entry.status, "expired"):
            market_status.change(session, entry, "expired", actor,
                                 reason=f"quote {quote.carrier_quote_ref} valid until {quote.valid_until.isoformat()}",
                                 quote_id=quote.id)
        audit(session, actor, "quote.expired", "quote", quote.id, submission_id=quote.submission_id,
              market_id=quote.market_id, valid_until=quote.valid_until)
        expired.append(quote.id)
    return expired

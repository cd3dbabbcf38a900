"""Quotes past their valid-until date: a current, unbound quote or indication whose date
has passed is marked expired (and its market too, unless it has moved on), once; it can
no longer be bound.  A new revision from the market revives it.  Each expiry is announced
(``marketing.quote.expired``) so the account manager can ask the market to re-validate or
re-quote.

Every marketing worker runs the expiry, so two may run it at the same moment: the quotes
and market-list rows are locked as they are read (``SKIP LOCKED``), so a quote another run
(or an answer being taken in) holds is left to it, and a quote expired by a run that
committed after this one's read is dropped (PostgreSQL re-checks ``expired_at IS NULL`` on
the row it locks); each expiry is audited and announced once.  Never waiting for a lock,
the expiry cannot take part in a deadlock with the intake."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import market_status
from services.marketing.models import BIND_ENDED, Bind, ClientView, Market, Quote, Submission, SubmissionMarket
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

ACTOR = "service:marketing"
EXPIRING = ("quoted", "indication")


def expire_quotes(session: Session, today: date, actor: str = ACTOR) -> list[str]:
    """Mark every quote that expired before ``today``; returns their ids."""
    ordered = select(Bind.id).where(Bind.quote_id == Quote.id, Bind.status.not_in(BIND_ENDED))
    rows = session.execute(
        select(Quote, SubmissionMarket)
        .join(Submission, Submission.id == Quote.submission_id)
        .join(SubmissionMarket, (SubmissionMarket.submission_id == Quote.submission_id)
              & (SubmissionMarket.market_id == Quote.market_id))
        .where(Quote.is_current.is_(True), Quote.status.in_(EXPIRING), Quote.valid_until < today,
               Quote.expired_at.is_(None), Submission.status.not_in(("bound", "closed")), ~ordered.exists())
        .order_by(Quote.valid_until, Quote.id)
        .with_for_update(of=(Quote, SubmissionMarket), skip_locked=True)).all()
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
        _announce(session, quote)
        expired.append(quote.id)
    return expired


def _announce(session: Session, quote: Quote) -> None:
    submission = session.get(Submission, quote.submission_id)
    market = session.get(Market, quote.market_id)
    client = session.get(ClientView, submission.client_id)
    record_event(session, "marketing", "marketing.quote.expired", {
        "submission_id": submission.id, "client_id": submission.client_id, "program": submission.program,
        "market_id": market.id, "market_name": market.name, "quote_id": quote.id,
        "carrier_quote_ref": quote.carrier_quote_ref, "revision": quote.revision, "status": quote.status,
        "valid_until": quote.valid_until.isoformat(),
        "total_cost": {"amount": f"{quote.total_cost:.2f}", "currency": quote.currency},
        "insured_name": (submission.insured or {}).get("name") or (client.name if client else submission.client_id),
        "effective_date": (quote.effective_date or submission.effective_date).isoformat(),
        "account_manager": submission.account_manager or (client.account_manager if client else None),
    }, subject=submission.id)

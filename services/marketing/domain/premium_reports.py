"""The premium summary of a submission and the premium breakdown of a quote, read from
the database (the surplus lines charges a non-admitted option carries come from the
surplus lines rules, exactly as the comparison shows them)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.comparisons import quote_input
from services.marketing.domain.premiums import premium_breakdown, premium_summary
from services.marketing.domain.readmodels import insured_of
from services.marketing.domain.surplus_lines_binds import comparison_fees, home_state
from services.marketing.models import Market, Quote, Submission


def summary_for(session: Session, submission: Submission) -> dict:
    rows = session.execute(
        select(Quote, Market).join(Market, Market.id == Quote.market_id)
        .where(Quote.submission_id == submission.id, Quote.is_current.is_(True), Quote.status != "declined")
        .order_by(Quote.received_at, Quote.id)).all()
    state = home_state(session, submission)
    options = [quote_input(quote, market, comparison_fees(quote, submission, state)) for quote, market in rows]
    currency = rows[0][0].currency if rows else "USD"
    return {"submission_id": submission.id, "insured_name": insured_of(session, submission)["name"],
            "effective_date": submission.effective_date, "expiration_date": submission.expiration_date,
            **premium_summary(list(submission.lines), submission.expiring, options, currency)}


def breakdown_for(session: Session, quote: Quote, broker_fee: Decimal | None) -> dict:
    submission = session.get(Submission, quote.submission_id)
    market = session.get(Market, quote.market_id)
    fees = comparison_fees(quote, submission, home_state(session, submission))
    carrier_fees, added = fees[:len(quote.taxes_fees)], fees[len(quote.taxes_fees):]
    return {"quote_id": quote.id, "submission_id": submission.id, "market_id": market.id,
            "market_name": market.name, "carrier_name": quote.carrier_name or market.carrier_name,
            "admitted": quote.admitted, "status": quote.status, "revision": quote.revision,
            **premium_breakdown(quote.lines, carrier_fees, added, broker_fee, quote.currency)}

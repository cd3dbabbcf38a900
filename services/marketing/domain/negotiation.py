"""Negotiation: a counter-offer on a market's quote goes to the market as a re-quote
request over the outbound carrier contract (kind "requote", the same route as the first
send) and is kept as a numbered round on the submission's market; the market answers with
a new revision through the ordinary intake.  The negotiation view shows the rounds, the
revision chain and the premium drift from indication to quote to bind."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.marketing.domain.errors import Conflict, Invalid
from services.marketing.domain.premiums import change, money
from services.marketing.domain.readmodels import insured_of
from services.marketing.domain.submissions import market_list, request_quote, requested_lines
from services.marketing.models import Bind, Market, NegotiationRound, Quote, Submission, SubmissionMarket
from shared.kit.audit import audit
from shared.kit.db import utcnow

CLOSED = ("bound", "closed")


def counter_offer(session: Session, quote: Quote, offer: dict, actor: str, today: date) -> NegotiationRound:
    """``offer``: target_premium (money JSON with Decimal amount), requested_changes, respond_by."""
    submission = session.get(Submission, quote.submission_id)
    market = session.get(Market, quote.market_id)
    entry = _check_negotiable(session, quote, submission, market, offer, today)
    target = Decimal(offer["target_premium"]["amount"])
    number = 1 + session.scalar(select(func.count()).select_from(NegotiationRound)
                                .where(NegotiationRound.submission_market_id == entry.id))
    round_ = NegotiationRound(
        id=str(uuid.uuid4()), submission_market_id=entry.id, submission_id=submission.id, market_id=market.id,
        quote_id=quote.id, round_number=number, currency=quote.currency, quoted_premium=quote.premium,
        target_premium=target, requested_changes=list(offer["requested_changes"]), respond_by=offer["respond_by"],
        requested_by=actor, requested_at=utcnow())
    session.add(round_)
    request_quote(session, submission, market, {
        "kind": "requote",
        "insured": insured_of(session, submission),
        "lines": _lines_to_requote(submission, quote),
        "target_premium": money(target, quote.currency),
        "underwriting_notes": requote_letter(quote, round_),
        "respond_by": round_.respond_by.isoformat(),
    })
    submission.updated_at = round_.requested_at
    audit(session, actor, "quote.counter_offered", "quote", quote.id, submission_id=submission.id,
          market_id=market.id, round_number=number, target_premium=target, requested_changes=round_.requested_changes,
          respond_by=round_.respond_by)
    return round_


def _check_negotiable(session: Session, quote: Quote, submission: Submission, market: Market, offer: dict,
                      today: date) -> SubmissionMarket:
    if quote.status == "declined":
        raise Conflict("The market declined; there is no quote to counter. Remarket instead.")
    if not quote.is_current:
        raise Conflict(f"Revision {quote.revision} has been superseded; counter the current revision.")
    if submission.status in CLOSED:
        raise Conflict(f"The submission is {submission.status}; nothing is negotiated any more.")
    if market.channel != "queue" or not market.active:
        raise Conflict(f"Market {market.id} cannot take a re-quote request over the carrier contract.")
    if offer["target_premium"].get("currency", "USD") != quote.currency:
        raise Invalid(f"The target premium must be in the quote's currency ({quote.currency}).")
    if offer["respond_by"] < today:
        raise Invalid("respond_by is in the past.")
    if offer["respond_by"] >= submission.effective_date:
        raise Invalid("respond_by must fall before the policy takes effect.")
    entry = next((e for e, _m in market_list(session, submission.id) if e.market_id == market.id), None)
    if entry is None or entry.sent_at is None:
        raise Conflict(f"The submission was not sent to market {market.id}.")
    return entry


def _lines_to_requote(submission: Submission, quote: Quote) -> list[dict]:
    quoted = {line["line_of_business"] for line in quote.lines}
    return [line for line in requested_lines(submission) if line["line_of_business"] in quoted] \
        or requested_lines(submission)


def requote_letter(quote: Quote, round_: NegotiationRound) -> str:
    """What the underwriter reads: which quote is countered, the target and the changes."""
    text = (f"Re-quote request (round {round_.round_number}) on your quote {quote.carrier_quote_ref} revision "
            f"{quote.revision}, premium {quote.premium:.2f} {quote.currency}: our target premium is "
            f"{round_.target_premium:.2f} {round_.currency}. Please answer with a revision of the same quote "
            f"reference by {round_.respond_by.isoformat()}.")
    if round_.requested_changes:
        text += "\nRequested changes:\n" + "\n".join(f"- {c}" for c in round_.requested_changes)
    return text


# -- the negotiation view -----------------------------------------------------------------

def negotiation_of(session: Session, submission: Submission) -> dict:
    quotes = list(session.scalars(select(Quote).where(Quote.submission_id == submission.id)
                                  .order_by(Quote.received_at, Quote.id)))
    rounds = list(session.scalars(select(NegotiationRound).where(NegotiationRound.submission_id == submission.id)
                                  .order_by(NegotiationRound.round_number)))
    bound_quote_id = session.scalar(select(Bind.quote_id).where(Bind.submission_id == submission.id,
                                                                Bind.status == "bound"))
    markets = []
    for entry, market in market_list(session, submission.id):
        mine = [q for q in quotes if q.market_id == market.id]
        my_rounds = [r for r in rounds if r.market_id == market.id]
        if not mine and not my_rounds:
            continue
        markets.append({"market_id": market.id, "market_name": market.name, "status": entry.status,
                        "rounds": [round_view(r, mine) for r in my_rounds],
                        "revisions": revision_chain(mine),
                        "drift": premium_drift(mine, bound_quote_id)})
    return {"submission_id": submission.id, "markets": markets}


def round_view(round_: NegotiationRound, quotes: list[Quote]) -> dict:
    countered = next(q for q in quotes if q.id == round_.quote_id)
    answer = next((q for q in quotes if _after(q.received_at, round_.requested_at)), None)
    return {"id": round_.id, "round_number": round_.round_number, "quote_id": countered.id,
            "carrier_quote_ref": countered.carrier_quote_ref, "revision": countered.revision,
            "quoted_premium": money(round_.quoted_premium, round_.currency),
            "target_premium": money(round_.target_premium, round_.currency),
            "requested_changes": round_.requested_changes, "respond_by": round_.respond_by,
            "requested_by": round_.requested_by, "requested_at": round_.requested_at,
            "answered_by_quote_id": answer.id if answer else None}


def _after(received: datetime, requested: datetime) -> bool:
    return received > requested


def revision_chain(quotes: list[Quote]) -> list[dict]:
    """Every answer of one market in order of arrival, each priced against the one before."""
    chain, previous = [], None
    for quote in quotes:
        priced = quote.status != "declined"
        chain.append({
            "quote_id": quote.id, "carrier_quote_ref": quote.carrier_quote_ref, "revision": quote.revision,
            "status": quote.status, "is_current": quote.is_current, "supersedes_id": quote.supersedes_id,
            "premium": money(quote.premium, quote.currency), "total_cost": money(quote.total_cost, quote.currency),
            "received_at": quote.received_at,
            "change_from_previous": change(previous, quote.premium, quote.currency) if priced else None,
        })
        if priced:
            previous = quote.premium
    return chain


def premium_drift(quotes: list[Quote], bound_quote_id: str | None) -> dict:
    """Indication (the first) -> firm quote (the first) -> bound premium, in amount and percent."""
    currency = quotes[0].currency if quotes else "USD"
    indication = next((q.premium for q in quotes if q.status == "indication"), None)
    firm = next((q.premium for q in quotes if q.status == "quoted"), None)
    bound = next((q.premium for q in quotes if q.id == bound_quote_id), None)
    shown = lambda amount: None if amount is None else money(amount, currency)  # noqa: E731
    return {"indication": shown(indication), "quote": shown(firm), "bound": shown(bound),
            "indication_to_quote": change(indication, firm, currency),
            "quote_to_bound": change(firm, bound, currency),
            "indication_to_bound": change(indication, bound, currency)}

"""Binding: the bind order on the chosen quote with its subjectivities checklist, the bind
request to the market, the market's confirmation, and then ``marketing.policy.bound`` with
the full coverage records accounts, documents and compliance act on.

Life of a bind order (:class:`~services.marketing.models.Bind`)::

    awaiting_subjectivities   only when subjectivities are required before binding: the
                              request waits until every item is received or waived
    requested                 the order is out: a queue market got carrier.bind.requested
                              and confirms with carrier.bind.confirmed; an email market's
                              binder is keyed in (POST /binds/<id>/confirmation)
    bound                     the market confirmed (binder number, effective date, any
                              changes): the market is bound, every other market lost
    declined                  the market refused to bind (carrier.bind.declined, or keyed
                              in): the market stands declined, the submission is open again
    cancelled                 the agency withdrew the order before the market confirmed it
                              (a queue market is told with carrier.bind.cancelled): the
                              market is back to quoted and the quote may be bound again

Every step is announced for the account manager: ``marketing.bind.requested`` (with the
date the binder is due), ``marketing.bind.declined``, ``marketing.bind.cancelled`` and, once
confirmed, ``marketing.policy.bound``.

Configuration (``MARKETING_<NAME>`` wins over ``<NAME>``):

* ``BIND_CONFIRMATION``: ``market`` (default) as above; ``immediate`` binds as soon as the
  order is placed, with provisional policy numbers and no binder from the market.
* ``BIND_REQUIRES_SUBJECTIVITIES``: ``1``/``true`` holds the bind request (and refuses a
  confirmation) while any subjectivity is open; by default they are tracked but do not
  hold the bind (post-bind subjectivities are common).
* ``BINDER_DUE_DAYS``: how many days after the request the market's binder is due (3).
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import market_status, surplus_lines_binds
from services.marketing.domain.comparisons import AGENCY
from services.marketing.domain.errors import Conflict, Invalid, NotFound
from services.marketing.domain.readmodels import insured_of
from services.marketing.domain.surplus_lines import DEFAULT_DECLINATIONS
from services.marketing.models import (
    BIND_ENDED, Bind, BindSubjectivity, ClientView, Market, Quote, Submission, SubmissionMarket,
)
from shared.contracts.carrier_binding import BIND_CANCELLED_TYPE, BIND_REQUESTED_TYPE
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event
from shared.kit.topology import CARRIER_OUTBOUND, CARRIER_REPLIES, outbound_routing_key

SOURCE = "marketing"
CONFIRMATIONS = ("market", "immediate")
CLOSED = ("bound", "closed")
RESOLVED = ("received", "waived")
OPEN = ("awaiting_subjectivities", "requested")  # an order the market has not answered yet
DEFAULT_BINDER_DUE_DAYS = 3


@dataclass(frozen=True)
class BindRules:
    confirmation: str = "market"
    require_subjectivities: bool = False
    declinations_required: int = DEFAULT_DECLINATIONS
    binder_due_days: int = DEFAULT_BINDER_DUE_DAYS


def rules_from_env(declinations_required: int = DEFAULT_DECLINATIONS, environ: dict | None = None) -> BindRules:
    env = os.environ if environ is None else environ

    def setting(name: str) -> str | None:
        return env.get(f"MARKETING_{name}") or env.get(name)

    confirmation = (setting("BIND_CONFIRMATION") or "market").strip().lower()
    if confirmation not in CONFIRMATIONS:
        raise ValueError(f"BIND_CONFIRMATION must be one of {', '.join(CONFIRMATIONS)}, not {confirmation!r}")
    required = (setting("BIND_REQUIRES_SUBJECTIVITIES") or "").strip().lower() in ("1", "true", "yes")
    due = (setting("BINDER_DUE_DAYS") or str(DEFAULT_BINDER_DUE_DAYS)).strip()
    if not due.isdigit() or not 0 < int(due) <= 90:
        raise ValueError(f"BINDER_DUE_DAYS must be a whole number of days from 1 to 90, not {due!r}")
    return BindRules(confirmation, required, declinations_required, int(due))


@dataclass(frozen=True)
class Confirmation:
    binder_number: str | None
    effective_date: date
    expiration_date: date | None
    policy_numbers: dict
    changes: list


# -- the order ------------------------------------------------------------------------

def order(session: Session, quote: Quote, data: dict, actor: str, today: date, rules: BindRules) -> Bind:
    """Place the bind order on ``quote`` (``data``: policy_numbers, payment_plan,
    instructions); a non-admitted quote only on a complete diligent search."""
    submission = session.get(Submission, quote.submission_id)
    entry = _entry(session, submission.id, quote.market_id)
    check_bindable(session, quote, submission, entry, today)
    declinations = None if quote.admitted else surplus_lines_binds.check_diligent_search(
        session, quote, rules.declinations_required)
    lines = [line["line_of_business"] for line in quote.lines]
    given = data.get("policy_numbers") or {}
    stray = sorted(set(given) - set(lines))
    if stray:
        raise Invalid(f"Policy numbers given for lines the quote does not cover: {', '.join(stray)}.")
    plan = data.get("payment_plan")
    plans = [p["name"] for p in quote.payment_plans or []]
    if plan is not None and plan not in plans:
        raise Invalid(f"The quote offers no payment plan {plan!r}" + (f" (it offers: {', '.join(plans)})." if plans else "."))
    market = session.get(Market, quote.market_id)
    numbers = {line: given.get(line) or provisional_number(market, line, submission) for line in lines}
    now = utcnow()
    bind = Bind(id=str(uuid.uuid4()), quote_id=quote.id, submission_id=submission.id, policy_numbers=numbers,
                bound_by=actor, bound_at=now, status="requested", payment_plan=plan,
                instructions=data.get("instructions"), changes=[])
    session.add(bind)
    session.flush()  # the checklist and the placement refer to the bind
    for position, text in enumerate(quote.subjectivities or [], start=1):
        session.add(BindSubjectivity(bind_id=bind.id, position=position, text=text, status="open"))
    if declinations is not None:
        surplus_lines_binds.record_placement(session, bind, quote, submission, declinations,
                                             rules.declinations_required, AGENCY["license_number"], actor)
    submission.status = "bind_requested"
    submission.updated_at = now
    audit(session, actor, "bind.ordered", "bind", bind.id, quote_id=quote.id, submission_id=submission.id,
          market_id=market.id, policy_numbers=numbers, payment_plan=plan,
          subjectivities=list(quote.subjectivities or []))
    session.flush()
    _advance(session, bind, quote, submission, market, entry, actor, rules)
    return bind


def check_bindable(session: Session, quote: Quote, submission: Submission, entry: SubmissionMarket | None,
                   today: date) -> None:
    if quote.status == "declined":
        raise Conflict("A declined quote cannot be bound.")
    if quote.status != "quoted":
        raise Conflict(f"An {quote.status} is not bindable; ask the market for a firm quote.")
    if not quote.is_current:
        raise Conflict(f"Revision {quote.revision} has been superseded; bind the current revision.")
    if quote.expired_at is not None or (quote.valid_until is not None and quote.valid_until < today):
        raise Conflict(f"The quote expired on {quote.valid_until.isoformat() if quote.valid_until else 'its valid-until date'}.")
    existing = live_bind(session, submission.id)
    if submission.status in CLOSED or existing is not None:
        state = "bound" if existing is None or existing.status == "bound" else f"being bound (bind {existing.id})"
        raise Conflict(f"The submission is already {state}.")
    if entry is not None and not market_status.allowed(entry.status, "bind_requested"):
        raise Conflict(f"Market {entry.market_id} is {entry.status}; its quote cannot be bound.")


def _advance(session: Session, bind: Bind, quote: Quote, submission: Submission, market: Market,
             entry: SubmissionMarket | None, actor: str, rules: BindRules) -> None:
    """Move the order on as far as it can go: held for subjectivities, requested of the
    market, or (``immediate``) bound at once."""
    if rules.require_subjectivities and open_items(session, bind.id):
        bind.status = "awaiting_subjectivities"
        return
    if rules.confirmation == "immediate":
        period = _period(quote, submission)
        bound(session, bind, quote, submission, market, actor, "immediate",
              Confirmation(None, period[0], period[1], {}, []))
        return
    bind.status = "requested"
    bind.requested_at = utcnow()
    if entry is not None:
        market_status.change(session, entry, "bind_requested", actor, reason=f"bind {bind.id} ordered",
                             bind_id=bind.id)
    if market.channel == "queue":
        _request(session, bind, quote, submission, market, actor)
    binder_due = bind.requested_at.date() + timedelta(days=rules.binder_due_days)
    record_event(session, SOURCE, "marketing.bind.requested", {
        **_bind_ref(session, bind, quote, submission, market), "channel": market.channel,
        "total_cost": {"amount": f"{quote.total_cost:.2f}", "currency": quote.currency},
        "effective_date": _period(quote, submission)[0].isoformat(), "requested_by": bind.bound_by,
        "requested_at": bind.requested_at.isoformat(), "binder_due": binder_due.isoformat(),
    }, subject=submission.id)
    audit(session, actor, "bind.requested", "bind", bind.id, market_id=market.id, channel=market.channel,
          binder_due=binder_due)


def _request(session: Session, bind: Bind, quote: Quote, submission: Submission, market: Market, actor: str) -> None:
    """carrier.bind.requested to the market's own queue, through the outbox."""
    start, end = _period(quote, submission)
    items = checklist(session, bind.id)
    record_event(session, SOURCE, BIND_REQUESTED_TYPE, {
        "bind_id": bind.id, "submission_id": submission.id, "market_id": market.id,
        "carrier_quote_ref": quote.carrier_quote_ref, "revision": quote.revision,
        "insured": insured_of(session, submission),
        "period": {"effective_date": start.isoformat(), "expiration_date": end.isoformat()},
        "lines": quote.lines,
        "forms": quote.forms or [],
        "exclusions": quote.exclusions or [],
        "total_cost": {"amount": f"{quote.total_cost:.2f}", "currency": quote.currency},
        "payment_plan": bind.payment_plan,
        "policy_numbers": {},
        "subjectivities": [{"text": i.text, "status": i.status, "note": i.note} for i in items],
        "instructions": bind.instructions,
        "requested_by": actor,
        "reply_to": {"exchange": CARRIER_REPLIES.name, "routing_key": market.id},
    }, subject=submission.id, exchange=CARRIER_OUTBOUND.name, routing_key=outbound_routing_key(market.id))


# -- the subjectivities checklist -----------------------------------------------------

def checklist(session: Session, bind_id: str) -> list[BindSubjectivity]:
    return list(session.scalars(select(BindSubjectivity).where(BindSubjectivity.bind_id == bind_id)
                                .order_by(BindSubjectivity.position)))


def open_items(session: Session, bind_id: str) -> list[BindSubjectivity]:
    return [item for item in checklist(session, bind_id) if item.status not in RESOLVED]


def resolve(session: Session, bind: Bind, item_id: int, status: str, note: str | None, actor: str,
            rules: BindRules) -> BindSubjectivity:
    """Mark one subjectivity received or waived (who and when kept); the last one to be
    resolved sends a held bind request on."""
    if status not in RESOLVED:
        raise Invalid(f"A subjectivity is {' or '.join(RESOLVED)}.")
    item = session.get(BindSubjectivity, item_id)
    if item is None or item.bind_id != bind.id:
        raise NotFound("No such subjectivity on this bind.")
    if item.status == status and item.note == note:
        return item
    previous = item.status
    item.status, item.note, item.resolved_by, item.resolved_at = status, note, actor, utcnow()
    audit(session, actor, "bind.subjectivity_resolved", "bind", bind.id, item=item.position, text=item.text,
          previous=previous, status=status, note=note)
    session.flush()
    if bind.status == "awaiting_subjectivities" and not open_items(session, bind.id):
        quote = session.get(Quote, bind.quote_id)
        submission = session.get(Submission, bind.submission_id)
        _advance(session, bind, quote, submission, session.get(Market, quote.market_id),
                 _entry(session, submission.id, quote.market_id), actor, rules)
    return item


# -- the market's confirmation --------------------------------------------------------

def confirm(session: Session, bind: Bind, data: dict, actor: str, channel: str, rules: BindRules) -> bool:
    """The market's binder (``data``: binder_number, effective_date, expiration_date,
    policy_numbers, changes; dates as ``date``).  Returns False when the same binder was
    already recorded (a re-sent confirmation), True when the bind is now bound."""
    if bind.status == "bound":
        if bind.binder_number is not None and bind.binder_number == data.get("binder_number"):
            return False
        raise Conflict("The bind is already confirmed" + (f" with binder {bind.binder_number}." if bind.binder_number else "."))
    if bind.status == "awaiting_subjectivities":
        raise Conflict("The bind request has not gone to the market: subjectivities are still open.")
    if bind.status in BIND_ENDED:
        raise Conflict(f"The bind order was {bind.status} on {bind.ended_at:%Y-%m-%d}: {bind.ended_reason}")
    if rules.require_subjectivities:
        waiting = open_items(session, bind.id)
        if waiting:
            raise Conflict(f"{len(waiting)} subjectivities are still open: {'; '.join(i.text for i in waiting)}.")
    quote = session.get(Quote, bind.quote_id)
    submission = session.get(Submission, bind.submission_id)
    lines = [line["line_of_business"] for line in quote.lines]
    numbers = data.get("policy_numbers") or {}
    stray = sorted(set(numbers) - set(lines))
    if stray:
        raise Invalid(f"Policy numbers given for lines that were not bound: {', '.join(stray)}.")
    effective = data["effective_date"]
    start, end = _period(quote, submission)
    expiration = data.get("expiration_date") or same_term(start, end, effective)
    if expiration <= effective:
        raise Invalid("The term must end after it starts.")
    bound(session, bind, quote, submission, session.get(Market, quote.market_id), actor, channel,
          Confirmation(data["binder_number"], effective, expiration, numbers, list(data.get("changes") or [])))
    return True


def bound(session: Session, bind: Bind, quote: Quote, submission: Submission, market: Market, actor: str,
          channel: str, confirmation: Confirmation) -> None:
    """The bind is confirmed: the market bound, every other market lost, the submission
    bound, and the new terms announced."""
    now = utcnow()
    bind.status = "bound"
    bind.binder_number = confirmation.binder_number
    bind.effective_date, bind.expiration_date = confirmation.effective_date, confirmation.expiration_date
    bind.changes = confirmation.changes
    bind.policy_numbers = {**bind.policy_numbers, **confirmation.policy_numbers}
    bind.confirmed_by, bind.confirmed_at, bind.confirmation_channel = actor, now, channel
    for entry in session.scalars(select(SubmissionMarket).where(SubmissionMarket.submission_id == submission.id)
                                 .order_by(SubmissionMarket.id)):
        if entry.market_id == market.id:
            market_status.change(session, entry, "bound", actor, reason=f"bind {bind.id} confirmed", bind_id=bind.id)
        elif entry.status in market_status.LOSES_ON_BIND:
            market_status.change(session, entry, "lost", actor, reason=f"bound with {market.id}", bind_id=bind.id)
    submission.status = "bound"
    submission.updated_at = now
    client = session.get(ClientView, submission.client_id)
    record_event(session, SOURCE, "marketing.policy.bound", {
        "bind_id": bind.id, "quote_id": quote.id, "submission_id": submission.id,
        "insured": insured_of(session, submission),
        "policies": bound_policies(quote, market, submission, bind),
        "bound_by": bind.bound_by,
        "account_manager": submission.account_manager or (client.account_manager if client else None),
    }, subject=submission.id)
    audit(session, actor, "quote.bound", "quote", quote.id, bind_id=bind.id, submission_id=submission.id,
          policy_numbers=bind.policy_numbers, binder_number=bind.binder_number, channel=channel,
          effective_date=bind.effective_date, changes=bind.changes)


# -- the order ends unbound -----------------------------------------------------------

def decline(session: Session, bind: Bind, reason: str, actor: str, channel: str) -> bool:
    """The market refuses to bind (carrier.bind.declined, or keyed in for an email market):
    the order ends, the market stands declined with its reason and the submission is open
    for another market's quote.  Returns False for the same refusal again (a re-sent
    message: nothing changes)."""
    if bind.status == "declined":
        if bind.ended_reason == reason:
            return False
        raise Conflict(f"The market already declined to bind: {bind.ended_reason}")
    _check_open(bind, "declined")
    quote, submission, market, entry = _parts(session, bind)
    _end(session, bind, "declined", reason, actor)
    if entry is not None and entry.status != "declined":
        market_status.change(session, entry, "declined", actor, reason=f"refused to bind: {reason}", bind_id=bind.id)
    _reopen(submission)
    record_event(session, SOURCE, "marketing.bind.declined", {
        **_bind_ref(session, bind, quote, submission, market), "reason": reason, "declined_by": actor,
        "declined_at": bind.ended_at.isoformat(),
    }, subject=submission.id)
    audit(session, actor, "bind.declined", "bind", bind.id, market_id=market.id, reason=reason, channel=channel)
    return True


def cancel(session: Session, bind: Bind, reason: str, actor: str) -> Bind:
    """The agency withdraws an order the market has not confirmed: the market is told
    (carrier.bind.cancelled, when the request went over the queue), goes back to quoted,
    and the quote may be bound again (or another one)."""
    _check_open(bind, "cancelled")
    quote, submission, market, entry = _parts(session, bind)
    was_sent = bind.status == "requested" and market.channel == "queue"
    _end(session, bind, "cancelled", reason, actor)
    if entry is not None and entry.status == "bind_requested":
        market_status.change(session, entry, "quoted", actor, reason=f"bind {bind.id} cancelled: {reason}",
                             bind_id=bind.id)
    _reopen(submission)
    if was_sent:
        record_event(session, SOURCE, BIND_CANCELLED_TYPE, {
            "bind_id": bind.id, "submission_id": submission.id, "market_id": market.id,
            "carrier_quote_ref": quote.carrier_quote_ref, "revision": quote.revision, "reason": reason,
            "cancelled_by": actor,
            "reply_to": {"exchange": CARRIER_REPLIES.name, "routing_key": market.id},
        }, subject=submission.id, exchange=CARRIER_OUTBOUND.name, routing_key=outbound_routing_key(market.id))
    record_event(session, SOURCE, "marketing.bind.cancelled", {
        **_bind_ref(session, bind, quote, submission, market), "reason": reason, "cancelled_by": actor,
        "cancelled_at": bind.ended_at.isoformat(),
    }, subject=submission.id)
    audit(session, actor, "bind.cancelled", "bind", bind.id, market_id=market.id, reason=reason,
          market_told=was_sent)
    return bind


def _check_open(bind: Bind, ending: str) -> None:
    if bind.status == "bound":
        raise Conflict(f"The market already bound it (binder {bind.binder_number or 'keyed in'}); "
                       "a bound policy is cancelled on the policy, not the bind order.")
    if bind.status in BIND_ENDED:
        raise Conflict(f"The bind order was already {bind.status}: {bind.ended_reason}")
    if bind.status not in OPEN:
        raise Conflict(f"A {bind.status} bind order cannot be {ending}.")


def _end(session: Session, bind: Bind, status: str, reason: str, actor: str) -> None:
    bind.status, bind.ended_reason, bind.ended_by, bind.ended_at = status, reason, actor, utcnow()
    session.flush()  # the live-order indexes let the submission be bound again


def _reopen(submission: Submission) -> None:
    if submission.status == "bind_requested":
        submission.status = "quoted"
        submission.updated_at = utcnow()


def _parts(session: Session, bind: Bind) -> tuple[Quote, Submission, Market, SubmissionMarket | None]:
    quote = session.get(Quote, bind.quote_id)
    submission = session.get(Submission, bind.submission_id)
    return quote, submission, session.get(Market, quote.market_id), _entry(session, submission.id, quote.market_id)


def _bind_ref(session: Session, bind: Bind, quote: Quote, submission: Submission, market: Market) -> dict:
    client = session.get(ClientView, submission.client_id)
    return {
        "submission_id": submission.id, "client_id": submission.client_id, "program": submission.program,
        "market_id": market.id, "market_name": market.name, "bind_id": bind.id, "quote_id": quote.id,
        "carrier_quote_ref": quote.carrier_quote_ref, "revision": quote.revision,
        "insured_name": (submission.insured or {}).get("name") or (client.name if client else submission.client_id),
        "account_manager": submission.account_manager or (client.account_manager if client else None),
    }


def live_bind(session: Session, submission_id: str) -> Bind | None:
    """The submission's bind order that is neither declined nor cancelled, if any."""
    return session.scalar(select(Bind).where(Bind.submission_id == submission_id, Bind.status.not_in(BIND_ENDED)))


def bound_policies(quote: Quote, market: Market, submission: Submission, bind: Bind) -> list[dict]:
    """The new policy terms, one per bound line, with the quote's coverage records and
    the period the market confirmed."""
    expiring = {line["line_of_business"]: line for line in submission.expiring}
    start, end = _period(quote, submission)
    period = {"effective_date": (bind.effective_date or start).isoformat(),
              "expiration_date": (bind.expiration_date or end).isoformat()}
    wholesaler = market.name if market.kind == "wholesaler" else None
    return [{
        "line_of_business": line["line_of_business"],
        "policy_number": bind.policy_numbers[line["line_of_business"]],
        "market": {"market_id": market.id, "carrier_name": quote.carrier_name or market.carrier_name,
                   "naic_code": quote.naic_code, "admitted": quote.admitted, "wholesaler": wholesaler},
        "period": period,
        "coverages": line["coverages"],
        "premium": line["premium"],
        "replaces_policy_id": expiring.get(line["line_of_business"], {}).get("policy_id"),
    } for line in quote.lines]


def bind_of_market(session: Session, bind_id: str, market: Market, submission_id: str) -> Bind:
    """The bind a market's message names, if it is that market's, on that submission."""
    bind = session.get(Bind, bind_id)
    if bind is None or bind.submission_id != submission_id:
        raise NotFound(f"No bind {bind_id!r} on submission {submission_id!r}.")
    if session.scalar(select(Quote.market_id).where(Quote.id == bind.quote_id)) != market.id:
        raise NotFound(f"Bind {bind_id!r} was not ordered from market {market.id!r}.")
    return bind


def same_term(start: date, end: date, effective: date) -> date:
    """The end of a term as long as start..end, starting on ``effective`` (whole years stay
    whole years: a one-year term from 2027-03-01 ends 2028-03-01)."""
    try:
        if (start.month, start.day) == (end.month, end.day):
            years = end.year - start.year
            if (effective.month, effective.day) == (2, 29):
                effective = effective.replace(day=28)
            return effective.replace(year=effective.year + years)
        return effective + (end - start)
    except (ValueError, OverflowError):
        raise Invalid("The term would end after the year 9999.") from None


def provisional_number(market: Market, line: str, submission: Submission) -> str:
    """A provisional number (binder reference) until the carrier issues the policy."""
    return f"{market.id[:3].upper()}-{line}-{submission.effective_date.year}-{uuid.uuid4().hex[:6].upper()}"


def _period(quote: Quote, submission: Submission) -> tuple[date, date]:
    return (quote.effective_date or submission.effective_date, quote.expiration_date or submission.expiration_date)


def _entry(session: Session, submission_id: str, market_id: str) -> SubmissionMarket | None:
    return session.scalar(select(SubmissionMarket).where(SubmissionMarket.submission_id == submission_id,
                                                         SubmissionMarket.market_id == market_id))

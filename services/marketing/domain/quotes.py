"""Quotes: taking a market's answer in (from the queue or keyed in from an email) and the
reply the carrier gets (binding is :mod:`services.marketing.domain.binding`)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session, defer, load_only

from services.marketing.domain import intake, market_status
from services.marketing.domain.comparisons import complete_if_answered
from services.marketing.domain.errors import NotFound
from services.marketing.domain.submissions import submission_ref
from services.marketing.models import Market, Quote, Submission, SubmissionMarket
from shared.contracts.carrier import REPLY_TYPE
from shared.kit.audit import AuditEntry, audit, audit_many
from shared.kit.db import utcnow
from shared.kit.context import new_id
from shared.kit.outbox import Event, record_event
from shared.kit.topology import CARRIER_REPLIES

SOURCE = "marketing"
CLOSED = ("bound", "closed")
# What deduplication and the revision chain need of a quote's earlier revisions.
CHAIN_COLUMNS = (Quote.id, Quote.submission_id, Quote.revision, Quote.content_hash, Quote.is_current,
                 Quote.supersedes_id)


class UnknownSubmission(NotFound):
    """No such submission was sent to the market that answers it."""


@dataclass
class IntakeResult:
    outcome: str  # accepted | duplicate | rejected
    quote: Quote | None = None
    reasons: list[str] = field(default_factory=list)
    conflict: bool = False  # rejected because of what is already held, not the quote's content


def receive(session: Session, data: dict, market: Market, *, channel: str, actor: str, today: date) -> IntakeResult:
    """Store a market's answer once.  ``data`` is a QuoteSubmittedV1 payload in its JSON
    form.  Raises :class:`UnknownSubmission`; business refusals come back as "rejected"."""
    submission, entries = submission_and_market_list(session, data["submission_id"])
    entry = sent_entry(entries, market, data["submission_id"])
    lock_quote_refs(session, [(market.id, data["carrier_quote_ref"])])
    siblings = list(session.scalars(select(Quote).options(load_only(*CHAIN_COLUMNS)).where(
        Quote.market_id == market.id, Quote.carrier_quote_ref == data["carrier_quote_ref"])))
    digest = intake.content_hash(data)
    decision = intake.place(
        [intake.StoredRevision(s.id, s.revision, s.content_hash, s.is_current) for s in siblings],
        data["revision"], digest)
    if isinstance(decision, intake.Duplicate):
        return IntakeResult("duplicate", next(s for s in siblings if s.id == decision.quote_id))
    refused = refusal(submission, siblings, decision, data)
    if refused is not None:
        return refused
    quote = new_quote(data, market, submission, decision, digest, channel, actor)
    session.add(quote)
    if decision.followed_by_id:
        session.flush()  # the later revision will point at this row: insert it first
    rechain(siblings, decision, quote)
    moved = answer(entry, quote, actor)
    if moved is not None:
        audit_many(session, [moved])
    if quote.is_current:
        event_type, event = announcement(submission, market, quote)
        record_event(session, SOURCE, event_type, event, subject=submission.id)
    audit(session, actor, "quote.received", "quote", quote.id, **receipt_details(quote, channel))
    complete_if_answered(session, submission, entries, actor, today)
    return IntakeResult("accepted", quote)


# One statement for the whole set: the lock ids sorted in a subquery (whose ORDER BY keeps
# PostgreSQL from flattening it), so the locks are taken one after another in that order.
_LOCK_REFS = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM"
    " (SELECT k FROM unnest(CAST(:lock_ids AS bigint[])) AS u(k) ORDER BY k) AS ordered"
)


def quote_ref_lock_id(market_id: str, carrier_quote_ref: str) -> int:
    """The advisory lock id of a (market, carrier quote reference): a stable signed 64-bit
    hash (the same in every process, unlike ``hash()``), namespaced so that it is unlikely
    to meet another use of single-key advisory locks in this database.  Two keys sharing
    an id only wait for each other needlessly; they are never confused."""
    digest = hashlib.blake2b(f"marketing.quote_ref\x00{market_id}\x00{carrier_quote_ref}".encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_quote_refs(session: Session, keys) -> None:
    """Hold the (market, carrier quote reference) ``keys`` until the transaction ends, so that
    two consumers taking answers of one reference decide one after the other: the second
    reads the revision chain only once the first has committed (or rolled back), and sees
    its quote.  Without this, both read the same chain, so both could store a first
    revision under two different submissions (one reference would belong to two), the
    same revision twice (one of them failing on the unique key, with the whole batch), or
    two revisions that each believe they are current.

    PostgreSQL only (``pg_advisory_xact_lock``, released at commit or rollback, and at the
    rollback of a savepoint taken before it); SQLite has a single writer, which already
    serialises the intake.

    Call it after the submissions of the answers are locked and before the chains are
    read.  No wait-for cycle can form between two intakes (batch or one by one), because
    every intake takes its locks in the same three phases, each in one global order:

    1. the submissions answered, ``FOR UPDATE`` in id order, in one statement;
    2. the reference locks, in ascending lock id, in one statement (this function);
    3. only then rows: new quotes (unique index entries) and rechained quotes of the
       references it holds, and the market-list rows of the submissions it holds.

    An intake waiting in phase 1 or 2 holds only locks that come earlier in the same order
    than the one it waits for, so a chain of waits between intakes only ever climbs and
    cannot close.  Phase 3 never waits for another intake: any other intake touching the
    same rows would hold the same reference or submission lock, which it already has.
    (What phase 3 may wait for - the quote expiry and quote follow-up tasks - locks with
    SKIP LOCKED and never waits for the intake in turn.)  The id order is that of the 64-bit
    ids, not of the keys, so every caller sorts the same way; duplicates are taken once.

    What the consumer runs in the same transaction after the intake (other message types,
    redelivered repeats, the one-by-one fallback) is outside this order; should that ever
    close a cycle, PostgreSQL's deadlock detector aborts one side and the consumer retries
    those messages, as it already does for the submission row locks."""
    if session.get_bind().dialect.name != "postgresql":
        return
    lock_ids = sorted({quote_ref_lock_id(market_id, ref) for market_id, ref in keys})
    if lock_ids:
        session.execute(_LOCK_REFS, {"lock_ids": lock_ids})


def sent_entry(entries: list[SubmissionMarket], market: Market, submission_id: str) -> SubmissionMarket:
    """The market's entry on the submission's list, if the submission was sent to it."""
    entry = next((e for e in entries if e.market_id == market.id and e.sent_at is not None), None)
    if entry is None:
        raise UnknownSubmission(f"No submission {submission_id!r} was sent to market {market.id!r}.")
    return entry


def refusal(submission: Submission, siblings: list[Quote], decision, data: dict) -> IntakeResult | None:
    """Business reasons not to take a (non-duplicate) answer."""
    if any(s.submission_id != submission.id for s in siblings):
        return IntakeResult("rejected", conflict=True, reasons=[
            f"quote reference {data['carrier_quote_ref']!r} belongs to another submission"])
    if submission.status in CLOSED:
        return IntakeResult("rejected", conflict=True,
                            reasons=[f"the submission is {submission.status} and takes no more quotes"])
    problems = intake.quote_problems(data, submission.lines)
    if problems:
        return IntakeResult("rejected", reasons=problems)
    if isinstance(decision, intake.ConflictingRevision):
        return IntakeResult("rejected", conflict=True, reasons=[decision.reason])
    return None


def submission_and_market_list(session: Session, submission_id: str) -> tuple[Submission | None, list[SubmissionMarket]]:
    """One query for the submission and its market list, the submission locked so that two
    consumers taking the last two answers agree on which of them completes the comparison.
    The large JSON columns load only if the comparison is built (once per submission)."""
    rows = session.execute(
        select(Submission, SubmissionMarket)
        .options(defer(Submission.specifications), defer(Submission.expiring), defer(Submission.insured))
        .outerjoin(SubmissionMarket, SubmissionMarket.submission_id == Submission.id)
        .where(Submission.id == submission_id)
        .with_for_update(of=Submission)
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [entry for _submission, entry in rows if entry is not None]


def new_quote(data, market, submission, decision, digest, channel, actor) -> Quote:
    """The quote row for an answer (not yet added to the session)."""
    return Quote(**new_quote_values(data, market, submission, decision, digest, channel, actor))


def new_quote_values(data, market, submission, decision, digest, channel, actor) -> dict:
    """The column values of :func:`new_quote` (the batch intake writes them without
    building ORM objects)."""
    sums = intake.totals(data)
    period = data.get("period") or {}
    return dict(
        id=new_id(), submission_id=submission.id, market_id=market.id,
        carrier_quote_ref=data["carrier_quote_ref"], revision=data["revision"], content_hash=digest,
        status=data["status"], declination_reason=data.get("declination_reason"),
        is_current=decision.is_current, supersedes_id=decision.supersedes_id,
        carrier_name=data.get("carrier_name") or market.carrier_name,
        naic_code=data.get("naic_code") or market.naic_code, admitted=data.get("admitted", True),
        effective_date=_date(period.get("effective_date")), expiration_date=_date(period.get("expiration_date")),
        lines=data.get("lines", []), currency=sums.total_cost.currency, premium=sums.premium.amount,
        taxes_fees=data.get("taxes_fees", []), total_cost=sums.total_cost.amount,
        commission_percent=_decimal(data.get("commission_percent")), payment_plans=data.get("payment_plans", []),
        subjectivities=data.get("subjectivities", []), exclusions=data.get("exclusions", []),
        forms=data.get("forms", []), valid_until=_date(data.get("valid_until")),
        underwriter=data.get("underwriter"), channel=channel, received_by=actor, received_at=utcnow(),
    )


def rechain(siblings: list[Quote], decision: intake.Placement, quote: Quote) -> None:
    by_id = {s.id: s for s in siblings}
    if decision.retires_id:
        by_id[decision.retires_id].is_current = False
    if decision.followed_by_id:
        by_id[decision.followed_by_id].supersedes_id = quote.id


def answer(entry: SubmissionMarket, quote: Quote, actor: str, correlation: str | None = None) -> AuditEntry | None:
    """The market has answered: its status follows its current answer (unless it is
    already bound, lost or asked to bind).  Returns the audit row of the status change."""
    if entry.answered_at is None:
        entry.answered_at = quote.received_at
    new = intake.STATUS_OF_MARKET[quote.status]
    if quote.is_current and market_status.allowed(entry.status, new):
        return market_status.move(entry, new, actor, reason=f"{quote.status} {quote.carrier_quote_ref} "
                                  f"revision {quote.revision}", correlation=correlation, quote_id=quote.id)
    return None


def announcement(submission: Submission, market: Market, quote: Quote) -> tuple[str, dict]:
    """The event a new current quote raises (a first quote also marks the submission
    quoted): its type and data."""
    ref = submission_ref(submission, market)
    if quote.status == "declined":
        return "marketing.quote.declined", {**ref, "quote_id": quote.id, "reason": quote.declination_reason}
    if submission.status == "sent":
        submission.status = "quoted"
        submission.updated_at = utcnow()
    return "marketing.quote.received", {
        **ref, "quote_id": quote.id, "status": quote.status, "revision": quote.revision,
        "total_cost": {"amount": f"{quote.total_cost:.2f}", "currency": quote.currency},
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
    }


def receipt_details(quote: Quote, channel: str) -> dict:
    """What the audit log keeps of a received quote."""
    return dict(submission_id=quote.submission_id, market_id=quote.market_id, carrier_quote_ref=quote.carrier_quote_ref,
                revision=quote.revision, status=quote.status, channel=channel)


def reply(session: Session, in_reply_to: str, market_id: str, data: dict | None, result: IntakeResult) -> dict:
    """The carrier's answer on its reply queue (carrier.quote.replied)."""
    event = reply_event(in_reply_to, market_id, data, result)
    return record_event(session, SOURCE, event.type, event.data, subject=event.subject, exchange=event.exchange,
                        routing_key=event.routing_key)


def reply_event(in_reply_to: str, market_id: str, data: dict | None, result: IntakeResult) -> Event:
    data = data or {}
    return Event(REPLY_TYPE, {
        "in_reply_to": in_reply_to,
        "market_id": market_id,
        "carrier_quote_ref": data.get("carrier_quote_ref"),
        "revision": data.get("revision"),
        "outcome": result.outcome,
        "reasons": result.reasons,
        "quote_id": result.quote.id if result.quote is not None else None,
    }, subject=data.get("submission_id"), exchange=CARRIER_REPLIES.name, routing_key=market_id)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))

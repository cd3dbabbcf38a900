"""Many carrier answers taken in at once, with exactly the effect of
:func:`services.marketing.domain.quotes.receive` (and its reply) applied to each in turn,
but with the database work of the whole batch done in a few statements: the submissions
(locked, in id order, so that two consumers never wait on each other in a cycle) with their
market lists, and every stored revision of the quote references answered (once those
references are locked, :func:`quotes.lock_quote_refs`, so that a concurrent consumer's
answers of the same reference are decided before or after this batch's, never alongside)
are read once; each answer is decided in memory against what the earlier answers of the
batch did; then
the new quotes, the revision chain changes, the events and the audit rows are written in
bulk.  When an answer completes a submission's market list (possibly mid-batch), what was
decided so far is written first, so the comparison is built from the database exactly as
the one-by-one path builds it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import bindparam, select, text, tuple_, update
from sqlalchemy.orm import Session, defer

from services.marketing.domain import intake, quotes
from services.marketing.domain.comparisons import complete_if_answered, ready_to_compare
from services.marketing.models import Market, Quote, Submission, SubmissionMarket
from shared.kit.audit import AuditEntry, audit_many
from shared.kit.context import message_scope
from shared.kit.db import bulk_insert
from shared.kit.outbox import Event, record_events

CHANNEL = "queue"
QUOTE = Quote.__table__
QUOTE_COLUMNS = tuple(column.key for column in QUOTE.columns)
_CHAINS_BY_KEYS = text(
    "SELECT q.market_id, q.carrier_quote_ref, "
    + ", ".join(f"q.{c.key}" for c in quotes.CHAIN_COLUMNS)
    + " FROM unnest(CAST(:markets AS varchar[]), CAST(:refs AS varchar[])) AS k(market_id, carrier_quote_ref)"
    " JOIN quote AS q ON q.market_id = k.market_id AND q.carrier_quote_ref = k.carrier_quote_ref"
    " ORDER BY q.revision"
)
RECHAIN = (update(QUOTE).where(QUOTE.c.id == bindparam("quote_id"))
           .values(is_current=bindparam("now_current"), supersedes_id=bindparam("now_supersedes")))


@dataclass(frozen=True)
class Answer:
    """One carrier message: its payload (JSON form) from a market already known to have
    published it, and the ids its effects are correlated with and caused by."""

    message_id: str
    data: dict
    market: Market
    correlation_id: str

    @property
    def actor(self) -> str:
        return f"carrier:{self.market.id}"


@dataclass
class Revision:
    """A revision of a (market, carrier quote reference) as the batch sees it; ``written``
    is (is_current, supersedes_id) as the database holds it, None while not inserted."""

    id: str
    submission_id: str
    revision: int
    content_hash: str
    is_current: bool
    supersedes_id: str | None
    written: tuple | None


def receive_many(session: Session, answers: list[Answer], today: date) -> dict[str, quotes.UnknownSubmission | None]:
    """Take ``answers`` in order; returns, per message id, the :class:`UnknownSubmission`
    it was refused with (nothing written for it) or None (stored or answered)."""
    return _Intake(session, answers, today).run()


class _Intake:
    def __init__(self, session: Session, answers: list[Answer], today: date):
        self.session = session
        self.answers = answers
        self.today = today
        self.submissions = _submissions(session, {a.data["submission_id"] for a in answers})
        keys = {(a.market.id, a.data["carrier_quote_ref"]) for a in answers}
        # After the submission locks, before the chains are read: see quotes.lock_quote_refs
        # (why no two consumers deadlock, and what goes wrong without it).
        quotes.lock_quote_refs(self.session, keys)
        self.chains = _chains(session, keys)
        self.new_quotes: list[tuple[Quote, Revision]] = []
        self.events: list[Event] = []
        self.audits: list[AuditEntry] = []

    def run(self) -> dict[str, quotes.UnknownSubmission | None]:
        verdicts = {}
        for answer in self.answers:
            submission, entries = self.submissions.get(answer.data["submission_id"], (None, []))
            try:
                entry = quotes.sent_entry(entries, answer.market, answer.data["submission_id"])
            except quotes.UnknownSubmission as exc:
                verdicts[answer.message_id] = exc
                continue
            result = self._receive(answer, submission, entries, entry)
            self._emit(answer, quotes.reply_event(answer.message_id, answer.market.id, answer.data, result))
            verdicts[answer.message_id] = None
        self._write()
        return verdicts

    def _receive(self, answer: Answer, submission: Submission, entries: list[SubmissionMarket],
                 entry: SubmissionMarket) -> quotes.IntakeResult:
        data, market = answer.data, answer.market
        siblings = self.chains.setdefault((market.id, data["carrier_quote_ref"]), [])
        digest = intake.content_hash(data)
        decision = intake.place(
            [intake.StoredRevision(s.id, s.revision, s.content_hash, s.is_current) for s in siblings],
            data["revision"], digest)
        if isinstance(decision, intake.Duplicate):
            return quotes.IntakeResult("duplicate", next(s for s in siblings if s.id == decision.quote_id))
        refused = quotes.refusal(submission, siblings, decision, data)
        if refused is not None:
            return refused
        # A plain row with the ORM object's attributes: building thousands of instrumented
        # Quote objects cost more than validating the messages.
        quote = SimpleNamespace(**{**dict.fromkeys(QUOTE_COLUMNS), **quotes.new_quote_values(
            data, market, submission, decision, digest, CHANNEL, answer.actor)})
        quotes.rechain(siblings, decision, quote)
        revision = Revision(quote.id, submission.id, quote.revision, digest, quote.is_current, quote.supersedes_id, None)
        siblings.append(revision)
        self.new_quotes.append((quote, revision))
        moved = quotes.answer(entry, quote, answer.actor, answer.correlation_id)
        if moved is not None:
            self.audits.append(moved)
        if quote.is_current:
            event_type, event = quotes.announcement(submission, market, quote)
            self._emit(answer, Event(event_type, event, subject=submission.id))
        self.audits.append(AuditEntry(answer.actor, "quote.received", "quote", quote.id,
                                      quotes.receipt_details(quote, CHANNEL), answer.correlation_id))
        if ready_to_compare(submission, entries):
            self._write()  # the comparison reads the quotes (and events keep their order)
            with message_scope(answer.correlation_id, answer.message_id):
                complete_if_answered(self.session, submission, entries, answer.actor, self.today)
        return quotes.IntakeResult("accepted", quote)

    def _emit(self, answer: Answer, event: Event) -> None:
        event.correlation_id, event.causation_id = answer.correlation_id, answer.message_id
        self.events.append(event)

    def _write(self) -> None:
        """Everything decided so far, in bulk: new quotes (a quote before the one that
        supersedes it), then the chain changes of stored revisions, events and audit rows."""
        if self.new_quotes:
            rows = []
            for quote, revision in _referenced_first(self.new_quotes):
                quote.is_current, quote.supersedes_id = revision.is_current, revision.supersedes_id
                rows.append(vars(quote).copy())
                revision.written = (revision.is_current, revision.supersedes_id)
            bulk_insert(self.session, QUOTE, rows)
            self.new_quotes = []
        changed = [r for chain in self.chains.values() for r in chain
                   if r.written is not None and r.written != (r.is_current, r.supersedes_id)]
        if changed:
            self.session.execute(RECHAIN, [{"quote_id": r.id, "now_current": r.is_current,
                                            "now_supersedes": r.supersedes_id} for r in changed])
            for r in changed:
                r.written = (r.is_current, r.supersedes_id)
        record_events(self.session, quotes.SOURCE, self.events)
        audit_many(self.session, self.audits)
        self.events, self.audits = [], []


def _submissions(session: Session, submission_ids: set[str]) -> dict[str, tuple[Submission, list[SubmissionMarket]]]:
    """The submissions answered, each with its market list, locked in id order."""
    rows = session.execute(
        select(Submission, SubmissionMarket)
        .options(defer(Submission.specifications), defer(Submission.expiring), defer(Submission.insured))
        .outerjoin(SubmissionMarket, SubmissionMarket.submission_id == Submission.id)
        .where(Submission.id.in_(sorted(submission_ids)))
        .order_by(Submission.id)
        .with_for_update(of=Submission)
    ).all()
    found: dict[str, tuple[Submission, list[SubmissionMarket]]] = {}
    for submission, entry in rows:
        _submission, entries = found.setdefault(submission.id, (submission, []))
        if entry is not None:
            entries.append(entry)
    return found


def _chains(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[Revision]]:
    """Every stored revision of the (market, carrier quote reference) keys answered."""
    chains: dict[tuple[str, str], list[Revision]] = {}
    if not keys:
        return chains
    if session.get_bind().dialect.name == "postgresql":
        # The keys as two arrays joined to the table (index lookups or a hash join, as
        # the planner sees fit).  A list of (market, ref) pairs in the statement was an
        # OR of 200 pairs tested on every stored quote of the market: 20-40 ms a batch
        # at 5k quotes, growing with the table.
        markets, refs = zip(*sorted(keys))
        rows = session.execute(_CHAINS_BY_KEYS, {"markets": list(markets), "refs": list(refs)}).mappings()
    else:
        rows = session.execute(
            select(QUOTE.c.market_id, QUOTE.c.carrier_quote_ref, *(QUOTE.c[c.key] for c in quotes.CHAIN_COLUMNS))
            .where(tuple_(QUOTE.c.market_id, QUOTE.c.carrier_quote_ref).in_(sorted(keys)))
            .order_by(QUOTE.c.revision)
        ).mappings()
    for row in rows:
        chains.setdefault((row["market_id"], row["carrier_quote_ref"]), []).append(Revision(
            row["id"], row["submission_id"], row["revision"], row["content_hash"], row["is_current"],
            row["supersedes_id"], (row["is_current"], row["supersedes_id"])))
    return chains


def _referenced_first(new_quotes: list[tuple[Quote, Revision]]) -> list[tuple[Quote, Revision]]:
    """New quotes ordered so that one superseded by another new quote is inserted first.

    A loop, not a recursive inner function: that one referred to itself through its
    closure, a reference cycle that kept every row of the batch alive until the cyclic
    garbage collector ran (7-15 ms a batch)."""
    pending = {revision.id: (quote, revision) for quote, revision in new_quotes}
    ordered, placed = [], set()
    for item in new_quotes:
        chain = []  # the item, then the new quotes it supersedes, not yet placed
        while item is not None and item[1].id not in placed:
            placed.add(item[1].id)
            chain.append(item)
            item = pending.get(item[1].supersedes_id)
        ordered.extend(reversed(chain))
    return ordered

"""Two marketing workers at once, on PostgreSQL: what each does twice must happen once.

* the quote intake of two consumers (batch or one by one) decides the answers of one
  (market, carrier quote reference) one after the other: a reference never ends up under
  two submissions, and its revision chain stays a chain whatever the interleaving;
* the quote follow-ups and the quote expiry raise, audit and announce each once;
* a package email is sent once, even when a worker's lease runs out mid-attempt.

The races are forced: the first transaction is held open (after doing its work, before its
commit) while the second runs, or several threads are released together by a barrier and
keep their transactions open a moment.
"""
from __future__ import annotations

import json
import random
import threading
import time
import uuid
from datetime import date, timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import func, select

from services.marketing.domain import email_channel, intake_batch, quotes
from services.marketing.domain.expiry import expire_quotes
from services.marketing.domain.follow_ups import raise_overdue_quotes
from services.marketing.models import Market, Quote, QuoteOverdue, Submission, SubmissionEmail, SubmissionMarket
from shared import testing
from shared.contracts.carrier import REPLY_TYPE
from shared.contracts.fast import json_form
from shared.kit.db import AUDIT_LOG, OUTBOX, Database, utcnow

from .helpers import GOLDEN_MARKETS, answer, golden_quote, golden_submission_sent
from .test_submission_package import FakeDocuments, render_all, smtp  # noqa: F401 - smtp is a fixture

QUOTING = "golden-state-casualty"
OTHER_SUBMISSION = "5e6f7a8b-2222-4222-8333-944455556666"
TODAY = date(2026, 11, 28)
HOLD = 0.6  # how long the first transaction stays open while the second runs


@pytest.fixture
def pg(postgres_url_for, tmp_path):
    """A migrated PostgreSQL marketing database with the golden submission sent to both
    golden markets, and a copy of it (another submission, sent to the same markets)."""
    url = postgres_url_for(f"marketing_{uuid.uuid4().hex[:8]}")
    settings, db = testing.migrated("marketing", tmp_path, database_url=url)
    submission_id = golden_submission_sent(db)
    with db.transaction() as session:
        original = session.get(Submission, submission_id)
        session.add(Submission(**{**{c.key: getattr(original, c.key) for c in Submission.__table__.columns},
                                  "id": OTHER_SUBMISSION}))
        session.flush()
        for entry in session.scalars(select(SubmissionMarket).where(SubmissionMarket.submission_id == submission_id)):
            session.add(SubmissionMarket(**{**{c.key: getattr(entry, c.key) for c in SubmissionMarket.__table__.columns
                                               if c.key != "id"}, "submission_id": OTHER_SUBMISSION}))
    yield db, submission_id
    db.dispose()


# -- racing transactions ------------------------------------------------------------------------

class Racer(threading.Thread):
    """``work(session)`` in a transaction of its own (its own connection); the transaction
    stays open until ``release`` is set, if given, or for ``linger`` seconds."""

    def __init__(self, db: Database, work, *, release: threading.Event | None = None,
                 barrier: threading.Barrier | None = None, linger: float = 0.0):
        super().__init__(daemon=True)
        self.db, self.work, self.release, self.barrier, self.linger = db, work, release, barrier, linger
        self.worked, self.done = threading.Event(), threading.Event()
        self.result, self.error = None, None

    def run(self):
        try:
            if self.barrier is not None:
                self.barrier.wait(timeout=30)
            with self.db.transaction() as session:
                self.result = self.work(session)
                self.worked.set()
                if self.release is not None:
                    assert self.release.wait(30), "never released"
                time.sleep(self.linger)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test
            self.error = exc
        finally:
            self.worked.set()
            self.done.set()


def race(db: Database, first, second):
    """``first`` does its work and keeps its transaction open while ``second`` runs for up
    to :data:`HOLD` seconds; then ``first`` commits.  Returns (first's result, second's
    result, whether second finished while first was still open)."""
    release = threading.Event()
    one = Racer(db, first, release=release)
    one.start()
    assert one.worked.wait(30)
    two = Racer(db, second)
    two.start()
    finished_while_open = two.done.wait(HOLD)
    release.set()
    for racer in (one, two):
        racer.join(30)
        assert not racer.is_alive()
        if racer.error is not None:
            raise racer.error
    return one.result, two.result, finished_while_open


def together(db: Database, works, linger: float = 0.15) -> list:
    """Every work in its own thread, released at once by a barrier, each transaction kept
    open ``linger`` seconds after its work; returns their results in order."""
    barrier = threading.Barrier(len(works))
    racers = [Racer(db, work, barrier=barrier, linger=linger) for work in works]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
        assert not racer.is_alive()
        if racer.error is not None:
            raise racer.error
    return [racer.result for racer in racers]


# -- what was written ---------------------------------------------------------------------------

def events(db: Database, event_type: str) -> list[dict]:
    with db.transaction() as session:
        bodies = session.scalars(select(OUTBOX.c.body).order_by(OUTBOX.c.seq)).all()
    return [envelope["data"] for envelope in map(json.loads, bodies) if envelope["type"] == event_type]


def replies(db: Database) -> dict[str, dict]:
    return {reply["in_reply_to"]: reply for reply in events(db, REPLY_TYPE)}


def audits(db: Database, action: str) -> list:
    with db.transaction() as session:
        return session.execute(select(AUDIT_LOG).where(AUDIT_LOG.c.action == action)).all()


def chain(db: Database, ref: str) -> list[Quote]:
    with db.transaction() as session:
        quotes_of_ref = list(session.scalars(select(Quote).where(Quote.market_id == QUOTING,
                                                                 Quote.carrier_quote_ref == ref)
                                             .order_by(Quote.revision)))
        session.expunge_all()
    return quotes_of_ref


def assert_proper_chain(revisions: list[Quote]) -> None:
    """Each revision once, the highest one current and no other, each superseding the one
    before it."""
    assert [q.revision for q in revisions] == sorted({q.revision for q in revisions})
    assert [q.revision for q in revisions if q.is_current] == [revisions[-1].revision]
    assert [q.supersedes_id for q in revisions] == [None] + [q.id for q in revisions[:-1]]


# -- the intake ---------------------------------------------------------------------------------

def message(submission_id: str, ref: str, revision: int = 1, **changes) -> tuple[str, dict]:
    return str(uuid.uuid4()), json_form(golden_quote(0, submission_id=submission_id, carrier_quote_ref=ref,
                                                     revision=revision, **changes))


def batch_of(*messages):
    """The batch intake of ``messages`` as one consumer runs it."""
    def work(session):
        markets = {m.id: m for m in session.scalars(select(Market))}
        return intake_batch.receive_many(session, [intake_batch.Answer(message_id, data, markets[data["market_id"]],
                                                                       f"corr-{message_id}")
                                                   for message_id, data in messages], TODAY)
    return work


def one_by_one(message_id: str, data: dict):
    """The per-message intake (and its reply) of one answer."""
    def work(session):
        market = session.get(Market, data["market_id"])
        result = quotes.receive(session, data, market, channel="queue", actor=f"carrier:{market.id}", today=TODAY)
        quotes.reply(session, message_id, market.id, data, result)
        return result.outcome
    return work


@pytest.mark.parametrize("second_path", ["batch", "one_by_one"])
def test_one_reference_answered_under_two_submissions_at_once_is_stored_once(pg, second_path):
    db, submission_id = pg
    first_id, first = message(submission_id, "SHARED-1")
    second_id, second = message(OTHER_SUBMISSION, "SHARED-1")
    work = batch_of((second_id, second)) if second_path == "batch" else one_by_one(second_id, second)
    first_verdicts, _second, finished_while_open = race(db, batch_of((first_id, first)), work)
    assert first_verdicts == {first_id: None}
    assert not finished_while_open  # the second waited for the reference the first held
    (stored,) = chain(db, "SHARED-1")
    assert (stored.submission_id, stored.revision, stored.is_current) == (submission_id, 1, True)
    answered = replies(db)
    assert answered[first_id]["outcome"] == "accepted" and answered[first_id]["quote_id"] == stored.id
    assert answered[second_id]["outcome"] == "rejected"
    assert answered[second_id]["reasons"] == ["quote reference 'SHARED-1' belongs to another submission"]
    assert len(audits(db, "quote.received")) == 1


def test_the_same_revision_twice_at_once_is_a_duplicate_or_a_conflict_never_a_failed_batch(pg):
    db, submission_id = pg
    first_id, first = message(submission_id, "SAME-1", 2)
    again_id, again = message(submission_id, "SAME-1", 2)  # the same content: a re-send
    changed_id, changed = message(submission_id, "SAME-1", 2, underwriter="Someone Else")
    race(db, batch_of((first_id, first)), batch_of((again_id, again), (changed_id, changed)))
    (stored,) = chain(db, "SAME-1")
    answered = replies(db)
    assert [answered[m]["outcome"] for m in (first_id, again_id, changed_id)] == ["accepted", "duplicate",
                                                                                  "rejected"]
    assert answered[again_id]["quote_id"] == stored.id
    assert "already received with different content" in answered[changed_id]["reasons"][0]


def test_revisions_of_one_reference_interleaved_across_consumers_form_one_chain(pg):
    db, submission_id = pg
    revisions = {r: message(submission_id, "CHAIN-1", r) for r in range(1, 13)}
    conflicting = message(submission_id, "CHAIN-1", 5, underwriter="Someone Else")
    resent = message(submission_id, "CHAIN-1", 1)  # revision 1 again, same content
    shuffled = list(revisions.values()) + [conflicting, resent]
    random.Random(7).shuffle(shuffled)
    batches = [shuffled[k::4] for k in range(4)]
    works = [batch_of(*batch) for batch in batches[:3]] + [one_by_one(*m) for m in batches[3][:1]]
    works += [batch_of(*batches[3][1:])]
    together(db, works)

    stored = chain(db, "CHAIN-1")
    assert_proper_chain(stored)
    assert [q.revision for q in stored] == list(range(1, 13))
    assert {q.submission_id for q in stored} == {submission_id}
    answered = replies(db)
    outcomes = sorted(answered[m]["outcome"] for m, _data in shuffled)
    assert outcomes == ["accepted"] * 12 + ["duplicate", "rejected"]
    # Of the two revision 5s, whichever came first was stored and the other refused.
    fives = [m for m, data in shuffled if data["revision"] == 5]
    kept = next(m for m in fives if answered[m]["outcome"] == "accepted")
    assert answered[kept]["quote_id"] == next(q.id for q in stored if q.revision == 5)
    assert len(audits(db, "quote.received")) == 12


def test_revisions_claimed_by_two_submissions_at_once_all_go_to_one_of_them(pg):
    """The same reference's revisions, alternately under two submissions, in racing batches
    (the submission locks do not serialise these, only the reference lock does): one
    submission gets the reference, with a proper chain; every answer under the other is
    refused."""
    db, submission_id = pg
    sent = [message(submission_id if r % 2 else OTHER_SUBMISSION, "CONTESTED-1", r) for r in range(1, 9)]
    random.Random(3).shuffle(sent)
    # Each batch under one submission only (a batch of both would lock both submissions,
    # and the batches would wait for one another on those).
    batches = [[m for m in sent if m[1]["submission_id"] == sid][k::2]
               for sid in (submission_id, OTHER_SUBMISSION) for k in range(2)]
    together(db, [batch_of(*batch) for batch in batches])
    stored = chain(db, "CONTESTED-1")
    assert_proper_chain(stored)
    (owner,) = {q.submission_id for q in stored}
    answered = replies(db)
    for message_id, data in sent:
        if data["submission_id"] == owner:
            assert answered[message_id]["outcome"] == "accepted"
        else:
            assert answered[message_id]["outcome"] == "rejected"
            assert answered[message_id]["reasons"] == ["quote reference 'CONTESTED-1' belongs to another submission"]
    assert [q.revision for q in stored] == sorted(d["revision"] for _m, d in sent if d["submission_id"] == owner)


def test_many_rounds_of_racing_batches_keep_every_chain_proper(pg):
    """Several references at once, each answered in several batches racing each other."""
    db, submission_id = pg
    refs = [f"MULTI-{n}" for n in range(5)]
    all_messages = [message(submission_id, ref, r) for ref in refs for r in range(1, 7)]
    random.Random(11).shuffle(all_messages)
    together(db, [batch_of(*all_messages[k::6]) for k in range(6)], linger=0.05)
    for ref in refs:
        stored = chain(db, ref)
        assert [q.revision for q in stored] == list(range(1, 7))
        assert_proper_chain(stored)


# -- the periodic tasks -------------------------------------------------------------------------

def respond_by(db: Database, submission_id: str) -> date:
    with db.transaction() as session:
        return session.get(Submission, submission_id).respond_by


def test_two_follow_up_runs_at_once_chase_each_market_once(pg):
    db, submission_id = pg
    day = respond_by(db, submission_id) + timedelta(days=1)
    first, second, finished_while_open = race(db, lambda s: raise_overdue_quotes(s, day),
                                              lambda s: raise_overdue_quotes(s, day))
    expected = {(sid, market) for sid in (submission_id, OTHER_SUBMISSION) for market in GOLDEN_MARKETS}
    assert set(first) == expected and second == [] and finished_while_open  # skipped, never waited
    # Released together, again and again: nothing more to raise, nothing raised twice.
    assert together(db, [lambda s: raise_overdue_quotes(s, day)] * 3) == [[], [], []]
    assert len(events(db, "marketing.quote.overdue")) == 4
    assert len(audits(db, "submission.quote_overdue")) == 4
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(QuoteOverdue)) == 4


def test_follow_up_runs_released_together_split_the_markets_between_them(pg):
    db, submission_id = pg
    day = respond_by(db, submission_id) + timedelta(days=1)
    results = together(db, [lambda s: raise_overdue_quotes(s, day)] * 4)
    raised = [pair for result in results for pair in result]
    assert len(raised) == len(set(raised)) == 4
    assert len(events(db, "marketing.quote.overdue")) == 4


def test_two_expiry_runs_at_once_expire_audit_and_announce_a_quote_once(pg):
    db, submission_id = pg
    assert answer(db, submission_id, 0) == "processed"
    (quote,) = chain(db, golden_quote(0)["carrier_quote_ref"])
    later = quote.valid_until + timedelta(days=1)
    first, second, finished_while_open = race(db, lambda s: expire_quotes(s, later), lambda s: expire_quotes(s, later))
    assert first == [quote.id] and second == [] and finished_while_open
    assert together(db, [lambda s: expire_quotes(s, later)] * 3) == [[], [], []]
    assert [e["quote_id"] for e in events(db, "marketing.quote.expired")] == [quote.id]
    assert len(audits(db, "quote.expired")) == 1
    with db.transaction() as session:
        assert session.scalar(select(SubmissionMarket.status).where(
            SubmissionMarket.submission_id == submission_id, SubmissionMarket.market_id == QUOTING)) == "expired"


# -- the package emails -------------------------------------------------------------------------

@pytest.fixture
def ready_emails(pg):
    """The golden submission's package emails to both markets, rendered and due."""
    db, submission_id = pg
    with db.transaction() as session:
        submission = session.get(Submission, submission_id)
        for market_id in GOLDEN_MARKETS:
            email = email_channel.queue_email(session, submission, session.get(Market, market_id))
            email.recipient = f"underwriting@{market_id}.example"  # the golden markets take the queue
    files = render_all(db)
    with db.transaction() as session:
        email_channel.refresh(session, submission_id)
        assert session.scalars(select(SubmissionEmail.status)).all() == ["ready", "ready"]
    return db, files


class SlowDocuments(FakeDocuments):
    def __call__(self, file):
        time.sleep(0.05)
        return super().__call__(file)


def test_two_senders_at_once_send_each_email_once(ready_emails, smtp):  # noqa: F811 - the fixture
    db, files = ready_emails
    config, inbox = smtp
    barrier = threading.Barrier(2)
    outcomes = [{}, {}]

    def sender(index):
        barrier.wait(timeout=30)
        outcomes[index] = email_channel.send_due(db, config, SlowDocuments(files))

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    sent = [email_id for result in outcomes for email_id, status in result.items() if status == "sent"]
    assert len(sent) == len(set(sent)) == 2
    assert len(inbox.messages) == 2
    emailed = events(db, "marketing.submission.emailed")
    assert sorted(e["email_id"] for e in emailed) == sorted(sent) and all(e["attempts"] == 1 for e in emailed)


def test_a_sender_whose_lease_ran_out_does_not_send_what_another_took_over(ready_emails, smtp):  # noqa: F811
    db, files = ready_emails
    config, inbox = smtp
    start = utcnow() + timedelta(seconds=1)
    fetching, taken_over = threading.Event(), threading.Event()

    class StalledDocuments(FakeDocuments):
        """The first fetch stalls until another worker has taken the email over."""

        def __call__(self, file):
            if not fetching.is_set():
                fetching.set()
                assert taken_over.wait(30)
            return super().__call__(file)

    stalled_outcome = {}
    stalled = threading.Thread(target=lambda: stalled_outcome.update(
        email_channel.send_due(db, config, StalledDocuments(files), limit=1, clock=lambda: start)))
    stalled.start()
    assert fetching.wait(30)
    with db.transaction() as session:
        (claimed_id,) = session.scalars(select(SubmissionEmail.id).where(SubmissionEmail.attempts == 1)).all()
    after_lease = start + email_channel.LEASE + timedelta(seconds=1)
    taken = email_channel.send_due(db, config, FakeDocuments(files), clock=lambda: after_lease)
    taken_over.set()
    stalled.join(30)
    assert not stalled.is_alive()
    assert taken[claimed_id] == "sent" and stalled_outcome == {}  # the stalled attempt gave way
    with db.transaction() as session:
        email = session.get(SubmissionEmail, claimed_id)
        assert (email.status, email.attempts) == ("sent", 2)
        message_id = email.message_id
    sent = [message_from_bytes(raw)["Message-ID"] for _from, _to, raw in inbox.messages]
    assert sent.count(message_id) == 1 and len(sent) == len(set(sent)) == 2  # each email once
    emailed = [e for e in events(db, "marketing.submission.emailed") if e["email_id"] == claimed_id]
    assert len(emailed) == 1 and emailed[0]["attempts"] == 2

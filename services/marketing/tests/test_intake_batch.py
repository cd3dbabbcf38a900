"""The batch intake (a whole consumer batch of carrier answers in a few statements) has
exactly the effect of the per-message intake: the same mixed sequence fed through both
leaves the same quotes, market list, submission, outbox and audit log, on SQLite and
PostgreSQL."""
from __future__ import annotations

import json
import logging
import uuid

import pytest
from sqlalchemy import select

from services.marketing.messaging.handlers import HANDLERS, on_quote_submitted
from services.marketing.models import Quote, Submission, SubmissionMarket
from shared import testing
from shared.contracts.carrier import INTAKE_TYPE
from shared.kit.consumer import BatchHandler, Rejected, ServiceConsumer
from shared.kit.db import AUDIT_LOG, INBOX, OUTBOX, Database
from shared.kit.topology import INTAKE_QUEUE

from .helpers import broker_user, golden_quote, golden_submission_sent, quote_envelope

QUOTING, DECLINING = "golden-state-casualty", "pacific-crest-specialty"
PER_MESSAGE = {**HANDLERS, INTAKE_TYPE: on_quote_submitted}


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """A fresh database maker on the backend: ``backend("name")`` -> Database."""
    made = []

    def make(name: str) -> Database:
        overrides = {}
        if request.param != "sqlite":
            overrides["database_url"] = request.getfixturevalue("postgres_url_for")(f"marketing_{uuid.uuid4().hex[:8]}")
        made.append(testing.migrated("marketing", tmp_path / name, **overrides)[1])
        return made[-1]

    yield make
    for db in made:
        db.dispose()


def _message(data: dict, user: str, *, message_id: str | None = None, correlation: str | None = None):
    envelope = quote_envelope(data, message_id=message_id)
    envelope["correlationid"] = correlation
    return envelope, user


def mixed_sequence(submission_id: str) -> list[tuple[dict, str]]:
    """Every kind of answer, in an order where the last market answers mid-sequence."""
    quoting, declining = broker_user(QUOTING), broker_user(DECLINING)
    first = _message(golden_quote(0, submission_id=submission_id), quoting, correlation="corr-first")
    forged = _message(golden_quote(0, submission_id=submission_id, carrier_quote_ref="FORGED-1"), declining)
    late = dict(submission_id=submission_id, carrier_quote_ref="GSC-LATE", valid_until=None)
    return [
        first,
        first,                                                                   # redelivered: inbox duplicate
        _message(golden_quote(0, submission_id=submission_id), quoting),         # re-sent: duplicate reply
        forged,
        _message(golden_quote(0, submission_id="no-such-submission"), quoting),  # unknown submission
        _message(golden_quote(0, submission_id=submission_id, market_id="nobody-mutual"), "carrier-x"),
        _message(golden_quote(0, submission_id=submission_id, underwriter="Someone Else"), quoting),  # conflict
        _message(golden_quote(2, submission_id=submission_id), quoting, correlation="corr-rev2"),  # supersedes
        _message(_with_line(golden_quote(0, submission_id=submission_id, carrier_quote_ref="GSC-WC"), "WC"),
                 quoting),                                                       # line not requested
        _message(golden_quote(1, submission_id=submission_id), declining, correlation="corr-last"),  # completes
        _message(golden_quote(0, revision=3, **late), quoting),
        _message(golden_quote(0, revision=2, **late), quoting),                  # older revision arriving late
        _message(golden_quote(0, revision=1, **late), quoting),                  # ...and an even older one
        _message(golden_quote(0, revision=4, **late), quoting),                  # a newer one
        forged,                                                                  # forged, redelivered
    ]


def _with_line(data: dict, line: str) -> dict:
    data["lines"][0]["line_of_business"] = line
    return data


def _run(db: Database, handlers: dict, sequence: list[tuple[dict, str]]) -> dict[str, list]:
    """Feed ``sequence`` as one consumer batch; returns message id -> outcomes."""
    consumer = ServiceConsumer(testing.load_settings("marketing"), db, [], handlers, name="marketing")
    prepared = []
    for envelope, user in sequence:
        message = testing._FakeMessage(json.dumps(envelope).encode(), user, INTAKE_TYPE, "application/json")
        prepared.append((message, consumer.prepare(message, INTAKE_QUEUE)))
    rejected: list[Rejected] = []
    assert consumer._process_batch(prepared, rejected) == []
    outcomes: dict[str, list] = {}
    for item in rejected:
        outcomes.setdefault(item.envelope["id"], []).append((item.kind, item.reason))
    assert consumer.processed + len(rejected) == len(sequence)
    return outcomes


def _snapshot(db: Database) -> dict:
    """Everything intake wrote (after the submission was sent), with generated ids replaced
    by what they stand for and times left out."""
    with db.transaction() as session:
        sent_at = session.scalar(select(Submission.sent_at))
        quotes = list(session.scalars(select(Quote)))
        names = {q.id: f"quote:{q.market_id}/{q.carrier_quote_ref}/r{q.revision}" for q in quotes}
        rename = _renamer(names)
        return {
            "quotes": sorted((rename({c.key: getattr(q, c.key) for c in Quote.__table__.columns
                                     if c.key not in ("id", "received_at")}) | {"name": names[q.id]} for q in quotes),
                             key=lambda q: q["name"]),
            "market_list": sorted((e.submission_id, e.market_id, e.status, e.answered_at is not None)
                                  for e in session.scalars(select(SubmissionMarket))),
            "submissions": sorted((s.id, s.status, s.comparison_ready_at is not None)
                                  for s in session.scalars(select(Submission))),
            "outbox": [_event(rename, exchange, routing_key, body) for exchange, routing_key, body in session.execute(
                select(OUTBOX.c.exchange, OUTBOX.c.routing_key, OUTBOX.c.body)
                .where(OUTBOX.c.created_at > sent_at).order_by(OUTBOX.c.seq))],
            "audit": [rename({"actor": a.actor, "action": a.action, "entity": (a.entity_type, a.entity_id),
                              "details": a.details, "correlation_id": a.correlation_id})
                      for a in session.execute(select(AUDIT_LOG).where(AUDIT_LOG.c.at > sent_at).order_by(AUDIT_LOG.c.id))],
            "inbox": sorted(session.scalars(select(INBOX.c.message_id))),
        }


def _renamer(names: dict[str, str]):
    def rename(value):
        if isinstance(value, dict):
            return {k: ("<generated>" if k in ("request_id", "requests", "generated_at", "prepared_on") else rename(v))
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [rename(v) for v in value]
        return names.get(value, value) if isinstance(value, str) else value
    return rename


def _event(rename, exchange, routing_key, body) -> dict:
    envelope = json.loads(body)
    return rename({"exchange": exchange, "routing_key": routing_key, "type": envelope["type"],
                   "subject": envelope["subject"], "source": envelope["source"],
                   "correlationid": envelope["correlationid"], "causationid": envelope["causationid"],
                   "data": envelope["data"]})


def test_a_mixed_batch_has_exactly_the_effect_of_one_message_after_another(backend, caplog):
    one_by_one, batched = backend("one_by_one"), backend("batched")
    submission_id = golden_submission_sent(one_by_one)
    assert golden_submission_sent(batched) == submission_id
    sequence = mixed_sequence(submission_id)

    with caplog.at_level(logging.WARNING, logger="shared.kit.consumer"):
        expected_outcomes = _run(one_by_one, PER_MESSAGE, sequence)
        outcomes = _run(batched, HANDLERS, sequence)
    assert "processing" not in caplog.text  # the batch path ran, no fallback

    assert outcomes == expected_outcomes
    assert sorted(kind for letters in outcomes.values() for kind, _reason in letters) == sorted(
        ["forged_market", "forged_market", "unknown_submission", "unknown_market"])
    expected, got = _snapshot(one_by_one), _snapshot(batched)
    assert got == expected
    # what the sequence did, so that the comparison above compares something
    new_events = [e["type"] for e in got["outbox"]]
    assert new_events.count("carrier.quote.replied") == 10
    assert new_events.count("marketing.comparison.ready") == 1
    assert sorted(e["data"]["kind"] for e in got["outbox"] if e["type"] == "documents.document.requested"
                  and e["data"]["kind"] in ("comparison_xlsx", "proposal_docx")) == ["comparison_xlsx", "proposal_docx"]
    assert [r["data"]["outcome"] for r in got["outbox"] if r["type"] == "carrier.quote.replied"] == [
        "accepted", "duplicate", "rejected", "accepted", "rejected", "accepted",
        "accepted", "accepted", "accepted", "accepted"]
    ready = next(e for e in got["outbox"] if e["type"] == "marketing.comparison.ready")
    assert (ready["correlationid"], ready["data"]["quote_count"]) == ("corr-last", 1)
    late = [q for q in got["quotes"] if q["carrier_quote_ref"] == "GSC-LATE"]
    assert [(q["revision"], q["is_current"], q["supersedes_id"]) for q in late] == [
        (1, False, None), (2, False, f"quote:{QUOTING}/GSC-LATE/r1"),
        (3, False, f"quote:{QUOTING}/GSC-LATE/r2"), (4, True, f"quote:{QUOTING}/GSC-LATE/r3")]


def test_batches_that_follow_one_another_see_what_the_earlier_ones_stored(backend):
    one_by_one, batched = backend("one_by_one"), backend("batched")
    submission_id = golden_submission_sent(one_by_one)
    golden_submission_sent(batched)
    sequence = mixed_sequence(submission_id)
    _run(one_by_one, PER_MESSAGE, sequence)
    for start in range(0, len(sequence), 4):
        _run(batched, HANDLERS, sequence[start:start + 4])
    assert _snapshot(batched) == _snapshot(one_by_one)


def test_a_failing_batch_falls_back_to_one_message_at_a_time_with_the_same_effect(backend):
    one_by_one, fallen_back = backend("one_by_one"), backend("fallen_back")
    submission_id = golden_submission_sent(one_by_one)
    golden_submission_sent(fallen_back)
    sequence = mixed_sequence(submission_id)

    def breaks_after_writing(session, deliveries):
        HANDLERS[INTAKE_TYPE].batch(session, deliveries)
        raise RuntimeError("the batch went wrong after writing")

    failing = {**HANDLERS, INTAKE_TYPE: BatchHandler(single=on_quote_submitted, batch=breaks_after_writing, json_form=True)}
    assert _run(fallen_back, failing, sequence) == _run(one_by_one, PER_MESSAGE, sequence)
    assert _snapshot(fallen_back) == _snapshot(one_by_one)

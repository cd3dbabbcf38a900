"""Batch-capable handlers in the consumer: one inbox claim and one call for a batch's
messages of a type, duplicates and dead letters as on the per-message path, and the
per-message path whenever the batch function fails; the outbox and audit log written in
bulk, in order, each row with its own message's correlation and causation ids."""
import gc
import json
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import JSON, Column, Integer, String, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from shared import testing
from shared.contracts.envelope import build_envelope
from shared.kit.audit import AuditEntry, audit_many
from shared.kit.consumer import BatchHandler, DeadLetter, ServiceConsumer
from shared.kit.db import AUDIT_LOG, INBOX, OUTBOX, Database, add_kit_tables, bulk_insert, new_metadata
from shared.kit.outbox import Event, record_events

METADATA = new_metadata()
add_kit_tables(METADATA)
SEEN = Table("seen_batch", METADATA, Column("id", Integer, primary_key=True), Column("client_id", String(64)),
             Column("via", String(10)), Column("facts", JSON))
TYPE = "accounts.client.registered"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        database = Database(testing.embedded_settings("kitbatch", tmp_path).database_url)
    else:
        database = Database(request.getfixturevalue("postgres_url_for")(f"kitbatch_{uuid.uuid4().hex[:8]}"))
    METADATA.create_all(database.engine)
    yield database
    database.dispose()


def _single(session, delivery):
    if delivery.data["name"] == "refuse":
        raise DeadLetter("the business refuses this one", kind="refused")
    session.execute(insert(SEEN).values(client_id=delivery.data["client_id"], via="single"))


def _batch(session, deliveries):
    verdicts = {}
    for delivery in deliveries:
        if delivery.data["name"] == "refuse":
            verdicts[delivery.message_id] = DeadLetter("the business refuses this one", kind="refused")
        else:
            session.execute(insert(SEEN).values(client_id=delivery.data["client_id"], via="batch"))
            verdicts[delivery.message_id] = None
    return verdicts


def _breaking_batch(session, deliveries):
    _batch(session, deliveries)
    raise RuntimeError("the batch went wrong after writing")


def _envelope(name, message_id=None):
    data = {"client_id": f"c-{name}", "program": "motor", "name": name, "status": "client",
            "credentials": [{"kind": "DMV_CA", "number": "CA123456"}]}
    return build_envelope(event_type=TYPE, version=1, source="accounts", data=data,
                          message_id=message_id or str(uuid.uuid4()), subject=None,
                          correlation_id=f"corr-{name}", causation_id=None)


def _run(db, handler, envelopes):
    consumer = ServiceConsumer(testing.load_settings("kitbatch"), db, [], {TYPE: handler}, name="kitbatch")
    prepared = []
    for envelope in envelopes:
        message = testing._FakeMessage(json.dumps(envelope).encode(), None, TYPE, "application/json")
        prepared.append((message, consumer.prepare(message, "kitbatch")))
    rejected = []
    failed = consumer._process_batch(prepared, rejected)
    return consumer, rejected, failed


def _seen(db):
    with db.transaction() as session:
        return sorted(session.execute(select(SEEN.c.client_id, SEEN.c.via)).all())


def _inbox(db):
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(INBOX))


def test_a_batch_handler_takes_the_batch_in_one_call_with_duplicates_and_dead_letters(db):
    earlier = _envelope("earlier")
    _run(db, BatchHandler(_single, _batch), [earlier, _envelope("one")])
    twice = _envelope("twice")
    consumer, rejected, failed = _run(db, BatchHandler(_single, _batch),
                                      [earlier, twice, _envelope("refuse"), twice, _envelope("two")])
    assert failed == []
    assert [(r.kind, r.reason) for r in rejected] == [("refused", "the business refuses this one")]
    assert consumer.processed == 4  # earlier and the second "twice" as duplicates
    assert _seen(db) == [("c-earlier", "batch"), ("c-one", "batch"), ("c-twice", "batch"), ("c-two", "batch")]
    assert _inbox(db) == 4  # the refused message is not recorded as processed


def test_when_the_batch_function_fails_each_message_takes_the_per_message_path(db):
    consumer, rejected, failed = _run(db, BatchHandler(_single, _breaking_batch),
                                      [_envelope("one"), _envelope("refuse"), _envelope("two")])
    assert failed == []
    assert [r.kind for r in rejected] == ["refused"]
    assert consumer.processed == 2
    assert _seen(db) == [("c-one", "single"), ("c-two", "single")]  # nothing of the failed batch stays
    assert _inbox(db) == 2


def test_plain_function_handlers_work_as_before(db):
    consumer, rejected, failed = _run(db, _single, [_envelope("one"), _envelope("refuse"), _envelope("two")])
    assert (consumer.processed, [r.kind for r in rejected], failed) == (2, ["refused"], [])
    assert _seen(db) == [("c-one", "single"), ("c-two", "single")]


def test_events_and_audit_rows_written_in_bulk_keep_their_order_and_their_own_ids(db):
    events = [Event(TYPE, _envelope(f"n{i}")["data"], subject=f"s{i}", correlation_id=f"corr-{i}",
                    causation_id=f"msg-{i}") for i in range(30)]
    with db.transaction() as session:
        record_events(session, "accounts", events)
        audit_many(session, [AuditEntry("service:test", "client.seen", "client", f"c-{i}", {"n": i}, f"corr-{i}")
                             for i in range(30)])
    with db.transaction() as session:
        bodies = [json.loads(b) for b in session.scalars(select(OUTBOX.c.body).order_by(OUTBOX.c.seq))]
        audits = session.execute(select(AUDIT_LOG.c.entity_id, AUDIT_LOG.c.correlation_id, AUDIT_LOG.c.details)
                                 .order_by(AUDIT_LOG.c.id)).all()
    assert [(b["subject"], b["correlationid"], b["causationid"]) for b in bodies] == [
        (f"s{i}", f"corr-{i}", f"msg-{i}") for i in range(30)]
    assert [tuple(a) for a in audits] == [(f"c-{i}", f"corr-{i}", {"n": i}) for i in range(30)]


def test_a_bulk_insert_keeps_json_as_given(db):
    facts = {"zeta": 1, "alpha": {"b": "2", "a": [3, None]}}
    with db.transaction() as session:
        bulk_insert(session, SEEN, [{"client_id": "c-1", "via": "bulk", "facts": facts},
                                    {"client_id": "c-2", "via": "bulk", "facts": None}])
        session.execute(insert(SEEN).values(client_id="c-3", via="insert", facts=None))
    with db.transaction() as session:
        stored = session.execute(select(SEEN.c.facts).order_by(SEEN.c.id)).scalars().all()
        sql_nulls = session.execute(select(SEEN.c.via).where(SEEN.c.facts.is_(None))).scalars().all()
    assert stored == [facts, None, None] and list(stored[0]) == ["zeta", "alpha"]
    assert sql_nulls == []  # None is JSON null either way, as SQLAlchemy stores it


class _AckableMessage(testing._FakeMessage):
    """A delivered message on a channel of its own (so acked one by one)."""

    acknowledged = False

    def __init__(self, body: bytes, delivery_tag: int):
        super().__init__(body, None, TYPE, "application/json")
        self.channel, self.delivery_tag = object(), delivery_tag

    def ack(self, multiple=False):
        self.acknowledged = True


def test_a_batch_runs_with_the_cyclic_collector_paused_and_it_resumes_after(db):
    collector_on = []

    def handler(session, delivery):
        collector_on.append(gc.isenabled())
        _single(session, delivery)

    consumer = ServiceConsumer(testing.load_settings("kitbatch"), db, [], {TYPE: handler}, name="kitbatch")
    messages = [_AckableMessage(json.dumps(_envelope(name)).encode(), tag) for tag, name in enumerate(("one", "two"))]
    consumer._buffer = [(message, "kitbatch") for message in messages]
    assert gc.isenabled()
    consumer.flush()
    assert collector_on == [False, False] and gc.isenabled()
    assert [m.acknowledged for m in messages] == [True, True] and consumer.processed == 2


def test_a_bulk_insert_that_breaks_a_constraint_raises_as_any_statement_does(db):
    with db.transaction() as session:
        bulk_insert(session, INBOX, [{"consumer": "c", "message_id": "m-1", "message_type": TYPE,
                                      "processed_at": datetime.now(timezone.utc)}])
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            bulk_insert(session, INBOX, [{"consumer": "c", "message_id": "m-1", "message_type": TYPE,
                                          "processed_at": datetime.now(timezone.utc)}])
    assert _inbox(db) == 1

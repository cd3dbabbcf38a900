"""The messaging backbone on both backends: outbox → relay → broker → idempotent batch
consumer, dead-lettering every kind of poison message while valid ones keep flowing."""
import json
import threading
import time
import uuid

import pytest
from kombu import Exchange, Queue, binding
from sqlalchemy import Column, Integer, String, func, insert, select

from shared import testing
from shared.contracts.envelope import build_envelope
from shared.kit import broker
from shared.kit.consumer import DeadLetter, ServiceConsumer
from shared.kit.db import OUTBOX, Database, add_kit_tables, new_metadata
from shared.kit.outbox import record_event
from shared.kit.relay import OutboxRelay
from shared.kit.topology import DEAD_LETTERS, EVENTS, EXCHANGES, dead_letter_queue, is_amqp

METADATA = new_metadata()
add_kit_tables(METADATA)
from sqlalchemy import Table  # noqa: E402

SEEN = Table("seen", METADATA, Column("id", Integer, primary_key=True), Column("client_id", String(64)))

CLIENT = {"client_id": "c-1", "program": "motor", "name": "Acme Trucking", "status": "client",
          "credentials": [{"kind": "DMV_CA", "number": "CA123456"}]}


@pytest.fixture(params=["embedded", "real"])
def env(request, tmp_path):
    if request.param == "embedded":
        settings = testing.embedded_settings("kittest", tmp_path)
        yield settings
        return
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    with testing.rabbit_vhost("kit") as url, testing.postgres_database("kit") as (base, created):
        db_url = testing.ensure_postgres_database(base, created)
        yield testing.embedded_settings("kittest", tmp_path, broker_url=url, database_url=db_url)


def _setup(settings):
    db = Database(settings.database_url)
    METADATA.create_all(db.engine)
    queue_name = f"kittest-{uuid.uuid4().hex[:6]}"
    with broker.connect(settings) as conn:
        amqp = is_amqp(conn)
        for ex in EXCHANGES:
            ex(conn.default_channel).declare()
        args = {"x-queue-type": "quorum"} if amqp else None
        queue = Queue(queue_name, bindings=[binding(EVENTS, routing_key="accounts.client.registered")],
                      durable=True, queue_arguments=args)
        queue(conn.default_channel).declare()
        dead_letter_queue(queue_name, amqp)(conn.default_channel).declare()
    return db, queue


def _handler(session, delivery):
    if delivery.data["name"] == "explode":
        raise RuntimeError("boom")
    if delivery.data["name"] == "refuse":
        raise DeadLetter("the business refuses this one")
    session.execute(insert(SEEN).values(client_id=delivery.data["client_id"]))


def _run_consumer(settings, db, queue, until):
    # The service also handles accounts.client.updated, but its queue is bound only to
    # accounts.client.registered: an envelope claiming the other type is refused.
    consumer = ServiceConsumer(settings, db, [queue], {"accounts.client.registered": _handler,
                                                       "accounts.client.updated": _handler}, name="kittest")
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        testing.wait_for(lambda: until(), timeout=30, message="consumer progress")
    finally:
        stop.set()
        thread.join(timeout=10)
    return consumer


def _raw_publish(settings, body, *, content_type="application/json", message_id=None):
    with broker.connect(settings) as conn:
        conn.Producer().publish(body if isinstance(body, bytes) else body.encode(), exchange=EVENTS,
                                routing_key="accounts.client.registered", content_type=content_type,
                                content_encoding="utf-8", message_id=message_id or str(uuid.uuid4()))


def _envelope(data, version=1, message_id=None):
    return build_envelope(event_type="accounts.client.registered", version=version, source="accounts",
                          data=data, message_id=message_id or str(uuid.uuid4()), subject=None,
                          correlation_id="corr-1", causation_id=None)


def _count(db, table=SEEN):
    with db.transaction() as s:
        return s.execute(select(func.count()).select_from(table)).scalar()


def _dlq(settings, queue_name, expected):
    got = []
    with broker.connect(settings) as conn:
        dlq = dead_letter_queue(queue_name, is_amqp(conn))
        with conn.Consumer([dlq], accept=None, on_message=lambda m: (got.append(m.headers), m.ack())):
            testing.wait_for(lambda: (_drain(conn), len(got) >= expected)[1], timeout=20, message="dead letters")
    return got


def _drain(conn):
    try:
        conn.drain_events(timeout=0.2)
    except TimeoutError:
        pass


def test_outbox_event_reaches_consumer_once_even_when_delivered_twice(env):
    db, queue = _setup(env)
    with db.transaction() as s:
        envelope = record_event(s, "accounts", "accounts.client.registered", CLIENT, subject="c-1")
    relay = OutboxRelay(env, db)
    assert relay.drain() == 1
    with db.transaction() as s:
        assert s.execute(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))).scalar() == 0
    _raw_publish(env, json.dumps(envelope), message_id=envelope["id"])  # the broker redelivers
    consumer = _run_consumer(env, db, queue, lambda: _count(db) >= 1 and consumer_seen(db) >= 2)
    relay.close()
    assert _count(db) == 1


def consumer_seen(db):
    from shared.kit.db import INBOX

    with db.transaction() as s:
        return 2 if s.execute(select(func.count()).select_from(INBOX)).scalar() >= 1 else 0


def test_producer_refuses_an_event_that_breaks_its_contract(env):
    db, _queue = _setup(env)
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        with db.transaction() as s:
            record_event(s, "accounts", "accounts.client.registered", {**CLIENT, "surprise": 1})
    assert _count(db, OUTBOX) == 0


def test_poison_messages_are_dead_lettered_with_reasons_and_valid_ones_flow(env):
    db, queue = _setup(env)
    valid = [_envelope({**CLIENT, "client_id": f"c-{i}"}) for i in range(20)]
    poison = [
        (b"{not json", "application/json", "malformed"),
        (json.dumps(_envelope({"client_id": "x"})), "application/json", "schema_violation"),
        (json.dumps(_envelope(CLIENT, version=7)), "application/json", "unknown_version"),
        (json.dumps({**_envelope(CLIENT), "data": {**CLIENT, "name": "x" * 300_000}}), "application/json", "oversized"),
        (json.dumps({"hello": "world"}), "application/json", "invalid_envelope"),
        (json.dumps(_envelope({**CLIENT, "name": "explode"})), "application/json", "handler_error"),
        (json.dumps(_envelope({**CLIENT, "name": "refuse"})), "application/json", "rejected"),
        (b"\x80\x04K\x01.", "application/x-python-serialize", "content_type"),
        (json.dumps(build_envelope(event_type="accounts.client.updated", version=1, source="carrier:forger",
                                   data=CLIENT, message_id=str(uuid.uuid4()), subject=None,
                                   correlation_id=None, causation_id=None)), "application/json", "unexpected_type"),
    ]
    for i, env_ in enumerate(valid):
        _raw_publish(env, json.dumps(env_), message_id=env_["id"])
        if i < len(poison):
            body, ctype, _kind = poison[i]
            _raw_publish(env, body, content_type=ctype)
    _run_consumer(env, db, queue, lambda: _count(db) >= 20)
    headers = _dlq(env, queue.name, len(poison))
    kinds = sorted(h["x-dead-letter-kind"] for h in headers)
    assert kinds == sorted(kind for _b, _c, kind in poison)
    assert all(h["x-dead-letter-reason"] for h in headers)
    assert _count(db) == 20


def test_rows_stay_unsent_when_the_broker_is_unreachable(tmp_path):
    settings = testing.embedded_settings("kittest", tmp_path, broker_url="amqp://guest:guest@127.0.0.1:1/")
    db = Database(settings.database_url)
    METADATA.create_all(db.engine)
    with db.transaction() as s:
        record_event(s, "accounts", "accounts.client.registered", CLIENT)
    relay = OutboxRelay(settings, db)
    with pytest.raises(Exception):
        relay.publish_pending()
    with db.transaction() as s:
        assert s.execute(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))).scalar() == 1


def test_a_failed_batch_commit_decides_every_message_again_and_dead_letters_none_twice(tmp_path, monkeypatch):
    """The batch's transaction fails at commit: its refusals are forgotten with it, and each
    message is handled again on its own (the refused one refused once, the others stored)."""
    from sqlalchemy.exc import OperationalError

    from shared.kit.consumer import ServiceConsumer

    settings = testing.embedded_settings("kittest", tmp_path)
    db = Database(settings.database_url)
    METADATA.create_all(db.engine)
    consumer = ServiceConsumer(settings, db, [], {"accounts.client.registered": _handler}, name="kittest")
    messages = [testing._FakeMessage(json.dumps(_envelope({**CLIENT, "client_id": f"c-{i}", "name": name})).encode(),
                                     None, "accounts.client.registered", "application/json")
                for i, name in enumerate(["A", "refuse", "B"])]
    deliveries = [(m, consumer.prepare(m, "q")) for m in messages]
    real_transaction = db.transaction
    calls = {"n": 0}

    from contextlib import contextmanager

    @contextmanager
    def failing_once():
        calls["n"] += 1
        with real_transaction() as session:
            yield session
            if calls["n"] == 1:
                raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db, "transaction", failing_once)
    rejected = []
    failed = consumer._process_batch(deliveries, rejected)
    assert rejected == [] and len(failed) == 3
    for message, delivery, error in failed:
        consumer._retry_alone(message, delivery, error, rejected)
    assert [r.kind for r in rejected] == ["rejected"]
    assert _count(db) == 2


def _real_env(tmp_path):
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    return testing.rabbit_vhost("kitrelay"), testing.postgres_database("kitrelay")


def _fill_outbox(db, n):
    with db.transaction() as session:
        for i in range(n):
            record_event(session, "accounts", "accounts.client.registered", {**CLIENT, "client_id": f"c-{i:04d}"})


def _unsent(db):
    with db.transaction() as s:
        return s.execute(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))).scalar()


def _received_ids(settings, queue, expected):
    got = []
    with broker.connect(settings) as conn:
        def on_message(message):
            got.append(json.loads(message.body)["data"]["client_id"])
            message.ack()
        with conn.Consumer([queue], accept=["json"], on_message=on_message, prefetch_count=500):
            deadline = time.monotonic() + 30
            while len(got) < expected:
                assert time.monotonic() < deadline, f"received {len(got)} of {expected} relayed messages"
                _drain(conn)
    return got


def test_the_pipelined_relay_keeps_two_batches_in_flight_and_publishes_everything_once_in_order(tmp_path):
    vhost, database = _real_env(tmp_path)
    with vhost as url, database as (base, created):
        settings = testing.embedded_settings("kittest", tmp_path, broker_url=url,
                                             database_url=testing.ensure_postgres_database(base, created))
        db, queue = _setup(settings)
        _fill_outbox(db, 530)
        relay = OutboxRelay(settings, db, batch=50)
        assert relay.pipelined
        assert relay.drain(timeout=60) == 530
        relay.close()
        assert _unsent(db) == 0
        assert _received_ids(settings, queue, 530) == [f"c-{i:04d}" for i in range(530)]


def test_a_batch_the_broker_does_not_confirm_rolls_back_every_batch_in_flight(tmp_path, monkeypatch):
    from shared.kit import relay as relay_module

    vhost, database = _real_env(tmp_path)
    with vhost as url, database as (base, created):
        settings = testing.embedded_settings("kittest", tmp_path, broker_url=url,
                                             database_url=testing.ensure_postgres_database(base, created))
        db, queue = _setup(settings)
        _fill_outbox(db, 200)
        calls = []
        original = relay_module._ConfirmingChannel.await_confirms

        def refuse_the_second(self, first, last):
            calls.append((first, last))
            if len(calls) == 2:
                raise relay_module.ConfirmTimeout("broker confirmed 0 of 50")
            return original(self, first, last)

        monkeypatch.setattr(relay_module._ConfirmingChannel, "await_confirms", refuse_the_second)
        relay = OutboxRelay(settings, db, batch=50)
        with pytest.raises(relay_module.ConfirmTimeout):
            relay.drain(timeout=60)
        relay.close()
        # The first batch was confirmed and committed; the second (refused) and the third
        # (published while the second awaited its confirms) stay unsent.
        assert _unsent(db) == 150
        monkeypatch.setattr(relay_module._ConfirmingChannel, "await_confirms", original)
        relay = OutboxRelay(settings, db, batch=50)
        assert relay.drain(timeout=60) == 150
        relay.close()
        assert _unsent(db) == 0
        received = _received_ids(settings, queue, 250)
        # Republished rows arrive again (consumers deduplicate by message id); none is lost.
        assert set(received) == {f"c-{i:04d}" for i in range(200)}

"""The outbox relay's publishing: the frames it writes for a batch are the bytes py-amqp
would write message by message, consumers receive the properties they rely on, a batch
the broker refuses stays unsent, and the claim reads unsent rows from their index."""
import json
import uuid
from types import SimpleNamespace

import amqp
import pytest
from amqp import spec
from amqp.method_framing import frame_writer
from amqp.serialization import dumps
from kombu import Queue
from sqlalchemy import func, insert, select, text

from shared import testing
from shared.kit import broker
from shared.kit.db import OUTBOX, Database, KIT_METADATA, utcnow
from shared.kit.outbox import record_event
from shared.kit.relay import ConfirmTimeout, OutboxRelay, _PublishFrames
from shared.kit.topology import EVENTS, is_amqp

CLIENT = {"client_id": "c-1", "program": "motor", "name": "Acme Trucking", "status": "client",
          "credentials": [{"kind": "DMV_CA", "number": "CA123456"}]}


def _row(body, headers=None, exchange="platform.events", routing_key="accounts.client.registered", message_id=None):
    return SimpleNamespace(message_id=message_id or str(uuid.uuid4()), exchange=exchange, routing_key=routing_key,
                           body=body, headers=headers or {})


def _py_amqp_bytes(rows, channel_id, frame_max):
    """What py-amqp's basic_publish writes for each row, one message at a time."""
    written = []
    connection = SimpleNamespace(frame_max=frame_max, bytes_sent=0)
    write = frame_writer(connection, SimpleNamespace(write=lambda data: written.append(bytes(data))))
    for row in rows:
        message = amqp.Message(row.body, content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                               message_id=row.message_id, application_headers=row.headers or {})
        write(1, channel_id, spec.Basic.Publish,
              dumps("Bssbb", (0, row.exchange, row.routing_key, False, False)), message)
    return b"".join(written)


def test_a_batch_is_written_as_the_exact_frames_py_amqp_would_write_message_by_message():
    rows = [
        _row('{"a": 1}'),
        _row('{"name": "Société Générale — 東京"}',
             headers={"x-tenant": "t-1", "x-attempt": 2, "x-trace": {"hop": [1, 2]}}),
        _row(json.dumps({"blob": "x" * 10_000}), routing_key="documents.document.generated"),  # split over frames
        _row('{"b": 2}', exchange="platform.commands"),
        _row('{"c": 3}'),
    ]
    for frame_max in (4096, 131072):
        assert _PublishFrames(3, frame_max).build(rows) == _py_amqp_bytes(rows, 3, frame_max)


def test_a_message_id_too_long_for_amqp_is_refused_before_anything_is_written():
    with pytest.raises(ValueError):
        _PublishFrames(1, 131072).build([_row("{}", message_id="m" * 256)])


@pytest.fixture(params=["embedded", "real"])
def env(request, tmp_path):
    if request.param == "embedded":
        yield testing.embedded_settings("relaytest", tmp_path)
        return
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    with testing.rabbit_vhost("relay") as url, testing.postgres_database("relay") as (base, created):
        yield testing.embedded_settings("relaytest", tmp_path, broker_url=url,
                                        database_url=testing.ensure_postgres_database(base, created))


@pytest.fixture
def real(tmp_path):
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    with testing.rabbit_vhost("relay") as url, testing.postgres_database("relay") as (base, created):
        yield testing.embedded_settings("relaytest", tmp_path, broker_url=url,
                                        database_url=testing.ensure_postgres_database(base, created))


def _db(settings):
    db = Database(settings.database_url)
    KIT_METADATA.create_all(db.engine)
    return db


def _queue(settings, routing_key, arguments=None):
    with broker.connect(settings) as conn:
        EVENTS(conn.default_channel).declare()
        if arguments is None and is_amqp(conn):
            arguments = {"x-queue-type": "quorum"}
        queue = Queue(f"relaytest-{uuid.uuid4().hex[:6]}", exchange=EVENTS, routing_key=routing_key, durable=True,
                      queue_arguments=arguments)
        queue(conn.default_channel).declare()
    return queue


def _unsent(db):
    with db.transaction() as s:
        return s.execute(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))).scalar()


def test_consumers_receive_the_stored_body_with_the_event_id_as_message_id_and_the_headers(env):
    db = _db(env)
    queue = _queue(env, "accounts.client.registered")
    with db.transaction() as s:
        envelope = record_event(s, "accounts", "accounts.client.registered", CLIENT, headers={"x-tenant": "t-1"})
        stored = s.execute(select(OUTBOX.c.body)).scalar_one()
    relay = OutboxRelay(env, db)
    assert relay.drain() == 1
    relay.close()
    got = []
    with broker.connect(env) as conn:
        with conn.Consumer([queue], accept=["json"], on_message=lambda m: (got.append(m), m.ack())):
            testing.wait_for(lambda: (_drain(conn), got)[1], timeout=20, message="relayed message")
    message = got[0]
    # py-amqp hands a utf-8 body over decoded, the filesystem transport as bytes.
    assert (message.body if isinstance(message.body, str) else message.body.decode()) == stored
    assert json.loads(message.body)["correlationid"] == envelope["correlationid"]
    assert message.properties["message_id"] == envelope["id"]
    assert (message.content_type, message.content_encoding) == ("application/json", "utf-8")
    assert message.properties["delivery_mode"] == 2
    assert message.headers == {"x-tenant": "t-1"}


def _drain(conn):
    try:
        conn.drain_events(timeout=0.2)
    except TimeoutError:
        pass


def test_a_batch_sent_to_a_missing_exchange_stays_unsent_and_fails_the_relay(real):
    db = _db(real)
    _queue(real, "accounts.client.registered")
    with db.transaction() as s:
        record_event(s, "accounts", "accounts.client.registered", CLIENT)
        record_event(s, "accounts", "accounts.client.registered", CLIENT, exchange="no.such.exchange")
        record_event(s, "accounts", "accounts.client.registered", CLIENT)
    relay = OutboxRelay(real, db)
    with pytest.raises(amqp.exceptions.NotFound):
        relay.drain(timeout=30)
    relay.close()
    assert _unsent(db) == 3


def test_messages_the_broker_refuses_are_not_marked_sent(real):
    """A queue that rejects what overflows it makes the broker nack those publishes."""
    db = _db(real)
    _queue(real, "accounts.client.registered", {"x-max-length": 1, "x-overflow": "reject-publish"})
    with db.transaction() as s:
        for i in range(3):
            record_event(s, "accounts", "accounts.client.registered", {**CLIENT, "client_id": f"c-{i}"})
    relay = OutboxRelay(real, db)
    with pytest.raises(ConfirmTimeout, match="refused"):
        relay.drain(timeout=30)
    relay.close()
    assert _unsent(db) == 3


def test_the_claim_reads_unsent_rows_in_order_from_their_index_whatever_the_sent_rows_kept(real):
    """Sent rows are kept a week: a claim that sorted, or walked the primary key past
    them, would cost more the more was sent."""
    db = _db(real)
    now = utcnow()
    rows = [{"message_id": str(uuid.uuid4()), "exchange": "platform.events", "routing_key": "k", "body": "{}",
             "headers": {}, "created_at": now, "sent_at": now if i < 20_000 else None} for i in range(20_200)]
    with db.transaction() as s:
        s.execute(insert(OUTBOX), rows)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE outbox"))
        statement = OutboxRelay(real, db, batch=100).claim_statement(postgresql=True)
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(
            "EXPLAIN " + str(statement.compile(conn, compile_kwargs={"literal_binds": True}))))
        conn.rollback()
    assert "Index Scan using ix_outbox_unsent" in plan
    assert "Sort" not in plan

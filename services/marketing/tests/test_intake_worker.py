"""The intake queue end to end with the real consumer, on the embedded broker and on
RabbitMQ (where the broker itself vouches for the publisher's user id): valid quotes
stored once, forged and malformed messages dead-lettered, and every carrier answered."""
from __future__ import annotations

import json
import threading
import uuid

import pytest
from kombu import Connection
from sqlalchemy import func, select

from services.marketing.messaging.handlers import HANDLERS, on_dead_letter
from services.marketing.models import Quote
from shared import testing
from shared.kit import broker
from shared.kit.consumer import ServiceConsumer
from shared.kit.db import Database
from shared.kit.migrations import upgrade
from shared.kit.topology import (
    CARRIER_INTAKE, INTAKE_QUEUE, INTAKE_ROUTING_KEY, dead_letter_queue, declare_service, is_amqp,
)

from .helpers import broker_user, emitted, golden_quote, golden_submission_sent, quote_envelope

QUOTING, DECLINING = "golden-state-casualty", "pacific-crest-specialty"


@pytest.fixture(params=["embedded", "rabbitmq"])
def world(request, tmp_path):
    if request.param == "embedded":
        settings = testing.embedded_settings("marketing", tmp_path)
        yield settings, {user: None for user in (broker_user(QUOTING), broker_user(DECLINING))}
        return
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    with testing.rabbit_vhost("marketing") as url:
        settings = testing.embedded_settings("marketing", tmp_path, broker_url=url)
        urls = {broker_user(m): testing.create_carrier_user(url, broker_user(m), "secret", m) for m in (QUOTING, DECLINING)}
        yield settings, urls


def _publish(settings, carrier_url, body: bytes, user_id: str) -> None:
    connection = Connection(carrier_url) if carrier_url else broker.connect(settings)
    with connection as conn:
        conn.Producer().publish(body, exchange=CARRIER_INTAKE, routing_key=INTAKE_ROUTING_KEY,
                                content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                                message_id=str(uuid.uuid4()), user_id=user_id)


def _stored(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Quote))


def _dead_letters(settings, expected: int) -> list[dict]:
    got = []
    with broker.connect(settings) as conn:
        queue = dead_letter_queue(INTAKE_QUEUE, is_amqp(conn))
        with conn.Consumer([queue], accept=None, on_message=lambda m: (got.append(m.headers), m.ack())):
            def drained():
                try:
                    conn.drain_events(timeout=0.2)
                except TimeoutError:
                    pass
                return len(got) >= expected
            testing.wait_for(drained, timeout=20, message="dead letters")
    return got


def test_the_intake_queue_stores_answers_once_and_answers_every_carrier(world):
    settings, carrier_urls = world
    upgrade("marketing", settings)
    db = Database(settings.database_url)
    submission_id = golden_submission_sent(db)
    queues = declare_queues(settings)  # before publishing, so nothing is unroutable
    quote = quote_envelope(golden_quote(0, submission_id=submission_id))
    declination = quote_envelope(golden_quote(1, submission_id=submission_id))
    forged = quote_envelope(golden_quote(0, submission_id=submission_id, carrier_quote_ref="FORGED-1"))
    quoting, declining = broker_user(QUOTING), broker_user(DECLINING)
    for body, user in ((quote, quoting), (forged, declining), (b"{not json", quoting), (quote, quoting),
                       (declination, declining)):
        payload = body if isinstance(body, bytes) else json.dumps({**body, "id": str(uuid.uuid4())}).encode()
        _publish(settings, carrier_urls[user], payload, user)

    consumer = ServiceConsumer(settings, db, queues, HANDLERS, on_dead_letter=on_dead_letter)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        testing.wait_for(lambda: consumer.processed >= 3, timeout=30, message="intake processed")
        headers = _dead_letters(settings, 2)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert _stored(db) == 2
    assert sorted(h["x-dead-letter-kind"] for h in headers) == ["forged_market", "malformed"]
    replies = [(r["_routing_key"], r["data"]["outcome"]) for r in emitted(db, "carrier.quote.replied")]
    assert sorted(replies) == sorted([(QUOTING, "accepted"), (QUOTING, "duplicate"), (DECLINING, "accepted"),
                                      (DECLINING, "rejected"), (QUOTING, "rejected")])
    assert len(emitted(db, "marketing.comparison.ready")) == 1
    db.dispose()


def declare_queues(settings):
    with broker.connect(settings) as conn:
        return declare_service(conn, "marketing")

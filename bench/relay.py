"""(b) The outbox relay's confirmed publishing (read the outbox, publish, await confirms in
batches, mark sent) beside raw unconfirmed kombu publishing of the same messages."""
from __future__ import annotations

import json
import uuid

from kombu import Queue
from sqlalchemy import insert

from bench.common import Timer, median, rate, real_servers, report
from shared import testing
from shared.contracts.envelope import build_envelope
from shared.contracts.registry import contract
from shared.kit import broker
from shared.kit.db import OUTBOX, Database, KIT_METADATA, utcnow
from shared.kit.relay import OutboxRelay
from shared.kit.topology import EVENTS

COUNT = 5000


def _bodies(n: int) -> list[tuple[str, str]]:
    data = contract("marketing.quote.received", 1).examples()[0]["data"]
    out = []
    for _ in range(n):
        message_id = str(uuid.uuid4())
        envelope = build_envelope(event_type="marketing.quote.received", version=1, source="marketing", data=data,
                                  message_id=message_id, subject=None, correlation_id=message_id, causation_id=None)
        out.append((message_id, json.dumps(envelope)))
    return out


def _sink(conn, name: str) -> None:
    # A bound queue, so that both runs route every message to a queue (the real cost).
    Queue(name, exchange=EVENTS, routing_key="marketing.quote.received", durable=True,
          queue_arguments={"x-queue-type": "quorum"})(conn.default_channel).declare()


def _raw_round(settings, bodies) -> float:
    with broker.connect(settings) as conn:
        producer = conn.Producer()
        with Timer() as raw:
            for message_id, body in bodies:
                producer.publish(body.encode(), exchange=EVENTS, routing_key="marketing.quote.received",
                                 content_type="application/json", content_encoding="utf-8",
                                 delivery_mode=2, message_id=message_id)
    return rate(len(bodies), raw.seconds)


def _relay_round(settings, db, bodies) -> float:
    with db.transaction() as session:
        session.execute(insert(OUTBOX), [
            {"message_id": str(uuid.uuid4()), "exchange": EVENTS.name, "routing_key": "marketing.quote.received",
             "body": body, "headers": {}, "created_at": utcnow()} for _mid, body in bodies])
    relay = OutboxRelay(settings, db)
    with Timer() as relayed:
        published = relay.drain(timeout=300)
    relay.close()
    assert published == len(bodies), f"relay published {published} of {len(bodies)}"
    return rate(len(bodies), relayed.seconds)


def run(count: int = COUNT, rounds: int = 5) -> dict:
    """Alternates baseline and relay rounds and compares the best round of each (on a
    shared 2-core machine interference only ever slows a round down, so the best round
    is the least disturbed measurement of either side)."""
    with real_servers("bench-relay") as (broker_url, db_url_for):
        settings = testing.embedded_settings("bench", testing.Path("/tmp/bench-relay"), broker_url=broker_url,
                                             database_url=db_url_for("relay"))
        db = Database(settings.database_url)
        KIT_METADATA.create_all(db.engine)
        bodies = _bodies(count)
        with broker.connect(settings) as conn:
            EVENTS(conn.default_channel).declare()
            _sink(conn, "bench.sink")
        raw_rates, relay_rates = [], []
        for _ in range(rounds):
            raw_rates.append(_raw_round(settings, bodies))
            relay_rates.append(_relay_round(settings, db, bodies))
        return report("relay", f"outbox relay, confirmed ({count} msgs, best of {rounds})", max(relay_rates),
                      "raw kombu publish, unconfirmed", max(raw_rates), target=0.7,
                      extra=f"medians {median(relay_rates):,.0f} / {median(raw_rates):,.0f}")


if __name__ == "__main__":
    run()

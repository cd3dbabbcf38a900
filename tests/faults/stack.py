"""Marketing's quote intake on the real servers, as the fault tests break it: a RabbitMQ
vhost and a PostgreSQL database of its own, a renewal submission sent to one market whose
carrier connects with its own broker user, the marketing worker as a real process, a
carrier publishing quotes with publisher confirms from a thread, and readers for what
ended up in the database, the queues and the dead-letter queue."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kombu import Connection, Queue
from sqlalchemy import func, select

from carrier_simulator.fleet import Market, load_fleet, market_records
from carrier_simulator.publish import Poison, encode, quote_envelopes, submission_for
from shared import testing
from shared.kit import broker
from shared.kit.config import REPO_ROOT, Settings
from shared.kit.db import OUTBOX, Database
from shared.kit.topology import (
    CARRIER_INTAKE, INTAKE_QUEUE, INTAKE_ROUTING_KEY, declare_service, dead_letter_queue, dlq_name,
)

QUOTING_MARKET = "golden-state-casualty"
FORGING_MARKET = "pacific-crest-specialty"
REPLY_TYPE = "carrier.quote.replied"
# Long enough to ride out a broker restart: a publish is retried until it is confirmed.
PUBLISH_RETRY = {"max_retries": 120, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 1.0}


def fleet_market(market_id: str) -> Market:
    return next(m for m in load_fleet() if m.id == market_id)


@dataclass
class IntakeStack:
    settings: Settings
    db: Database
    submission_id: str
    var_dir: Path
    carrier_urls: dict[str, str]
    workers: list[subprocess.Popen] = field(default_factory=list)

    # -- the carrier's side ----------------------------------------------------------
    def quotes(self, count: int, market_id: str = QUOTING_MARKET) -> list[dict]:
        return quote_envelopes(submission_for(self.submission_id, market_id), fleet_market(market_id), count)

    def carrier_connection(self, market_id: str) -> Connection:
        """The market's own broker user, with publisher confirms."""
        return Connection(self.carrier_urls[market_id], transport_options={"confirm_publish": True},
                          connect_timeout=5, heartbeat=0)

    def publisher(self, items: list[dict | Poison], *, market_id: str = QUOTING_MARKET,
                  per_second: float = 0) -> "Publisher":
        return Publisher(self, items, market_id=market_id, per_second=per_second)

    # -- the worker ------------------------------------------------------------------
    def start_worker(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.endswith(("DATABASE_URL", "BROKER_URL"))}
        env.update(MARKETING_DATABASE_URL=self.settings.database_url, MARKETING_BROKER_URL=self.settings.broker_url,
                   VAR_DIR=str(self.var_dir), PYTHONPATH=str(REPO_ROOT))
        log = open(self.var_dir / f"worker-{len(self.workers) + 1}.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", "services.marketing", "worker"], cwd=REPO_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.workers.append(process)
        testing.wait_for(lambda: process.poll() is not None or self.intake_consumers() > 0, timeout=30,
                         interval=0.1, message="the worker consuming the intake queue")
        assert process.poll() is None, f"worker exited with {process.returncode}: {self.worker_log(process)}"
        return process

    def stop_worker(self, process: subprocess.Popen) -> None:
        """SIGTERM: the worker finishes its batch, acks it and stops."""
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise AssertionError(f"worker ignored SIGTERM: {self.worker_log(process)}") from None

    def worker_log(self, process: subprocess.Popen, tail: int | None = 4000) -> str:
        path = self.var_dir / f"worker-{self.workers.index(process) + 1}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text[-tail:] if tail else text

    def shut_down(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    # -- the broker ------------------------------------------------------------------
    def _queue_state(self, name: str) -> tuple[int, int]:
        with broker.connect(self.settings, heartbeat=0) as conn:
            _name, ready, consumers = conn.default_channel.queue_declare(name, passive=True)
        return ready, consumers

    def intake_consumers(self) -> int:
        try:
            return self._queue_state(INTAKE_QUEUE)[1]
        except Exception:  # noqa: BLE001 - broker restarting
            return 0

    def intake_ready(self) -> int:
        return self._queue_state(INTAKE_QUEUE)[0]

    def dead_letters(self, expected: int | None = None, timeout: float = 20) -> list[dict]:
        """Everything in ``marketing.intake.dlq``: message id, headers, body size."""
        letters: list[dict] = []
        queue = dead_letter_queue(INTAKE_QUEUE, True)

        def take(message):
            letters.append({"message_id": message.properties.get("message_id"), "headers": dict(message.headers),
                            "size": len(message.body)})
            message.ack()

        with broker.connect(self.settings, heartbeat=0) as conn:
            with conn.Consumer([queue], accept=None, on_message=take, prefetch_count=100):
                deadline, quiet_since = time.monotonic() + timeout, time.monotonic()
                while time.monotonic() < deadline:
                    before = len(letters)
                    try:
                        conn.drain_events(timeout=0.3)
                    except TimeoutError:
                        pass
                    if len(letters) != before:
                        quiet_since = time.monotonic()
                    if expected is not None and len(letters) >= expected and time.monotonic() - quiet_since > 1:
                        break
                    if expected is None and time.monotonic() - quiet_since > 1.5:
                        break
        return letters

    def dead_letter_depth(self) -> int:
        return self._queue_state(dlq_name(INTAKE_QUEUE))[0]

    # -- the database ----------------------------------------------------------------
    def stored_quotes(self) -> int:
        from services.marketing.models import Quote

        with self.db.transaction() as session:
            return session.scalar(select(func.count()).select_from(Quote))

    def quote_keys(self) -> tuple[int, set[tuple[str, str, int]]]:
        """(rows, distinct (market, carrier quote ref, revision))."""
        from services.marketing.models import Quote

        with self.db.transaction() as session:
            rows = session.execute(select(Quote.market_id, Quote.carrier_quote_ref, Quote.revision)).all()
        return len(rows), {tuple(row) for row in rows}

    def replies(self) -> dict[tuple[str, str | None], Counter]:
        """(market, carrier quote ref) -> Counter of reply outcomes, from the outbox."""
        with self.db.transaction() as session:
            bodies = session.scalars(select(OUTBOX.c.body).where(OUTBOX.c.routing_key.is_not(None))
                                     .where(OUTBOX.c.exchange == "carrier.replies")).all()
        outcomes: dict[tuple[str, str | None], Counter] = defaultdict(Counter)
        for body in bodies:
            envelope = json.loads(body)
            if envelope["type"] == REPLY_TYPE:
                data = envelope["data"]
                outcomes[(data["market_id"], data["carrier_quote_ref"])][data["outcome"]] += 1
        return outcomes

    def outbox_backlog(self) -> int:
        with self.db.transaction() as session:
            return session.scalar(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None)))


class Publisher(threading.Thread):
    """A carrier publishing quotes (and poison messages) with confirms: each publish is
    retried, over a new connection if need be, until the broker confirmed it."""

    def __init__(self, stack: IntakeStack, items: list, *, market_id: str, per_second: float):
        super().__init__(name="carrier-publisher", daemon=True)
        self.stack = stack
        self.items = items
        self.market_id = market_id
        self.per_second = per_second
        self.published = 0
        self.error: BaseException | None = None
        self._own_user = fleet_market(market_id).broker_user
        self._market_of = {fleet_market(m).broker_user: m for m in stack.carrier_urls}
        self._connections: dict[str, Connection] = {}

    def run(self) -> None:
        started = time.monotonic()
        try:
            for item in self.items:
                self._publish(item)
                self.published += 1
                if self.per_second:
                    time.sleep(max(0.0, started + self.published / self.per_second - time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - reported by finish()
            self.error = exc
        finally:
            for conn in self._connections.values():
                conn.release()

    def _publish(self, item) -> None:
        if isinstance(item, Poison):
            body, message_id, user_id = item.body, item.message_id, item.user_id
        else:
            body, message_id, user_id = encode(item), item["id"], self._own_user
        market_id = self._market_of[user_id]  # published over that user's own connection
        conn = self._connections.get(market_id)
        if conn is None:
            conn = self._connections[market_id] = self.stack.carrier_connection(market_id)
        conn.Producer(auto_declare=False).publish(
            body, exchange=CARRIER_INTAKE.name, routing_key=INTAKE_ROUTING_KEY, content_type="application/json",
            content_encoding="utf-8", delivery_mode=2, message_id=message_id, user_id=user_id,
            retry=True, retry_policy=PUBLISH_RETRY)

    def finish(self, timeout: float = 60) -> int:
        self.join(timeout)
        assert not self.is_alive(), f"publisher still running after {timeout}s ({self.published} published)"
        if self.error is not None:
            raise self.error
        return self.published


def assert_every_quote_stored_and_accepted_once(stack: IntakeStack, quotes: list[dict]) -> set[str]:
    """Every published quote stored exactly once (rows = distinct keys = published) and
    answered "accepted" exactly once, redeliveries "duplicate" at most.  Returns the refs."""
    rows, keys = stack.quote_keys()
    expected = {(QUOTING_MARKET, q["data"]["carrier_quote_ref"], q["data"]["revision"]) for q in quotes}
    assert rows == len(keys) == len(quotes), f"{rows} rows, {len(keys)} distinct, {len(quotes)} published"
    assert keys == expected, f"lost {len(expected - keys)}, unexpected {len(keys - expected)}"
    refs = {ref for _market, ref, _revision in expected}
    replies = {ref: outcomes for (market, ref), outcomes in stack.replies().items()
               if market == QUOTING_MARKET and ref in refs}
    assert set(replies) == refs, f"{len(refs - set(replies))} quotes never answered"
    not_once = {ref: dict(outcomes) for ref, outcomes in replies.items() if outcomes["accepted"] != 1}
    assert not not_once, f"{len(not_once)} quotes not accepted exactly once, e.g. {list(not_once.items())[:3]}"
    others = {outcome for outcomes in replies.values() for outcome in outcomes if outcome != "accepted"}
    assert others <= {"duplicate"}, f"unexpected reply outcomes {others}"
    return refs


def sent_submission(settings: Settings, db: Database, market_id: str) -> str:
    """The golden renewal (as accounts announces it) sent to ``market_id``, whose record
    names the market's own broker user."""
    from services.marketing.api.schemas import MarketCreateSchema
    from services.marketing.domain import markets, submissions
    from services.marketing.messaging.handlers import HANDLERS
    from services.marketing.models import Submission

    for event_type in ("accounts.client.registered", "accounts.policy.recorded", "accounts.renewal.due"):
        for envelope in testing.examples(event_type):
            assert testing.deliver(db, HANDLERS, envelope, consumer_name="marketing", settings=settings) == "processed"
    with db.transaction() as session:
        for record in market_records():
            if record["id"] in (QUOTING_MARKET, FORGING_MARKET):
                markets.create_market(session, MarketCreateSchema().load(record), "test:faults")
    with db.transaction() as session:
        submission = session.scalars(select(Submission)).one()
        submissions.set_markets(session, submission, [market_id], "user:am.garcia")
        submissions.approve_markets(session, submission, "user:pr.nguyen")
        submissions.send(session, submission, "user:am.garcia", today=date.today())
        return submission.id


def declare_intake(settings: Settings) -> None:
    """The marketing topology, declared before anything is published (nothing unroutable)."""
    with broker.connect(settings, heartbeat=0) as conn:
        declare_service(conn, "marketing")


def observe(settings: Settings, name: str, routing_key: str) -> Queue:
    """A queue of the test's own on platform.events (to see what the relay published)."""
    from shared.kit.topology import EVENTS

    queue = Queue(name, exchange=EVENTS, routing_key=routing_key, durable=True,
                  queue_arguments={"x-queue-type": "quorum"})
    with broker.connect(settings, heartbeat=0) as conn:
        queue(conn.default_channel).declare()
    return queue


def message_ids_in(settings: Settings, queue: Queue, timeout: float = 10) -> set[str]:
    ids: set[str] = set()
    with broker.connect(settings, heartbeat=0) as conn:
        with conn.Consumer([queue], accept=["json"], on_message=lambda m: (ids.add(m.properties.get("message_id")),
                                                                         m.ack())):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    break
    return ids

"""(a) Marketing's quote intake (validate, deduplicate, persist, reply, ack) on RabbitMQ
+ PostgreSQL, beside raw kombu consume+ack of the same messages on the same broker.

Each round publishes N distinct quotes once to ``carrier.intake``; a raw baseline queue
bound to the same routing key receives the same messages as ``marketing.intake``.  The
intake runs as deployed: one consumer in each of the marketing worker's replicas, each a
process of its own (the figure for one consumer process is printed beside it).  The raw
baseline is one kombu consumer: two raw consumers on the queue took 15.8-16.9k msg/s
together against 15.9-17.6k for one (RabbitMQ delivers a queue's messages from one
Erlang process), so one is the baseline at its best."""
from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import date
from pathlib import Path

from kombu import Queue
from sqlalchemy import func, select

from bench.common import Timer, rate, real_servers, report
from carrier_simulator.fleet import load_fleet
from carrier_simulator.publish import publish_quotes, quote_envelopes, submission_for
from shared import testing
from shared.kit import broker
from shared.kit.migrations import upgrade
from shared.kit.topology import CARRIER_INTAKE, INTAKE_ROUTING_KEY, declare_service

COUNT = 5000
MARKET = "golden-state-casualty"
# The marketing worker runs in two replicas (deploy/compose.yaml), each with one intake consumer.
PROCESSES = 2


def _sent_submission(settings, db) -> str:
    """The golden renewal, sent to one market whose broker user is the benchmark's."""
    from services.marketing.api.schemas import MarketCreateSchema
    from services.marketing.domain import markets, submissions
    from services.marketing.messaging.handlers import HANDLERS
    from services.marketing.models import Submission

    for event_type in ("accounts.client.registered", "accounts.policy.recorded", "accounts.renewal.due"):
        for envelope in testing.examples(event_type):
            assert testing.deliver(db, HANDLERS, envelope, consumer_name="marketing", settings=settings) == "processed"
    record = next(m for m in _fleet_records() if m["id"] == MARKET)
    with db.transaction() as session:
        markets.create_market(session, MarketCreateSchema().load({**record, "broker_user": "guest"}), "bench")
    with db.transaction() as session:
        submission = session.scalars(select(Submission)).one()
        submissions.set_markets(session, submission, [MARKET], "user:bench")
        submissions.approve_markets(session, submission, "user:bench")
        submissions.send(session, submission, "user:bench", today=date.today())
        return submission.id


def _fleet_records():
    from carrier_simulator.fleet import market_records

    return market_records()


def _raw_consume(settings, queue: Queue, count: int) -> float:
    done = 0
    with broker.connect(settings) as conn:
        def on_message(message):
            nonlocal done
            message.ack()
            done += 1

        with conn.Consumer([queue], accept=["json"], on_message=on_message, prefetch_count=settings.prefetch):
            with Timer() as timer:
                while done < count:
                    try:
                        conn.drain_events(timeout=5)
                    except TimeoutError:
                        raise RuntimeError(f"raw consumer stalled at {done}/{count}") from None
    return rate(count, timer.seconds)


def _consumer_process(settings, stop, ready, progress, slot: int) -> None:
    """One intake consumer, in a process of its own as in a worker replica: it reports how
    many messages it has taken in through ``progress[slot]``."""
    from services.marketing.messaging.handlers import HANDLERS, on_dead_letter
    from shared.kit.consumer import ServiceConsumer
    from shared.kit.db import Database
    from shared.kit.topology import intake_queue
    from shared.kit.worker import tune_garbage_collector

    tune_garbage_collector()  # as the worker process does at start
    consumer = ServiceConsumer(settings, Database(settings.database_url), [intake_queue(True)], HANDLERS,
                               name="marketing", on_dead_letter=on_dead_letter)
    done = threading.Event()

    def report_progress():
        while not done.is_set():
            progress[slot] = consumer.processed
            if stop.wait(0.002):
                done.set()
        progress[slot] = consumer.processed

    reporter = threading.Thread(target=report_progress, daemon=True)
    reporter.start()
    ready.release()
    consumer.run(done)
    reporter.join()


def _intake(settings, db, count: int, before: int, processes: int) -> float:
    """Quotes taken in per second by ``processes`` consumer processes, from the moment
    all are started (their imports done, as the raw consumer's) until every quote is
    stored."""
    from services.marketing.models import Quote

    context = multiprocessing.get_context("fork")
    stop = context.Event()
    ready = context.Semaphore(0)
    progress = context.Array("q", processes, lock=False)
    db.engine.dispose()  # no pooled connection crosses the fork
    workers = [context.Process(target=_consumer_process, args=(settings, stop, ready, progress, slot), daemon=True)
               for slot in range(processes)]
    for worker in workers:
        worker.start()
    for _worker in workers:
        ready.acquire()
    with Timer() as timer:
        deadline = time.monotonic() + 600
        while sum(progress) < count and time.monotonic() < deadline:
            time.sleep(0.002)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    with db.transaction() as session:
        stored = session.scalar(select(func.count()).select_from(Quote)) - before
    assert stored == count, f"intake stored {stored} of {count}"
    return rate(count, timer.seconds)


def run(count: int = COUNT, rounds: int = 2, processes: int = PROCESSES) -> dict:
    from shared.kit.db import Database

    with real_servers("bench-intake") as (broker_url, db_url_for):
        settings = testing.embedded_settings("marketing", Path("/tmp/bench-intake"), broker_url=broker_url,
                                             database_url=db_url_for("marketing"))
        upgrade("marketing", settings)
        db = Database(settings.database_url)
        submission_id = _sent_submission(settings, db)
        market = next(m for m in load_fleet() if m.id == MARKET)
        raw_queue = Queue("bench.raw-intake", exchange=CARRIER_INTAKE, routing_key=INTAKE_ROUTING_KEY,
                          durable=True, queue_arguments={"x-queue-type": "quorum"})
        with broker.connect(settings) as conn:
            declare_service(conn, "marketing")
            raw_queue(conn.default_channel).declare()
        raw_rates, single_rates, intake_rates, stored = [], [], [], 0
        for _ in range(rounds):
            for rates, consumers in ((single_rates, 1), (intake_rates, processes)):
                envelopes = quote_envelopes(submission_for(submission_id, MARKET), market, count)
                with broker.connect(settings) as conn:
                    publish_quotes(conn, envelopes, user_id="guest")
                raw_rates.append(_raw_consume(settings, raw_queue, count))
                rates.append(_intake(settings, db, count, stored, consumers))
                stored += count
        return report("intake", f"marketing quote intake ({count} quotes, {processes} consumer processes as the "
                      f"worker replicas run, best of {rounds}, PostgreSQL)", max(intake_rates),
                      "raw kombu consume+ack (one consumer)", max(raw_rates), target=0.5,
                      extra=f"one consumer process: {max(single_rates):,.0f} msg/s, "
                            f"ratio {max(single_rates) / max(raw_rates):.2f}")


if __name__ == "__main__":
    run()

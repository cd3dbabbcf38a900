"""A service's worker process: its consumer and its outbox relay (in a thread), plus
periodic tasks such as business gauges.  SIGTERM/SIGINT stop it cleanly."""
from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable

from shared.kit import broker
from shared.kit.config import Settings, load_settings
from shared.kit.consumer import DeadLetterHook, Handler, ServiceConsumer
from shared.kit.db import Database
from shared.kit.logs import configure_logging
from shared.kit.relay import OutboxRelay
from shared.kit.topology import declare_service

log = logging.getLogger(__name__)
# Young-generation allocations between collections (the default is 700).
GC_THRESHOLD = 20_000


@dataclass
class PeriodicTask:
    name: str
    every_seconds: float
    run: Callable[[Database, Settings], None]


def build(service: str, handlers: dict[str, Handler], *, settings: Settings | None = None,
          on_dead_letter: DeadLetterHook | None = None) -> tuple[Settings, Database, ServiceConsumer, OutboxRelay]:
    settings = settings or load_settings(service)
    db = Database(settings.database_url)
    with broker.connect(settings) as conn:
        conn.ensure_connection(max_retries=5, interval_start=0.5, interval_step=1)
        queues = declare_service(conn, service)
    consumer = ServiceConsumer(settings, db, queues, handlers, on_dead_letter=on_dead_letter)
    relay = OutboxRelay(settings, db)
    return settings, db, consumer, relay


def run_worker(service: str, handlers: dict[str, Handler], *, settings: Settings | None = None,
               on_dead_letter: DeadLetterHook | None = None, tasks: tuple[PeriodicTask, ...] = (),
               stop: threading.Event | None = None) -> None:
    configure_logging(service)
    settings, db, consumer, relay = build(service, handlers, settings=settings, on_dead_letter=on_dead_letter)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    threads = [threading.Thread(target=relay.run, args=(stop,), name=f"{service}-relay", daemon=True)]
    if tasks:
        threads.append(threading.Thread(target=_run_tasks, args=(tasks, db, settings, stop),
                                        name=f"{service}-tasks", daemon=True))
    for thread in threads:
        thread.start()
    _serve_metrics()
    tune_garbage_collector()
    log.info("worker for %s started (broker %s)", service, settings.broker_url.split("@")[-1])
    try:
        consumer.run(stop)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())
        log.info("worker for %s stopped", service)


def tune_garbage_collector() -> None:
    """A worker allocates many short-lived objects per message (decoded JSON, loaded
    payloads, rows): with the default thresholds the cyclic collector runs every 700
    allocations and rescans everything imported.  Move what startup created out of its
    sight (``gc.freeze``) and collect the young generation less often; what a batch makes
    is freed by reference counting anyway."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def _serve_metrics() -> None:
    """Where a worker does not share its metrics folder with its web server (one process
    per container), ``METRICS_PORT`` makes it serve /metrics itself."""
    port = os.environ.get("METRICS_PORT")
    if not port:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), registry=registry)
    log.info("worker metrics on :%s/metrics", port)


def _run_tasks(tasks, db: Database, settings: Settings, stop: threading.Event) -> None:
    due = {task.name: 0.0 for task in tasks}
    while not stop.is_set():
        now = time.monotonic()
        for task in tasks:
            if now >= due[task.name]:
                try:
                    task.run(db, settings)
                except Exception:  # noqa: BLE001 - a failed task runs again next time
                    log.exception("periodic task %s failed", task.name)
                due[task.name] = now + task.every_seconds
        stop.wait(0.5)

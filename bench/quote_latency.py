"""(d) Latency from a quote published on RabbitMQ to its appearance in the comparison API
(target p95 <= 100 ms), on RabbitMQ + PostgreSQL, beside the broker's own publish ->
consume round trip measured in the same run.

The marketing worker (``python -m services.marketing worker``) and the marketing API
(gunicorn, one worker) run as processes of their own, as in production.  The benchmark
publishes quotes as the market's broker user for a sent renewal submission and reads
``GET /api/v1/submissions/<id>/comparison``; a quote's latency runs from just before its
publish to the arrival of the first comparison response that holds it.

Each quote is the next revision of one of the market's carrier quote references, with a
new premium (so the comparison changes) and a subjectivity naming it (so that it can be
recognised among the comparison's options).  Revisions keep the comparison at one option
per reference, so its cost does not grow with the number of quotes sent.

* one at a time: publish; watch for the quote's commit with a cheap indexed SELECT (so
  that the observer does not load the machine while the worker works); then GET the
  comparison until it shows the quote; publish the next;
* steady rate: a publisher thread at a fixed rate, round robin over a few references,
  while the comparison is polled back to back (a screen refreshing as fast as the API
  answers) and the commits are watched from another thread.  A quote whose next revision
  already replaced it when a response first showed its reference counts as visible then
  (and is counted);
* baseline: raw kombu publish, then consume+ack on another connection, of a quote-sized
  message on a quorum queue of the same broker, one at a time.

Where the time goes, from each stored quote's ``received_at`` (stamped by the worker as it
stores the quote) and the commit instants: publish -> received_at (the broker, the
consumer's batching wait of ``max_wait`` 50 ms, decoding, validation, the inbox claim and
the first reads), received_at -> committed (the rest of the handler and the commit),
committed -> shown (the comparison GET, and in the steady phase the GET already in flight
when the commit landed).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timezone
from decimal import Decimal
from pathlib import Path

from kombu import Consumer, Queue
from sqlalchemy import select

from bench.common import percentile, real_servers
from bench.intake import MARKET, _sent_submission
from bench.load import wait_until_up
from carrier_simulator import carrier
from carrier_simulator.fleet import Market, load_fleet
from carrier_simulator.publish import build_quote_envelope, encode, load_submission, publish_body, submission_for
from shared import testing
from shared.kit import broker
from shared.kit.auth import mint_token
from shared.kit.config import REPO_ROOT
from shared.kit.db import Database
from shared.kit.migrations import upgrade
from shared.kit.topology import declare_service

COUNT = 200            # quotes per phase
RATE = 25.0            # quotes per second in the steady phase
REFERENCES = 5         # carrier quote references the steady phase spreads its revisions over
WARM_UP = 5            # quotes published and waited for before measuring
TARGET_P95 = 0.100     # seconds
POLL_GAP = 0.002       # seconds between the end of one comparison GET and the next
TIMEOUT = 15.0         # seconds a single quote may take before the run fails
MARKER = "Benchmark latency marker "
VAR_DIR = Path("/tmp/bench-quote-latency")


# -- quotes ------------------------------------------------------------------------------
@dataclass
class SentQuote:
    ref: str
    revision: int
    marker: str
    body: bytes
    message_id: str
    published: float = 0.0        # perf_counter just before the publish
    published_wall: float = 0.0   # time.time() at the same moment (compared with received_at)
    visible: float | None = None  # perf_counter when the first response holding it arrived
    superseded: bool = False      # a later revision was already current when first seen

    @property
    def latency(self) -> float:
        return self.visible - self.published


@dataclass
class QuoteMaker:
    """Revision after revision of the market's quote references for one submission."""

    submission: dict
    market: Market
    today: date = field(default_factory=date.today)
    revisions: dict[str, int] = field(default_factory=dict)
    made: int = 0

    def make(self, ref: str) -> SentQuote:
        revision = self.revisions.get(ref, 0) + 1
        self.revisions[ref] = revision
        self.made += 1
        # A different premium every time (the marker, not the premium, identifies the quote).
        factor = self.market.behaviour.premium_factor + Decimal(self.made) / Decimal(10_000)
        data = carrier.quote_payload(self.submission, self.market, self.today, ref=ref, revision=revision,
                                     factor=factor)
        marker = f"{MARKER}{ref} r{revision}"
        data["subjectivities"] = [*data.get("subjectivities", []), marker]
        envelope = build_quote_envelope(data)
        return SentQuote(ref, revision, marker, encode(envelope), envelope["id"])


# -- the processes -----------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _service_env(settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("DATABASE_URL", "BROKER_URL"))}
    env.update(MARKETING_DATABASE_URL=settings.database_url, MARKETING_BROKER_URL=settings.broker_url,
               VAR_DIR=str(settings.var_dir), PYTHONPATH=str(REPO_ROOT))
    for name in ("PROMETHEUS_MULTIPROC_DIR", "METRICS_PORT"):
        env.pop(name, None)
    return env


def _spawn(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        return subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# -- the API side ------------------------------------------------------------------------
class ComparisonPoller:
    """GETs the submission's comparison over HTTP; records how long each GET took."""

    def __init__(self, port: int, submission_id: str, token: str):
        self.port = port
        self.path = f"/api/v1/submissions/{submission_id}/comparison"
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.durations: list[float] = []
        self.conn: http.client.HTTPConnection | None = None

    def markers(self) -> tuple[float, set[str]]:
        """(arrival time of the response, markers of the options it holds)."""
        started = time.perf_counter()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request("GET", self.path, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        if response.will_close:  # gunicorn's sync workers close after every response
            self.conn.close()
            self.conn = None
        arrived = time.perf_counter()
        self.durations.append(arrived - started)
        if response.status != 200:
            raise RuntimeError(f"comparison answered {response.status}: {body[:500]!r}")
        options = json.loads(body)["options"]
        return arrived, {s for o in options for s in o.get("subjectivities", ()) if s.startswith(MARKER)}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _resolve(seen: set[str], arrived: float, pending: dict[str, SentQuote], by_ref: dict[str, list[SentQuote]]) -> None:
    """Every pending quote shown (or already replaced by a later revision shown) is visible now."""
    for marker in seen:
        ref, _, revision_text = marker[len(MARKER):].rpartition(" r")
        revision = int(revision_text)
        for quote in by_ref.get(ref, ()):
            if quote.visible is None and quote.published and quote.revision <= revision:
                quote.visible = arrived
                quote.superseded = quote.revision < revision
                pending.pop(quote.marker, None)


# -- the database side -------------------------------------------------------------------
class CommitWatcher:
    """Notes when each quote revision first shows as committed in the quote table, with
    a cheap indexed SELECT (the worker's part of the latency, without the API's)."""

    def __init__(self, db: Database, quotes: list[SentQuote]):
        from services.marketing.models import Quote

        self.db = db
        self.by_key = {(q.ref, q.revision): q for q in quotes}
        self.committed: dict[tuple[str, int], float] = {}
        refs = sorted({q.ref for q in quotes})
        floor = min(q.revision for q in quotes)
        self.query = (select(Quote.carrier_quote_ref, Quote.revision)
                      .where(Quote.market_id == MARKET, Quote.carrier_quote_ref.in_(refs), Quote.revision >= floor))

    def poll(self) -> None:
        with self.db.engine.connect() as conn:
            rows = conn.execute(self.query).all()
        now = time.perf_counter()
        for ref, revision in rows:
            if (ref, revision) in self.by_key:
                self.committed.setdefault((ref, revision), now)

    def watch(self, stop: threading.Event) -> None:
        while not stop.is_set() and len(self.committed) < len(self.by_key):
            self.poll()
            time.sleep(POLL_GAP)

    def chains(self, refs: set[str]) -> dict[str, list[tuple[int, bool]]]:
        """(revision, is_current) of every stored revision of ``refs``, to say why a run failed."""
        from services.marketing.models import Quote

        with self.db.engine.connect() as conn:
            rows = conn.execute(select(Quote.carrier_quote_ref, Quote.revision, Quote.is_current)
                                .where(Quote.market_id == MARKET, Quote.carrier_quote_ref.in_(sorted(refs)))
                                .order_by(Quote.carrier_quote_ref, Quote.revision)).all()
        found: dict[str, list[tuple[int, bool]]] = {}
        for ref, revision, current in rows:
            found.setdefault(ref, []).append((revision, current))
        return found

    def latency(self, quote: SentQuote) -> float:
        return self.committed[(quote.ref, quote.revision)] - quote.published


# -- the phases --------------------------------------------------------------------------
def _one_at_a_time(producer, poller: ComparisonPoller, quotes: list[SentQuote], log_path: Path,
                   watcher: CommitWatcher | None = None, timeout: float = TIMEOUT) -> None:
    """Publish, wait for the quote's commit with the cheap SELECT (so that nothing else
    loads the machine while the worker works), then GET the comparison until it shows."""
    for quote in quotes:
        quote.published_wall = time.time()
        quote.published = time.perf_counter()
        publish_body(producer, quote.body, quote.message_id, "guest")
        deadline = quote.published + timeout
        if watcher is not None:
            while (quote.ref, quote.revision) not in watcher.committed:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{quote.marker} not stored after {timeout:.0f} s; see {log_path}")
                time.sleep(POLL_GAP)
                watcher.poll()
        while True:
            arrived, seen = poller.markers()
            if quote.marker in seen:
                quote.visible = arrived
                break
            if arrived > deadline:
                raise RuntimeError(f"{quote.marker} not in the comparison after {timeout:.0f} s; see {log_path}")
            time.sleep(POLL_GAP)


def _steady(settings, poller: ComparisonPoller, watcher: CommitWatcher, quotes: list[SentQuote], rate: float,
            log_path: Path) -> float:
    """Publishes at ``rate`` from a thread while the comparison is polled back to back (as
    a screen refreshing as fast as the API answers) and the commits are watched from
    another thread; returns the publishing rate achieved."""
    pending = {q.marker: q for q in quotes}
    by_ref: dict[str, list[SentQuote]] = {}
    for quote in quotes:
        by_ref.setdefault(quote.ref, []).append(quote)
    failure: list[BaseException] = []
    span: list[float] = []
    stop = threading.Event()

    def publish():
        try:
            with broker.connect(settings) as conn:
                producer = conn.Producer(auto_declare=False)
                started = time.perf_counter()
                for number, quote in enumerate(quotes):
                    delay = started + number / rate - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    quote.published_wall = time.time()
                    quote.published = time.perf_counter()
                    publish_body(producer, quote.body, quote.message_id, "guest")
                span.append(time.perf_counter() - started)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failure.append(exc)

    threads = [threading.Thread(target=publish, name="bench-publisher", daemon=True),
               threading.Thread(target=watcher.watch, args=(stop,), name="bench-commits", daemon=True)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + len(quotes) / rate + TIMEOUT
    try:
        while pending and not failure:
            arrived, seen = poller.markers()
            _resolve(seen, arrived, pending, by_ref)
            if arrived > deadline:
                chains = watcher.chains({q.ref for q in pending.values()})
                said = "; ".join(f"{q.marker} (published {bool(q.published)}, stored chain {chains.get(q.ref, [])})"
                                 for q in pending.values())
                raise RuntimeError(f"{len(pending)} quotes never showed in the comparison: {said}; the comparison "
                                   f"showed {sorted(seen)}; see {log_path} and web.log beside it")
            time.sleep(POLL_GAP)
        threads[0].join(timeout=30)
        threads[1].join(timeout=TIMEOUT)
    finally:
        stop.set()
    if failure:
        raise failure[0]
    missing = len(watcher.by_key) - len(watcher.committed)
    if missing:
        raise RuntimeError(f"{missing} quotes shown but never seen stored")
    return (len(quotes) - 1) / span[0] if span and span[0] > 0 else float("nan")


def _raw_round_trips(settings, body: bytes, count: int) -> list[float]:
    """Publish one message, consume+ack it on another connection, repeat."""
    queue = Queue("bench.raw-latency", durable=True, queue_arguments={"x-queue-type": "quorum"})
    latencies: list[float] = []
    with broker.connect(settings) as publisher_conn, broker.connect(settings) as consumer_conn:
        queue(consumer_conn.default_channel).declare()
        producer = publisher_conn.Producer(auto_declare=False)
        got: list[float] = []

        def on_message(message):
            message.ack()
            got.append(time.perf_counter())

        with Consumer(consumer_conn, [queue], accept=["json"], on_message=on_message, prefetch_count=settings.prefetch):
            for number in range(count + WARM_UP):
                got.clear()
                started = time.perf_counter()
                producer.publish(body, exchange="", routing_key=queue.name, content_type="application/json",
                                 content_encoding="utf-8", delivery_mode=2, message_id=f"raw-{number}",
                                 user_id="guest")
                while not got:
                    consumer_conn.drain_events(timeout=TIMEOUT)
                if number >= WARM_UP:
                    latencies.append(got[0] - started)
    return latencies


# -- reporting ---------------------------------------------------------------------------
def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _summary(values: list[float]) -> dict:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99),
            "max": max(values) if values else float("nan"), "count": len(values)}


def _line(stats: dict) -> str:
    return (f"p50 {_ms(stats['p50'])} p95 {_ms(stats['p95'])} p99 {_ms(stats['p99'])} "
            f"max {_ms(stats['max'])}")


def _received_at(db: Database, quotes: list[SentQuote]) -> list[tuple[SentQuote, float]]:
    from services.marketing.models import Quote

    with db.transaction() as session:
        rows = session.execute(select(Quote.carrier_quote_ref, Quote.revision, Quote.received_at)
                               .where(Quote.market_id == MARKET)).all()
    stamped = {(ref, revision): received for ref, revision, received in rows}
    out = []
    for quote in quotes:
        received = stamped.get((quote.ref, quote.revision))
        if received is not None:
            if received.tzinfo is None:
                received = received.replace(tzinfo=timezone.utc)
            out.append((quote, received.timestamp()))
    return out


def _breakdown(db: Database, quotes: list[SentQuote], watcher: CommitWatcher) -> dict:
    """p50s of the parts: publish -> received_at (broker, the consumer's batching wait,
    decoding and validation), received_at -> committed (the rest of the batch and its
    commit), committed -> shown by the API (the comparison GET, and in the steady phase
    the GET in flight when the commit landed)."""
    stamped = _received_at(db, quotes)
    to_received = [received - q.published_wall for q, received in stamped]
    # perf_counter instants -> wall clock through the publish instant of the same quote
    to_commit = [q.published_wall + watcher.latency(q) - received for q, received in stamped]
    to_visible = [max(0.0, q.latency - watcher.latency(q)) for q in quotes]
    return {"publish_to_received": percentile(to_received, 50), "received_to_committed": percentile(to_commit, 50),
            "committed_to_shown": percentile(to_visible, 50)}


# -- the benchmark -----------------------------------------------------------------------
def run(count: int = COUNT, rate: float = RATE, references: int = REFERENCES, var_dir: Path = VAR_DIR) -> dict:
    """Returns the latencies (seconds) of both phases and the broker baseline.  ``ratio``
    is the headroom, target p95 / measured p95 of the worse phase (>= 1 meets the target),
    and ``target`` 1.0, so that the benchmark summary reads it like the others."""
    with real_servers("bench-latency") as (broker_url, db_url_for):
        settings = testing.embedded_settings("marketing", var_dir, broker_url=broker_url,
                                             database_url=db_url_for("marketing"))
        upgrade("marketing", settings)
        db = Database(settings.database_url)
        env = _service_env(settings)
        port = _free_port()
        worker_log, web_log = var_dir / "worker.log", var_dir / "web.log"
        # Started first: they take seconds to import, meanwhile the submission is made.
        processes = [
            _spawn([sys.executable, "-m", "services.marketing", "worker"], env, worker_log),
            _spawn([sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "deploy" / "gunicorn.conf.py"),
                    "--bind", f"127.0.0.1:{port}", "--workers", "1", "services.marketing:create_app()"],
                   env, web_log),
        ]
        try:
            submission_id = _sent_submission(settings, db)
        except BaseException:
            _stop(processes)
            raise
        market = next(m for m in load_fleet() if m.id == MARKET)
        maker = QuoteMaker(load_submission(submission_for(submission_id, MARKET)), market)
        prefix = market.behaviour.quote_prefix
        token = mint_token(settings, "bench", roles=["account_manager"], programs=["*"])
        poller = ComparisonPoller(port, submission_id, token)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", timeout=60)
            with broker.connect(settings) as conn:
                # Declared here too, so that a quote published before the worker has declared
                # its queue is queued for it, not dropped as unroutable (CI saw exactly that).
                declare_service(conn, "marketing")
                producer = conn.Producer(auto_declare=False)
                # The first quote also waits for the worker to start consuming.
                warm = [maker.make(f"{prefix}-LAT-0") for _ in range(WARM_UP)]
                _one_at_a_time(producer, poller, warm[:1], worker_log, timeout=60.0)
                _one_at_a_time(producer, poller, warm[1:], worker_log)
                # The broker's own round trip, with both processes up and idle.
                raw = _raw_round_trips(settings, maker.make(f"{prefix}-RAW").body, count)
                single = [maker.make(f"{prefix}-LAT-0") for _ in range(count)]
                single_watch = CommitWatcher(db, single)
                poller.durations.clear()
                _one_at_a_time(producer, poller, single, worker_log, single_watch)
            single_gets = list(poller.durations)
            steady = [maker.make(f"{prefix}-LAT-{number % references + 1}") for number in range(count)]
            steady_watch = CommitWatcher(db, steady)
            poller.durations.clear()
            achieved = _steady(settings, poller, steady_watch, steady, rate, worker_log)
            steady_gets = list(poller.durations)
            for process, log_path in zip(processes, (worker_log, web_log)):
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[1:4]} exited with {process.returncode}; see {log_path}")
        finally:
            poller.close()
            _stop(processes)
        parts = {"one_at_a_time": _breakdown(db, single, single_watch), "steady": _breakdown(db, steady, steady_watch)}
        db.engine.dispose()

    one, flow, base = _summary([q.latency for q in single]), _summary([q.latency for q in steady]), _summary(raw)
    one_stored = _summary([single_watch.latency(q) for q in single])
    flow_stored = _summary([steady_watch.latency(q) for q in steady])
    superseded = sum(q.superseded for q in steady)
    worst = max(one["p95"], flow["p95"])
    verdict = lambda p95: "meets" if p95 <= TARGET_P95 else "BELOW"  # noqa: E731
    target = f"target p95 <= {TARGET_P95 * 1000:.0f} ms"
    print(f"[latency] quote published -> shown by GET /comparison, one at a time ({one['count']} quotes, PostgreSQL): "
          f"{_line(one)} ({verdict(one['p95'])} {target}) | raw kombu publish -> consume+ack, same broker: "
          f"p50 {_ms(base['p50'])} p95 {_ms(base['p95'])} | stored (committed) p50 {_ms(one_stored['p50'])} "
          f"p95 {_ms(one_stored['p95'])}", flush=True)
    print(f"[latency] same at a steady {achieved:.0f} quotes/s over {references} quote refs, comparison polled back "
          f"to back ({flow['count']} quotes): {_line(flow)} ({verdict(flow['p95'])} {target}) | stored p50 "
          f"{_ms(flow_stored['p50'])} p95 {_ms(flow_stored['p95'])}"
          f"{f' | {superseded} replaced by their next revision before a GET showed them' if superseded else ''}",
          flush=True)
    a, b = parts["one_at_a_time"], parts["steady"]
    print(f"[latency] where the time goes, p50 one at a time / steady: publish -> worker's received_at "
          f"{_ms(a['publish_to_received'])} / {_ms(b['publish_to_received'])} (broker, consumer batch wait "
          f"max_wait 50 ms, decode+validate) | received_at -> committed {_ms(a['received_to_committed'])} / "
          f"{_ms(b['received_to_committed'])} | committed -> shown {_ms(a['committed_to_shown'])} / "
          f"{_ms(b['committed_to_shown'])} | comparison GET p50 {_ms(percentile(single_gets, 50))} / "
          f"{_ms(percentile(steady_gets, 50))}", flush=True)
    return {"name": "latency", "one_at_a_time": {**one, "stored": one_stored},
            "steady": {**flow, "stored": flow_stored, "rate": achieved, "superseded": superseded},
            "raw_round_trip": base, "breakdown": parts,
            "comparison_get_p50": {"one_at_a_time": percentile(single_gets, 50), "steady": percentile(steady_gets, 50)},
            "target_p95": TARGET_P95, "meets": worst <= TARGET_P95,
            "ratio": TARGET_P95 / worst if worst > 0 else float("inf"), "target": 1.0}


if __name__ == "__main__":
    run()

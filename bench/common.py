"""Shared pieces of the benchmarks: a RabbitMQ vhost and PostgreSQL databases of their
own, timing, and the report line format."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from shared import testing


@contextmanager
def real_servers(prefix: str):
    """Yields (broker_url, database_url_for(service)) on fresh vhost/databases."""
    if not (testing.rabbitmq_available() and testing.postgres_available()):
        raise SystemExit("the benchmarks need RabbitMQ on 127.0.0.1:5672 and PostgreSQL on 127.0.0.1:5432")
    with testing.rabbit_vhost(prefix) as broker_url, testing.postgres_database(prefix) as (base, created):
        yield broker_url, lambda service: testing.ensure_postgres_database(f"{base}_{service}", created)


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, subject: str, subject_rate: float, baseline: str, baseline_rate: float,
           target: float, unit: str = "msg/s", extra: str = "") -> dict:
    ratio = subject_rate / baseline_rate if baseline_rate else float("nan")
    verdict = "meets" if ratio >= target else "BELOW"
    print(f"[{name}] {subject}: {subject_rate:,.0f} {unit} | {baseline}: {baseline_rate:,.0f} {unit} | "
          f"ratio {ratio:.2f} ({verdict} target {target}){(' | ' + extra) if extra else ''}", flush=True)
    return {"name": name, "subject_rate": subject_rate, "baseline_rate": baseline_rate, "ratio": ratio, "target": target}


def median(values):
    return statistics.median(values)

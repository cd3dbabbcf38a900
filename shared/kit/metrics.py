"""Prometheus metrics shared by every service.  Under gunicorn (and for the worker
processes of the same service) ``PROMETHEUS_MULTIPROC_DIR`` points at a per-service
folder that the start script wipes; ``/metrics`` then aggregates every process."""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
)

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
MESSAGES_CONSUMED = Counter("messages_consumed_total", "Messages consumed", ["service", "queue", "outcome"])
MESSAGES_PUBLISHED = Counter("messages_published_total", "Messages published (confirmed)", ["service", "exchange"])
MESSAGES_RETRIED = Counter("messages_retried_total", "Message handling retries", ["service", "queue"])
MESSAGES_DEAD_LETTERED = Counter("messages_dead_lettered_total", "Messages sent to a dead-letter queue", ["service", "queue", "reason"])
CONSUMER_PROCESSING = Histogram(
    "consumer_batch_processing_seconds", "Time to process one batch of messages", ["service", "queue"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published", ["service"], multiprocess_mode="livemax")
OUTBOX_OLDEST_AGE = Gauge("outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"], multiprocess_mode="livemax")
DOCUMENT_RENDER = Histogram("document_render_seconds", "Document render time", ["kind"],
                            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def business_gauge(name: str, documentation: str, labels: list[str]) -> Gauge:
    """Business gauges (open submissions, renewals due …), refreshed by the worker."""
    return Gauge(name, documentation, labels, multiprocess_mode="livemax")


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST

"""Broker connections: one per use (publish and consume on separate connections)."""
from __future__ import annotations

from kombu import Connection

from shared.kit.config import Settings


def connect(settings: Settings, **kwargs) -> Connection:
    options = settings.broker_transport_options()
    kwargs.setdefault("heartbeat", 0 if settings.broker_is_filesystem else 30)
    kwargs.setdefault("connect_timeout", 5)
    return Connection(settings.broker_url, transport_options=options, **kwargs)


def ping(settings: Settings) -> None:
    with connect(settings) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)

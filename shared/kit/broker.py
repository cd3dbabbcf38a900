"""Broker connections: one per use (publish and consume on separate connections)."""
from __future__ import annotations

from kombu import Connection

from shared.kit.config import Settings


def connect(settings: Settings, *, confirm: bool = False, **kwargs) -> Connection:
    """``confirm=True``: every publish waits for the broker's confirm (for rare, precious
    messages such as dead letters; the outbox relay confirms in batches instead)."""
    options = settings.broker_transport_options()
    if confirm and not settings.broker_is_filesystem:
        options = {**options, "confirm_publish": True, "confirm_timeout": 10}
    kwargs.setdefault("heartbeat", 0 if settings.broker_is_filesystem else 30)
    kwargs.setdefault("connect_timeout", 5)
    return Connection(settings.broker_url, transport_options=options, **kwargs)


def ping(settings: Settings) -> None:
    with connect(settings) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)

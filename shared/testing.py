"""Test helpers shipped with the kit (used by every service's tests and the cross-service
tests): fresh settings on the embedded defaults or on the real servers, with a RabbitMQ
vhost and a PostgreSQL database of their own that are removed afterwards."""
from __future__ import annotations

import os
from pathlib import Path
import subprocess
import time
import uuid
from contextlib import contextmanager

from shared.kit.config import Settings, load_settings

RABBIT_HOST = os.environ.get("TEST_RABBITMQ_HOST", "127.0.0.1")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def rabbitmq_available() -> bool:
    import socket

    try:
        with socket.create_connection((RABBIT_HOST, 5672), timeout=2):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


def require_server(name: str, available: bool) -> None:
    """Skip without the server, except under CI, where its absence fails the run."""
    if available:
        return
    import pytest

    if CI:
        pytest.fail(f"{name} is required under CI=true and is not reachable", pytrace=False)
    pytest.skip(f"{name} not reachable on this machine")


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def rabbit_vhost(prefix: str = "test"):
    """A RabbitMQ vhost of its own; yields the broker URL."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@{RABBIT_HOST}:5672/{vhost}"
    finally:
        try:
            _rabbitmqctl("delete_vhost", vhost)
        except Exception:  # noqa: BLE001 - best effort cleanup
            pass


def create_carrier_user(vhost_url: str, username: str, password: str, market_id: str) -> str:
    """A carrier's own broker user: may publish to carrier.intake only and read its own
    inbox and replies.  Returns the URL the carrier connects with."""
    vhost = vhost_url.rsplit("/", 1)[1]
    try:
        _rabbitmqctl("add_user", username, password)
    except subprocess.CalledProcessError:
        _rabbitmqctl("change_password", username, password)
    own = rf"^carrier\.{market_id}\.(inbox|replies)$"
    _rabbitmqctl("set_permissions", "-p", vhost, username, own, rf"^carrier\.intake$|{own}", own + r"|^carrier\.(outbound|replies)$")
    return f"amqp://{username}:{password}@{RABBIT_HOST}:5672/{vhost}"


@contextmanager
def postgres_database(prefix: str = "test"):
    """A PostgreSQL database of its own; yields a SQLAlchemy URL containing {service},
    with one database per service created on demand by :func:`ensure_postgres_database`."""
    import psycopg

    base = f"{prefix}_{uuid.uuid4().hex[:10]}"
    created: list[str] = []
    yield base, created
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ensure_postgres_database(name: str, created: list[str]) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
    host = PG_ADMIN_URL.split("@", 1)[1].rsplit("/", 1)[0]
    user = PG_ADMIN_URL.split("//", 1)[1].split("@", 1)[0]
    return f"postgresql+psycopg://{user}@{host}/{name}"


def embedded_settings(service: str, var_dir: Path, **overrides) -> Settings:
    var_dir.mkdir(parents=True, exist_ok=True)
    values = {"database_url": f"sqlite:///{var_dir / (service + '.db')}", "broker_url": "filesystem://"}
    values.update(overrides)
    return load_settings(service, var_dir=var_dir, **values)


def migrated(service: str, var_dir: Path, **overrides):
    """:func:`embedded_settings` with the service's database migrated to head, and a
    :class:`~shared.kit.db.Database` on it (the caller disposes of it)."""
    from shared.kit.db import Database
    from shared.kit.migrations import upgrade

    settings = embedded_settings(service, var_dir, **overrides)
    upgrade(service, settings)
    return settings, Database(settings.database_url)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


class _FakeMessage:
    """Just enough of a kombu message for :meth:`ServiceConsumer.prepare`."""

    def __init__(self, body: bytes, user_id: str | None, routing_key: str | None, content_type: str):
        self.body = body
        self.properties = {"user_id": user_id, "message_id": None}
        self.headers = {}
        self.delivery_info = {"routing_key": routing_key, "exchange": ""}
        self.content_type = content_type
        self.content_encoding = "utf-8"

    def decode(self):
        import json

        if self.content_type != "application/json":
            from kombu.exceptions import ContentDisallowed

            raise ContentDisallowed(self.content_type)
        return json.loads(self.body)


def deliver(db, handlers: dict, envelope: dict | bytes, *, consumer_name: str = "test", user_id: str | None = None,
            settings: Settings | None = None):
    """Validate ``envelope`` exactly as the consumer does and run its handler in one
    transaction with the inbox.  Returns "processed", "duplicate", or the Rejected."""
    import json

    from shared.kit.consumer import DeadLetter, Rejected, ServiceConsumer

    settings = settings or load_settings(consumer_name)
    consumer = ServiceConsumer(settings, db, [], handlers, name=consumer_name)
    body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
    routing_key = envelope.get("type") if isinstance(envelope, dict) else None
    prepared = consumer.prepare(_FakeMessage(body, user_id, routing_key, "application/json"), "test")
    if isinstance(prepared, Rejected):
        return prepared
    try:
        with db.transaction() as session:
            return consumer._handle(session, prepared)
    except DeadLetter as exc:
        return Rejected(None, "test", exc.kind, exc.reason, prepared.envelope, user_id)


def examples(event_type: str, version: int = 1) -> list[dict]:
    """The golden examples of an event type (envelopes), as producers and consumers test them."""
    from shared.contracts.registry import contract

    return contract(event_type, version).examples()

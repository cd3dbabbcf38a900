"""Configuration from the environment, with embedded defaults.

Every service reads its settings the same way:

* ``<SERVICE>_DATABASE_URL`` wins, then ``DATABASE_URL``.  A ``DATABASE_URL`` may hold
  ``{service}`` (``postgresql+psycopg://127.0.0.1/{service}``); without it the service
  name is appended to the database name, so each service still owns its own database.
  With neither, SQLite under ``VAR_DIR``.
* ``<SERVICE>_BROKER_URL`` wins, then ``BROKER_URL``; default kombu's filesystem
  transport under ``VAR_DIR/broker`` (the only server-less transport that routes topic
  exchanges between processes).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("accounts", "marketing", "documents", "compliance")
DEFAULT_PORTS = {"accounts": 8001, "marketing": 8002, "documents": 8003, "compliance": 8004}
DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"


def _env(service: str, name: str) -> str | None:
    return os.environ.get(f"{service.upper()}_{name}") or os.environ.get(name) or None


def resolve_database_url(service: str, raw: str | None, var_dir: Path) -> str:
    if not raw:
        return f"sqlite:///{var_dir / (service + '.db')}"
    if "{service}" in raw:
        return raw.format(service=service)
    if os.environ.get(f"{service.upper()}_DATABASE_URL") == raw:
        return raw
    url = make_url(raw)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return raw
        path = Path(url.database)
        return str(url.set(database=str(path.with_name(f"{path.stem}_{service}{path.suffix}"))))
    return url.set(database=f"{url.database}_{service}").render_as_string(hide_password=False)


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    broker_url: str
    var_dir: Path
    port: int
    jwt_secret: str = DEV_JWT_SECRET
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_public_key: str | None = None
    jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    # OAuth 2.0 client credentials at the identity provider, for a service's own calls to
    # another service's API when tokens are the provider's (RS256); see auth.ServiceTokens.
    service_token_url: str | None = None
    service_client_id: str | None = None
    service_client_secret: str | None = field(default=None, repr=False)
    service_token_scope: str | None = None
    max_message_bytes: int = 256 * 1024
    prefetch: int = 200
    batch_size: int = 200
    max_attempts: int = 3
    outbox_batch: int = 1000
    service_urls: dict = field(default_factory=dict)

    @property
    def broker_is_filesystem(self) -> bool:
        return self.broker_url.startswith("filesystem")

    @property
    def broker_dir(self) -> Path:
        return self.var_dir / "broker"

    def broker_transport_options(self) -> dict:
        if not self.broker_is_filesystem:
            return {"confirm_publish": False}
        queue_dir = self.broker_dir / "queues"
        control = self.broker_dir / "control"
        queue_dir.mkdir(parents=True, exist_ok=True)
        control.mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "control_folder": str(control),
            "store_processed": False,
            "polling_interval": 0.05,
        }


def load_settings(service: str, **overrides) -> Settings:
    var_dir = Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    algorithms = tuple(
        a.strip() for a in (os.environ.get("JWT_ALGORITHMS") or "").split(",") if a.strip()
    )
    public_key = os.environ.get("JWT_PUBLIC_KEY") or None
    if public_key and os.path.isfile(public_key):
        public_key = Path(public_key).read_text()
    jwks_url = os.environ.get("JWT_JWKS_URL") or None
    if not algorithms:
        algorithms = ("RS256",) if (public_key or jwks_url) else ("HS256",)
    values = dict(
        service=service,
        database_url=resolve_database_url(service, _env(service, "DATABASE_URL"), var_dir),
        broker_url=_env(service, "BROKER_URL") or "filesystem://",
        var_dir=var_dir,
        # Only <SERVICE>_PORT: process managers (honcho, Heroku) set a generic PORT per process.
        port=int(os.environ.get(f"{service.upper()}_PORT") or DEFAULT_PORTS.get(service, 8000)),
        jwt_secret=os.environ.get("JWT_SECRET") or DEV_JWT_SECRET,
        jwt_algorithms=algorithms,
        jwt_public_key=public_key,
        jwks_url=jwks_url,
        jwt_audience=os.environ.get("JWT_AUDIENCE") or None,
        jwt_issuer=os.environ.get("JWT_ISSUER") or None,
        service_token_url=os.environ.get("SERVICE_TOKEN_URL") or None,
        service_client_id=os.environ.get("SERVICE_CLIENT_ID") or None,
        service_client_secret=os.environ.get("SERVICE_CLIENT_SECRET") or None,
        service_token_scope=os.environ.get("SERVICE_TOKEN_SCOPE") or None,
        max_message_bytes=int(os.environ.get("MAX_MESSAGE_BYTES") or 256 * 1024),
        prefetch=int(os.environ.get("CONSUMER_PREFETCH") or 200),
        batch_size=int(os.environ.get("CONSUMER_BATCH") or 200),
        outbox_batch=int(os.environ.get("OUTBOX_BATCH") or 1000),
        service_urls={
            s: os.environ.get(f"{s.upper()}_URL") or f"http://127.0.0.1:{DEFAULT_PORTS[s]}"
            for s in SERVICES
        },
    )
    values.update(overrides)
    return Settings(**values)

"""The app factory every service builds on: flask-smorest API with OpenAPI docs, RFC 9457
problem details for every error, bearer-token auth, correlation ids, Prometheus metrics,
health checks, and one database session per request."""
from __future__ import annotations

import logging
import time

import orjson
from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from flask_smorest import abort as smorest_abort
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from shared.contracts.base import DecimalString
from shared.contracts.problems import PROBLEM_MEDIA_TYPE, problem
from shared.kit import broker, context
from shared.kit.auth import AuthError, Principal, decode_token
from shared.kit.config import Settings, load_settings
from shared.kit.db import Database
from shared.kit.logs import configure_logging
from shared.kit.metrics import HTTP_LATENCY, HTTP_REQUESTS, render

log = logging.getLogger(__name__)
PUBLIC_ENDPOINTS = {"healthz", "readyz", "metrics", "static"}
CORRELATION_HEADER = "X-Correlation-ID"


def problem_response(status: int, detail: str | None = None, headers: dict | None = None, **extensions) -> Response:
    body = problem(status, detail, instance=request.path if request else None, **extensions)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA_TYPE
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, encoding with orjson (C) instead of the standard library:
    the same JSON values (keys sorted, compact; dates, Decimals and the rest through Flask's
    own ``default``), several times faster on the large bodies of lists and accounts.
    Non-ASCII text is written as UTF-8 rather than ``\\u`` escapes, which reads the same."""

    _OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME

    def dumps(self, obj, **kwargs) -> str:
        if kwargs or self._app.debug:
            return super().dumps(obj, **kwargs)  # indent, custom separators …: Flask's own
        try:
            return orjson.dumps(obj, default=self.default, option=self._OPTIONS).decode()
        except (TypeError, orjson.JSONEncodeError):
            return super().dumps(obj)  # what orjson cannot write (integers beyond 64 bits …)


class ProblemApi(Api):
    """flask-smorest's Api, answering every HTTP error as problem details."""

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") or data.get("errors")
        detail = data.get("message") or error.description
        if errors and error.code == 422:
            detail = "The request did not pass validation."
        headers = dict(data.get("headers") or {})
        return problem_response(error.code or 500, detail, headers=headers, errors=errors)


class Int64Converter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 63 - 1)
        super().__init__(map, *args, **kwargs)


def create_service_app(service: str, *, title: str, blueprints=(), settings: Settings | None = None,
                       description: str = "") -> Flask:
    settings = settings or load_settings(service)
    configure_logging(service)
    app = Flask(f"services.{service}")
    app.json = FastJSONProvider(app)
    # An <int:…> path segment beyond a 64-bit integer matches no route (404) instead of
    # reaching the database, which cannot even compare it (SQLite raises OverflowError).
    app.url_map.converters["int"] = Int64Converter
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        API_SPEC_OPTIONS={
            "info": {"description": description or title},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "security": [{"bearerAuth": []}],
        },
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.extensions["settings"] = settings
    app.extensions["db"] = Database(settings.database_url)
    api = ProblemApi(app)
    api.register_field(DecimalString, "string", "decimal")
    app.extensions["api"] = api
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    _install_hooks(app, service, settings)
    _install_health(app, settings)
    return app


def _public(endpoint: str | None) -> bool:
    return endpoint is None or endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api-docs.")


def _install_hooks(app: Flask, service: str, settings: Settings) -> None:
    @app.before_request
    def _begin():
        g.started = time.perf_counter()
        incoming = request.headers.get(CORRELATION_HEADER, "")
        g.correlation_token = context.correlation_id.set(
            incoming if 0 < len(incoming) <= 100 and incoming.isprintable() else context.new_id())
        if _public(request.endpoint):
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return problem_response(401, "A bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
        try:
            g.principal = decode_token(token.strip(), settings)
        except AuthError as exc:
            return problem_response(exc.status, exc.detail,
                                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return None

    @app.after_request
    def _finish(response: Response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        HTTP_REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(service, request.method, route).observe(elapsed)
        response.headers[CORRELATION_HEADER] = context.correlation_id.get() or ""
        return response

    @app.teardown_request
    def _teardown(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        token = g.pop("correlation_token", None)
        if token is not None:
            context.correlation_id.reset(token)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return problem_response(error.code or 500, error.description)
        if isinstance(error, OverflowError):
            log.warning("number out of range on %s %s: %s", request.method, request.path, error)
            return problem_response(422, "A number is out of range.")
        if isinstance(error, DataError):
            # The database refused a value the schemas let through (PostgreSQL stores no
            # NUL character in text; a number beyond its column): bad input.
            log.warning("database refused a value on %s %s: %s", request.method, request.path, error.orig)
            return problem_response(422, "A value cannot be stored: remove control characters such as NUL "
                                         "(\\u0000) and keep numbers within range.")
        if isinstance(error, DBAPIError) and (error.connection_invalidated or isinstance(error, OperationalError)):
            log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
            return problem_response(503, "The database is unavailable; try again shortly.", headers={"Retry-After": "2"})
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "An unexpected error occurred; it has been logged.")


def _install_health(app: Flask, settings: Settings) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=settings.service)

    @app.get("/readyz")
    def readyz():
        checks = {}
        for name, check in (("database", lambda: app.extensions["db"].ping()),
                            ("broker", lambda: broker.ping(settings))):
            try:
                check()
                checks[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                checks[name] = f"unavailable: {exc.__class__.__name__}"
        ready = all(v == "ok" for v in checks.values())
        response = jsonify(status="ready" if ready else "not ready", checks=checks)
        response.status_code = 200 if ready else 503
        return response

    @app.get("/metrics")
    def metrics():
        body, content_type = render()
        return Response(body, content_type=content_type)


# -- helpers for views ---------------------------------------------------------------

def settings() -> Settings:
    from flask import current_app

    return current_app.extensions["settings"]


def db_session():
    """The request's session (created on first use, closed at teardown).  GET and HEAD
    are read-only and get an autocommit session."""
    from flask import current_app

    if "db_session" not in g:
        db = current_app.extensions["db"]
        g.db_session = db.read_session() if request.method in ("GET", "HEAD") else db.session()
    return g.db_session


def principal() -> Principal:
    return g.principal


def require_roles(*roles: str) -> Principal:
    user = principal()
    if not user.has_any_role(*roles):
        smorest_abort(403, message=f"This needs one of the roles: {', '.join(roles)}.")
    return user


def visible_or_404(program: str | None, what: str = "resource"):
    """Per-object access: outside the caller's programs the object does not exist."""
    if not principal().can_see(program):
        smorest_abort(404, message=f"No such {what}.")


def abort(status: int, detail: str, **extensions):
    smorest_abort(status, message=detail, **({"errors": extensions["errors"]} if "errors" in extensions else {}))

"""Database access: one engine per process (created lazily, after gunicorn forks) and
one session per request or per message batch.

The kit's own tables (outbox, inbox, audit log) are added to every service's metadata
with :func:`add_kit_tables`, so each service's migrations create them in its own database.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache, partial
from typing import Iterator

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    JSON, BigInteger, Numeric, Column, DateTime, Index, Integer, MetaData, String, Table, Text,
    create_engine, event, insert, text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from shared.kit import jsoncodec

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; times are UTC and timezone-aware")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class ExactDecimal(TypeDecorator):
    """Money and percentages, exact on every backend: NUMERIC on PostgreSQL; on SQLite
    (which would store NUMERIC as a binary float) an integer count of the smallest unit,
    which still sorts and sums correctly in SQL."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 14, scale: int = 2):
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("ExactDecimal takes Decimal, not float")
        value = Decimal(value).quantize(self._unit, ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale))
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._unit)
        return Decimal(value).quantize(self._unit)


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING)


def add_kit_tables(metadata: MetaData) -> None:
    """Outbox, inbox and audit log: the same three tables in every service's database."""
    Table(
        "outbox", metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("message_id", String(64), nullable=False, unique=True),
        Column("exchange", String(120), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("headers", JSON, nullable=False, default=dict),
        Column("created_at", UTCDateTime, nullable=False, default=utcnow),
        Column("sent_at", UTCDateTime, nullable=True),
        Index("ix_outbox_unsent", "sent_at", "seq"),
    )
    Table(
        "inbox", metadata,
        Column("consumer", String(120), primary_key=True),
        Column("message_id", String(200), primary_key=True),
        Column("message_type", String(200), nullable=False),
        Column("processed_at", UTCDateTime, nullable=False, default=utcnow),
    )
    Table(
        "audit_log", metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("at", UTCDateTime, nullable=False, default=utcnow),
        Column("actor", String(200), nullable=False),
        Column("action", String(80), nullable=False),
        Column("entity_type", String(80), nullable=False),
        Column("entity_id", String(80), nullable=False),
        Column("correlation_id", String(64), nullable=True),
        Column("details", JSON, nullable=False, default=dict),
        Index("ix_audit_entity", "entity_type", "entity_id"),
    )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, issue BEGIN so SAVEPOINTs work.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # IMMEDIATE takes the write lock up front: no deadlock upgrading a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    # No pre-ping (a round trip per request): a connection found dead is invalidated
    # and the request answers 503 (see shared.kit.web); the next one gets a fresh one.
    # JIT compilation off: it pays only on long analytic queries; on the largest of ours
    # (the renewal pipeline's totals at 100k clients) it cost 20-70 ms of ~150.
    # JSON columns are read with the platform's codec (orjson, the standard library for
    # what it refuses): the same values, without the standard library's Python-level
    # decoding of every outbox row the relay claims.
    return create_engine(url, pool_size=5, max_overflow=10, pool_recycle=1800,
                         connect_args={"options": "-c jit=off"}, json_deserializer=jsoncodec.loads)


class Database:
    """Owns one engine per process.  Safe to build before a fork: the engine is created
    on first use in each process, and re-created if the pid changes."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._factory: sessionmaker | None = None
        self._read_factory: sessionmaker | None = None
        self._read_pid: int | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None or self._pid != os.getpid():
            if self._engine is not None:
                self._engine.dispose(close=False)
            self._engine = make_engine(self.url)
            self._pid = os.getpid()
            self._factory = sessionmaker(bind=self._engine, expire_on_commit=False)
        return self._engine

    def session(self) -> Session:
        self.engine  # noqa: B018 - ensures the factory exists for this process
        return self._factory()

    def read_session(self) -> Session:
        """A session for reads only: autocommit on PostgreSQL, so a GET costs one round
        trip instead of BEGIN, SELECT, ROLLBACK.  (SQLite keeps its usual session.)"""
        engine = self.engine
        if engine.dialect.name != "postgresql":
            return self._factory()
        if self._read_factory is None or self._read_pid != self._pid:
            self._read_factory = sessionmaker(bind=engine.execution_options(isolation_level="AUTOCOMMIT"),
                                              expire_on_commit=False)
            self._read_pid = self._pid
        return self._read_factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table`` in the order given.  On
    PostgreSQL with psycopg, one ``COPY .. FROM STDIN`` in the session's transaction: the
    driver writes the rows in C and the server parses no statement per row (a multi-row
    VALUES list costs a slow parse of thousands of placeholders, a JSON recordset a JSON
    parse of every row).  COPY inserts in the order given, so serial keys follow it.
    Elsewhere (SQLite, in process) an executemany."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        session.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    statement, encoders = _copy_plan(table, columns, dialect)
    connection = session.connection()
    driver_connection = connection.connection
    cursor = driver_connection.cursor()
    try:
        with as_sqlalchemy_errors(dialect, statement, None, driver_connection, connection.invalidate, cursor):
            with cursor.copy(statement) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row([encode(row[name]) if encode else row[name] for name, encode in encoders])
    finally:
        cursor.close()


@contextmanager
def as_sqlalchemy_errors(dialect, statement: str, params, dbapi_connection, invalidate, cursor=None):
    """Work done on the DB-API connection itself (a COPY, a hand-written read) raises its
    errors as SQLAlchemy raises a statement's: ``IntegrityError``, ``DataError`` …, and a
    lost connection invalidated (``invalidate(exc)``) and marked so, which the consumer
    and the web error handlers (422, 503) already treat."""
    try:
        yield
    except dialect.loaded_dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, dbapi_connection, cursor)
        if lost:
            invalidate(exc)
        raise DBAPIError.instance(statement, params, exc, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=dialect) from exc


@lru_cache(maxsize=64)
def _copy_plan(table: Table, columns: tuple[str, ...], dialect):
    """The COPY statement for ``columns`` of ``table`` and, per column, what turns a value
    into one psycopg writes as the column's text (None: the value as it is)."""
    quote = dialect.identifier_preparer.quote
    encoders = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            # Written as its JSON text: kept as given (jsonb would reorder the keys).
            encoders.append((name, _json_text if column_type.none_as_null else _json_or_null))
        elif isinstance(column_type, TypeDecorator):
            encoders.append((name, partial(column_type.process_bind_param, dialect=dialect)))
        else:
            encoders.append((name, None))
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in columns)}) FROM STDIN"
    return statement, tuple(encoders)


def _json_text(value):
    return None if value is None else jsoncodec.dumps(value)


def _json_or_null(value):
    """As SQLAlchemy's JSON type does by default: None is stored as JSON ``null``."""
    return jsoncodec.dumps(value)


# The kit's tables for Core statements (outbox, inbox, audit_log are identical in every
# service's database, so one Table object serves every service).
KIT_METADATA = new_metadata()
add_kit_tables(KIT_METADATA)
OUTBOX = KIT_METADATA.tables["outbox"]
INBOX = KIT_METADATA.tables["inbox"]
AUDIT_LOG = KIT_METADATA.tables["audit_log"]

"""Rows read as JSON, rebuilt as objects typed like the ORM's.

A read that needs a record and several lists of children (an account with its policies,
credentials, contacts …) costs the ORM one statement per relationship and a few hundred
microseconds of Python per statement.  On PostgreSQL the same can be read in one statement,
each child list aggregated by ``json_agg`` (see ``services/accounts/domain/client_reads.py``);
this module turns such JSON back into plain objects whose attributes have the types the
ORM would have loaded (``date``, timezone-aware ``datetime``, exact ``Decimal`` …), so the
same presenters show either.

The JSON must be parsed with :func:`loads` (numbers as ``Decimal``, never float).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from shared.kit.db import as_sqlalchemy_errors


def loads(text: str | bytes):
    """JSON with exact numbers: NUMERIC columns arrive as JSON numbers."""
    return json.loads(text, parse_float=Decimal)


def fetch_one(engine: Engine, sql: str, params: dict):
    """One row of a hand-written read (``%(name)s`` parameters) on a pooled DB-API
    connection in autocommit: no transaction round trips, and none of SQLAlchemy's session
    and statement machinery, which costs more than the statement itself for a one-row read.
    A database error is raised as SQLAlchemy's (``DBAPIError`` and kin, the connection
    invalidated when it was lost), so callers and the web error handlers treat it as any
    other."""
    pooled = engine.raw_connection()
    try:
        with as_sqlalchemy_errors(engine.dialect, sql, params, pooled.dbapi_connection, pooled.invalidate):
            connection = pooled.driver_connection
            connection.autocommit = True
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchone()
            finally:
                if not connection.closed:
                    connection.autocommit = False
    finally:
        pooled.close()


def _reader(column_type, dialect):
    """value as JSON gives it -> value as the ORM loads it (None stays None)."""
    decorator = column_type if isinstance(column_type, TypeDecorator) else None
    base = decorator.load_dialect_impl(dialect) if decorator is not None else column_type
    if isinstance(base, DateTime):
        parse = datetime.fromisoformat
    elif isinstance(base, Date):
        parse = date.fromisoformat
    elif isinstance(base, Numeric) and getattr(base, "asdecimal", True):
        parse = Decimal
    elif isinstance(base, (Integer, Boolean)):
        parse = None  # JSON has them already
    else:
        parse = None  # strings, and JSON columns (nested JSON as it was stored)
    if decorator is not None:
        finish = decorator.process_result_value
        if parse is None:
            return lambda value: finish(value, dialect)
        return lambda value: finish(parse(value), dialect) if value is not None else finish(None, dialect)
    if parse is None:
        return None
    return lambda value: parse(value) if value is not None else None


@lru_cache(maxsize=None)
def _readers(model, dialect) -> tuple[tuple[str, str, object], ...]:
    """(JSON key, attribute name, reader) of every mapped column of ``model``."""
    return tuple((prop.columns[0].name, prop.key, _reader(prop.columns[0].type, dialect))
                 for prop in inspect(model).column_attrs)


def rebuild(model, data: dict, dialect, **extra) -> SimpleNamespace:
    """An object with the mapped attributes of ``model`` read from ``data`` (a row as
    ``row_to_json`` gives it), plus ``extra`` attributes (relationships)."""
    values = {}
    for key, attribute, read in _readers(model, dialect):
        value = data[key]
        values[attribute] = read(value) if read is not None else value
    values.update(extra)
    return SimpleNamespace(**values)

"""Keyset pagination over a stable ordering: ``(sort column, id)``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import and_, or_, select, union_all
from sqlalchemy.sql import Select

from services.accounts.domain.errors import Invalid

Row = TypeVar("Row")


@dataclass
class Page(Generic[Row]):
    items: list[Row]
    next_key: list | None


def page(session, statement: Select, sort_column, id_column, *, limit: int, after: list | None,
         key_of, parse_sort=str, descending: bool = False) -> Page:
    """Rows of ``statement`` ordered by (sort, id) after the key ``after``, ``limit`` of them
    (newest first when ``descending``)."""
    statement = _after(statement, sort_column, id_column, after, parse_sort, descending)
    rows = list(session.scalars(statement.order_by(*_order(sort_column, id_column, descending)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, key_of(rows[-1]) if more and rows else None)


def page_union(session, entity, statements: list[Select], sort_column, id_column, *, limit: int,
               after: list | None, key_of, parse_sort=str) -> Page:
    """:func:`page` over the rows of any of ``statements``.  Each is read on its own in
    (sort, id) order and cut at the page size, so each can walk its own index instead of
    one OR sorting every match; the page is the first ``limit`` of their union."""
    branches = []
    for statement in statements:
        branch = _after(statement.with_only_columns(id_column), sort_column, id_column, after, parse_sort, False)
        cut = branch.order_by(*_order(sort_column, id_column, False)).limit(limit + 1).subquery()
        branches.append(select(cut.c[0]))
    return page(session, select(entity).where(id_column.in_(union_all(*branches))), sort_column, id_column,
                limit=limit, after=None, key_of=key_of)


def _after(statement: Select, sort_column, id_column, after: list | None, parse_sort, descending: bool) -> Select:
    if after is None:
        return statement
    if len(after) != 2:
        raise Invalid("Not a valid cursor.", {"after": ["Not a valid cursor."]})
    try:
        sort_value = parse_sort(after[0])
    except (TypeError, ValueError):
        raise Invalid("Not a valid cursor.", {"after": ["Not a valid cursor."]}) from None
    if descending:
        return statement.where(or_(
            sort_column < sort_value, and_(sort_column == sort_value, id_column < str(after[1]))))
    return statement.where(or_(
        sort_column > sort_value, and_(sort_column == sort_value, id_column > str(after[1]))))


def _order(sort_column, id_column, descending: bool) -> tuple:
    return (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)

"""Keyset pagination over a stable ordering: ``(sort column, id)``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import and_, or_
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
    if after is not None:
        if len(after) != 2:
            raise Invalid("Not a valid cursor.", {"after": ["Not a valid cursor."]})
        try:
            sort_value = parse_sort(after[0])
        except (TypeError, ValueError):
            raise Invalid("Not a valid cursor.", {"after": ["Not a valid cursor."]}) from None
        if descending:
            statement = statement.where(or_(
                sort_column < sort_value, and_(sort_column == sort_value, id_column < str(after[1]))))
        else:
            statement = statement.where(or_(
                sort_column > sort_value, and_(sort_column == sort_value, id_column > str(after[1]))))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    rows = list(session.scalars(statement.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, key_of(rows[-1]) if more and rows else None)

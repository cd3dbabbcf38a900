"""Keyset pagination: ``?limit=&after=<cursor>``; responses carry ``next_cursor``.  A
cursor is an opaque, URL-safe encoding of the last row's sort key."""
from __future__ import annotations

import base64
import json

from marshmallow import ValidationError, fields, validate

from shared.contracts.base import ContractSchema


class PageArgsSchema(ContractSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


def encode_cursor(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("Not a valid cursor.", "after") from None
    if not isinstance(value, list):
        raise ValidationError("Not a valid cursor.", "after")
    return value


def page_schema(item_schema, name: str):
    """A response schema ``{items: [...], next_cursor}`` for ``item_schema``."""
    return type(name, (ContractSchema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, dump_default=None),
    })

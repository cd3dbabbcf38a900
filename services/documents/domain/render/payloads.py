"""Loading a document request's payload: the shared contract for its kind, tolerant of
fields a newer producer added, and the checks a renderer relies on."""
from __future__ import annotations

import json

from marshmallow import ValidationError

from shared.contracts.base import tolerant
from shared.contracts.comparison import DOCUMENT_PAYLOADS


class InvalidPayload(ValueError):
    """The request cannot be rendered as given; ``reason`` says why, for the requester."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def load_payload(kind: str, payload: object) -> dict:
    schema_cls = DOCUMENT_PAYLOADS.get(kind)
    if schema_cls is None:
        raise InvalidPayload(f"no document kind {kind!r}; known kinds: {', '.join(sorted(DOCUMENT_PAYLOADS))}")
    if not isinstance(payload, dict):
        raise InvalidPayload("payload: must be a JSON object")
    try:
        with tolerant():
            return schema_cls().load(payload)
    except ValidationError as exc:
        raise InvalidPayload(_describe(exc.messages)) from None


def _describe(messages, path: str = "payload") -> str:
    """``payload.comparison.options: missing``-style reasons, one per problem."""
    problems = list(_walk(messages, path))
    return "; ".join(problems)[:2000] or json.dumps(messages)[:2000]


def _walk(messages, path: str):
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _walk(value, f"{path}.{key}" if key != "_schema" else path)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield f"{path}: {' '.join(_plain(m) for m in messages)}"
    elif isinstance(messages, list):
        for item in messages:
            yield from _walk(item, path)
    else:
        yield f"{path}: {_plain(str(messages))}"


def _plain(message: str) -> str:
    return "missing" if message == "Missing data for required field." else message

"""Loading a document request's payload: the shared contract for its kind, tolerant of
fields a newer producer added, and the checks a renderer relies on."""
from __future__ import annotations

import json
import re

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
            return printable(schema_cls().load(payload))
    except ValidationError as exc:
        raise InvalidPayload(_describe(exc.messages)) from None


# Characters XML 1.0 cannot hold (docx and xlsx are XML): C0 controls but tab, newline
# and carriage return; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(value):
    """The loaded payload with characters no document format can hold removed from every
    string, so text pasted with stray control characters still renders."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable(item) for item in value]
    return value


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

"""RFC 9457 problem details: the one error format of every HTTP API."""
from __future__ import annotations

from http import HTTPStatus

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://errors.cmp.local/"


def problem(status: int, detail: str | None = None, *, type_: str | None = None, title: str | None = None,
            instance: str | None = None, **extensions) -> dict:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = {
        "type": TYPE_BASE + (type_ or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extensions.items() if v is not None})
    return body

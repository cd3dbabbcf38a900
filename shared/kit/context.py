"""Per-request / per-message context: the correlation id and the message being handled."""
from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from typing import Iterator

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def current_correlation_id() -> str:
    value = correlation_id.get()
    if value is None:
        value = str(uuid.uuid4())
        correlation_id.set(value)
    return value


def new_id() -> str:
    return str(uuid.uuid4())


@contextmanager
def message_scope(correlation: str | None, causation: str | None) -> Iterator[None]:
    """Within: the correlation and causation ids of the message being handled."""
    tokens = (correlation_id.set(correlation), causation_id.set(causation))
    try:
        yield
    finally:
        causation_id.reset(tokens[1])
        correlation_id.reset(tokens[0])

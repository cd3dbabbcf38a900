"""Per-request / per-message context: the correlation id and the message being handled."""
from __future__ import annotations

import contextvars
import os
import threading
from contextlib import contextmanager
from typing import Iterator

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def current_correlation_id() -> str:
    value = correlation_id.get()
    if value is None:
        value = new_id()
        correlation_id.set(value)
    return value


# Random bytes for ids, read from the OS 4 KiB (256 ids) at a time: ``uuid.uuid4()``
# reads 16 bytes per id, a system call each, which under load cost the quote intake about
# a tenth of its time (three ids a quote).  The bytes are the same OS randomness; each
# thread has its own buffer, and a forked child starts with none (it must never reuse
# its parent's unread bytes, or two processes would make the same ids).
_BUFFER_BYTES = 4096
_local = threading.local()


def _forget_buffers() -> None:
    global _local
    _local = threading.local()


os.register_at_fork(after_in_child=_forget_buffers)


def new_id() -> str:
    """A random (version 4) UUID as text, exactly as ``str(uuid.uuid4())`` writes it."""
    local = _local
    buffer = getattr(local, "buffer", None)
    position = getattr(local, "position", _BUFFER_BYTES)
    if buffer is None or position >= _BUFFER_BYTES:
        buffer, position = os.urandom(_BUFFER_BYTES), 0
        local.buffer = buffer
    local.position = position + 16
    h = buffer[position:position + 16].hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The RFC 4122 variant: the top two bits of the clock sequence byte are 10.
_VARIANT = {digit: format(int(digit, 16) & 0x3 | 0x8, "x") for digit in "0123456789abcdef"}


@contextmanager
def message_scope(correlation: str | None, causation: str | None) -> Iterator[None]:
    """Within: the correlation and causation ids of the message being handled."""
    tokens = (correlation_id.set(correlation), causation_id.set(causation))
    try:
        yield
    finally:
        causation_id.reset(tokens[1])
        correlation_id.reset(tokens[0])

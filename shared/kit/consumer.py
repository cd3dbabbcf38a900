"""The idempotent batch consumer every service uses.

For each message: size check, JSON decode (``accept=['json']`` only), envelope and
payload validation (tolerant of added fields), then the handler inside a SAVEPOINT of a
batch transaction together with the inbox record.  The batch commits once, and only then
are its messages acked.  A message that cannot be processed goes to ``<queue>.dlq`` with
the reason in its headers, after bounded retries for handler errors; the queue never
blocks.  Handlers are plain functions ``handler(session, delivery)``, or a
:class:`BatchHandler` that also takes all of a batch's messages of its type at once.

Batch-capable types: the batch's deliveries of that type are claimed in the inbox with one
statement (redeliveries answer "duplicate"), then ``batch(session, deliveries)`` runs in one
SAVEPOINT and returns, per message id, ``None`` (processed) or a :class:`DeadLetter`.  A
dead-lettered message must have had no effect: ``batch`` makes no writes for it, and the
consumer removes its inbox row, exactly as the rolled-back savepoint of the per-message path
does.  If ``batch`` raises, its savepoint is rolled back and those deliveries go through the
per-message path (``single``), so batching never changes the outcome.  Groups are formed per
type in arrival order; the kit orders nothing across types (retries already reorder).
"""
from __future__ import annotations

import gc
import json
import logging
import re
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import orjson
from kombu import Connection, Consumer, Queue
from kombu.exceptions import ContentDisallowed, DecodeError
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from shared.contracts import fast
from shared.contracts.envelope import EnvelopeSchema, version_of
from shared.contracts.registry import UnknownEvent, contract
from shared.kit import broker, context, inbox, jsoncodec
from shared.kit.config import Settings
from shared.kit.db import Database
from shared.kit.metrics import (
    CONSUMER_PROCESSING, MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED, MESSAGES_RETRIED,
)
from shared.kit.topology import DEAD_LETTERS

log = logging.getLogger(__name__)
_ENVELOPE = EnvelopeSchema()
# The envelope in its JSON form (``time`` as ISO 8601 text): as received when canonical.
_load_envelope = fast.json_form_schema_loader(_ENVELOPE)
JSON_ENCODINGS = ("utf-8", "utf8")


class DeadLetter(Exception):
    """Raised by a handler for a message that can never be processed (the reason goes to
    the dead-letter queue with it)."""

    def __init__(self, reason: str, kind: str = "rejected"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


@dataclass
class Delivery:
    message_id: str
    type: str
    version: int
    envelope: dict
    data: dict
    routing_key: str | None
    queue: str
    user_id: str | None = None
    headers: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.envelope.get("source", "")

    @property
    def correlation_id(self) -> str:
        """The correlation id its effects carry (the per-message path sets it in context)."""
        return self.envelope.get("correlationid") or self.message_id


@dataclass
class Rejected:
    """A message refused before its handler ran (or by it)."""

    raw: object
    queue: str
    kind: str
    reason: str
    envelope: dict | None = None
    user_id: str | None = None


Handler = Callable[[Session, Delivery], None]
BatchFn = Callable[[Session, list[Delivery]], "dict[str, DeadLetter | None]"]


@dataclass(frozen=True)
class BatchHandler:
    """A handler that can also take many messages of its type in one go.

    ``single(session, delivery)`` is the ordinary handler (used alone, for retries, and as
    the fallback); ``batch(session, deliveries)`` must have the same effect as ``single``
    applied to each delivery in order, and returns ``{message_id: DeadLetter | None}``
    (a missing id means processed).  It must write nothing for a message it dead-letters."""

    single: Handler
    batch: BatchFn
    # The payload in its JSON form (decimals as strings, dates ISO) instead of loaded
    # Python values, for handlers that store or hash it as JSON anyway: a message already
    # in that form is then validated and handed over without conversions.
    json_form: bool = False

    def __call__(self, session: Session, delivery: Delivery) -> None:
        self.single(session, delivery)


DeadLetterHook = Callable[[Session, Rejected], None]


class ServiceConsumer:
    def __init__(self, settings: Settings, db: Database, queues: list[Queue],
                 handlers: dict[str, Handler | BatchHandler], *, name: str | None = None,
                 on_dead_letter: DeadLetterHook | None = None,
                 batch_size: int | None = None, max_wait: float = 0.05, quiet_after: float = 0.002):
        self.settings = settings
        self.db = db
        self.queues = queues
        self.handlers = handlers
        self.name = name or settings.service
        self.on_dead_letter = on_dead_letter
        self.batch_size = batch_size or settings.batch_size
        self.max_wait = max_wait
        self.quiet_after = quiet_after
        # Per queue, the event types it may carry: its binding keys.  A message whose
        # envelope claims any other type (a carrier publishing an internal event on the
        # intake exchange, say) is refused, whatever handlers the service has.
        self.allowed_types = {queue.name: _binding_patterns(queue) for queue in queues}
        self._buffer: list[tuple[object, str]] = []
        self._first_at = 0.0
        self.processed = 0

    # -- run loop ------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                with broker.connect(self.settings) as conn:
                    conn.ensure_connection(max_retries=3, interval_start=0.5, interval_step=1)
                    self._consume(conn, stop)
                backoff = 0.5
            except Exception:  # noqa: BLE001 - reconnect; unacked messages come back
                log.exception("consumer %s lost its connection; reconnecting in %.1fs", self.name, backoff)
                self._buffer.clear()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10)

    def _consume(self, conn: Connection, stop: threading.Event) -> None:
        channel = conn.channel()
        consumers = []
        for queue in self.queues:
            consumer = Consumer(channel, queues=[queue], accept=["json"], no_ack=False,
                                on_message=lambda m, q=queue.name: self._on_message(m, q),
                                prefetch_count=self.settings.prefetch)
            consumer.consume()
            consumers.append(consumer)
        # Dead letters go out on a connection of their own with publisher confirms: the
        # original is acked only once the broker holds its dead letter.
        self._dlq_connection = broker.connect(self.settings, confirm=True)
        self._dlq_producer = self._dlq_connection.Producer()
        try:
            while not stop.is_set():
                try:
                    # With messages waiting in the buffer, a short wait: when nothing more
                    # arrives at once the queue has gone quiet and the batch is flushed
                    # (a lone message is not held for max_wait); under a steady flow the
                    # next message is already there and the batch keeps filling up to
                    # batch_size or max_wait.
                    conn.drain_events(timeout=self.quiet_after if self._buffer else self.max_wait)
                except (socket.timeout, TimeoutError):
                    if self._buffer:
                        self.flush()
                # Send our heartbeats (py-amqp never does by itself): an idle consumer
                # is otherwise dropped by the broker after two missed intervals.
                conn.heartbeat_check()
                self._dlq_connection.heartbeat_check()
                if self._buffer and (len(self._buffer) >= self.batch_size
                                     or time.monotonic() - self._first_at >= self.max_wait):
                    self.flush()
            if self._buffer:
                self.flush()
        finally:
            for consumer in consumers:
                try:
                    consumer.cancel()
                except Exception:  # noqa: BLE001
                    pass
            self._dlq_connection.release()

    def _on_message(self, message, queue: str) -> None:
        if not self._buffer:
            self._first_at = time.monotonic()
        self._buffer.append((message, queue))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    # -- batch processing ------------------------------------------------------------
    def flush(self) -> None:
        batch, self._buffer = self._buffer, []
        if not batch:
            return
        with _collector_paused():
            self._flush(batch)
            del batch  # freed by reference counting before the collector is back

    def _flush(self, batch) -> None:
        started = time.monotonic()
        deliveries: list[tuple[object, Delivery]] = []
        rejected: list[Rejected] = []
        for message, queue in batch:
            outcome = self.prepare(message, queue)
            if isinstance(outcome, Rejected):
                rejected.append(outcome)
            else:
                deliveries.append((message, outcome))
        failed = self._process_batch(deliveries, rejected)
        for message, delivery, error in failed:
            self._retry_alone(message, delivery, error, rejected)
        for item in rejected:
            self._dead_letter(item)
        _ack(batch)
        CONSUMER_PROCESSING.labels(self.name, batch[0][1]).observe(time.monotonic() - started)

    def _process_batch(self, deliveries, rejected):
        """Run every handler in one transaction: plain handlers each in a savepoint, the
        deliveries of a batch-capable type together (see the module's docstring).  Returns
        the ones that raised an unexpected error (to be retried alone)."""
        failed = []
        if not deliveries:
            return failed
        refused_before = len(rejected)
        try:
            with self.db.transaction() as session:
                outcomes = []
                for group in self._groups(deliveries):
                    handler = self.handlers[group[0][1].type]
                    if isinstance(handler, BatchHandler) and len(group) > 1:
                        self._run_group(session, handler, group, outcomes, rejected, failed)
                    else:
                        for message, delivery in group:
                            self._run_one(session, message, delivery, outcomes, rejected, failed)
            for delivery, outcome in outcomes:
                MESSAGES_CONSUMED.labels(self.name, delivery.queue, outcome).inc()
                self.processed += 1
        except (OperationalError, DBAPIError) as exc:
            log.warning("batch transaction failed (%s); processing %d messages one by one", exc, len(deliveries))
            # Nothing of the batch happened, its refusals included: each message is
            # decided again on its own.
            del rejected[refused_before:]
            failed = [(m, d, exc) for m, d in deliveries]
        return failed

    def _groups(self, deliveries) -> list[list]:
        """Deliveries of a batch-capable type together (at the place of the first), every
        other delivery on its own, in arrival order."""
        groups, by_type = [], {}
        for item in deliveries:
            event_type = item[1].type
            if not isinstance(self.handlers.get(event_type), BatchHandler):
                groups.append([item])
            elif event_type in by_type:
                by_type[event_type].append(item)
            else:
                by_type[event_type] = [item]
                groups.append(by_type[event_type])
        return groups

    def _run_one(self, session, message, delivery, outcomes, rejected, failed) -> None:
        try:
            with session.begin_nested():
                outcome = self._handle(session, delivery)
            outcomes.append((delivery, outcome))
        except DeadLetter as exc:
            rejected.append(self._rejected_from(message, delivery, exc.kind, exc.reason))
        except (OperationalError, DBAPIError) as exc:
            if _connection_problem(exc):
                raise
            failed.append((message, delivery, exc))
        except Exception as exc:  # noqa: BLE001 - retried alone, then dead-lettered
            failed.append((message, delivery, exc))

    def _run_group(self, session, handler: BatchHandler, group, outcomes, rejected, failed) -> None:
        """One inbox claim and one ``batch`` call for the group; on any error from either,
        the per-message path for each delivery.  A message id seen twice in the group goes
        the per-message way after the batch (a duplicate then, unless the first was
        dead-lettered), as if the two had come one after the other."""
        firsts, repeats, seen = [], [], set()
        for item in group:
            (repeats if item[1].message_id in seen else firsts).append(item)
            seen.add(item[1].message_id)
        try:
            with session.begin_nested():
                fresh_ids = inbox.claim_many(session, self.name, [(d.message_id, d.type) for _m, d in firsts])
                fresh = [d for _m, d in firsts if d.message_id in fresh_ids]
                verdicts = handler.batch(session, fresh) if fresh else {}
                refused = {d.message_id: verdicts[d.message_id] for d in fresh
                           if isinstance(verdicts.get(d.message_id), DeadLetter)}
                inbox.release(session, self.name, list(refused))
        except (OperationalError, DBAPIError) as exc:
            if _connection_problem(exc):
                raise
            self._fall_back(session, group, exc, outcomes, rejected, failed)
            return
        except Exception as exc:  # noqa: BLE001 - the per-message path decides each one
            self._fall_back(session, group, exc, outcomes, rejected, failed)
            return
        for message, delivery in firsts:
            if delivery.message_id not in fresh_ids:
                outcomes.append((delivery, "duplicate"))
            elif delivery.message_id in refused:
                letter = refused[delivery.message_id]
                rejected.append(self._rejected_from(message, delivery, letter.kind, letter.reason))
            else:
                outcomes.append((delivery, "processed"))
        for message, delivery in repeats:
            self._run_one(session, message, delivery, outcomes, rejected, failed)

    def _fall_back(self, session, group, error, outcomes, rejected, failed) -> None:
        log.warning("batch handler for %s failed (%r); processing %d messages one by one",
                    group[0][1].type, error, len(group))
        for message, delivery in group:
            self._run_one(session, message, delivery, outcomes, rejected, failed)

    def _retry_alone(self, message, delivery: Delivery, error: Exception, rejected: list) -> None:
        for attempt in range(1, self.settings.max_attempts):
            MESSAGES_RETRIED.labels(self.name, delivery.queue).inc()
            if attempt > 1:  # the first retry at once: most failures were the batch's, not this message's
                time.sleep(min(0.05 * 2 ** attempt, 1.0))
            try:
                with self.db.transaction() as session:
                    outcome = self._handle(session, delivery)
                MESSAGES_CONSUMED.labels(self.name, delivery.queue, outcome).inc()
                self.processed += 1
                return
            except DeadLetter as exc:
                rejected.append(self._rejected_from(message, delivery, exc.kind, exc.reason))
                return
            except Exception as exc:  # noqa: BLE001
                error = exc
        log.error("giving up on %s after %d attempts: %r", delivery.message_id, self.settings.max_attempts, error)
        rejected.append(self._rejected_from(message, delivery, "handler_error",
                                            f"failed after {self.settings.max_attempts} attempts: {error!r}"))

    def _handle(self, session: Session, delivery: Delivery) -> str:
        with context.message_scope(delivery.correlation_id, delivery.message_id):
            if not inbox.claim(session, self.name, delivery.message_id, delivery.type):
                return "duplicate"
            self.handlers[delivery.type](session, delivery)
            return "processed"

    # -- validation ------------------------------------------------------------------
    def prepare(self, message, queue: str) -> Delivery | Rejected:
        user_id = message.properties.get("user_id")
        if isinstance(user_id, bytes):
            user_id = user_id.decode(errors="replace")
        body = message.body
        size = len(body) if body is not None else 0
        if size > self.settings.max_message_bytes:
            return Rejected(message, queue, "oversized", f"body of {size} bytes exceeds {self.settings.max_message_bytes}", user_id=user_id)
        try:
            payload = _decode(message)
        except ContentDisallowed as exc:
            return Rejected(message, queue, "content_type", f"content type refused: {exc}", user_id=user_id)
        except (DecodeError, ValueError, UnicodeDecodeError) as exc:
            return Rejected(message, queue, "malformed", f"body is not valid JSON: {exc}", user_id=user_id)
        if not isinstance(payload, dict):
            return Rejected(message, queue, "malformed", "body is not a JSON object", user_id=user_id)
        try:
            envelope = _load_envelope(payload)
        except ValidationError as exc:
            return Rejected(message, queue, "invalid_envelope", f"invalid envelope: {_messages(exc)}", payload, user_id)
        event_type = envelope["type"]
        version = version_of(envelope["dataschema"], event_type)
        if version is None:
            return Rejected(message, queue, "unknown_version", f"unrecognised dataschema {envelope['dataschema']!r}", payload, user_id)
        allowed = self.allowed_types.get(queue)
        if allowed is not None and not any(pattern.fullmatch(event_type) for pattern in allowed):
            return Rejected(message, queue, "unexpected_type",
                            f"{event_type} is not delivered on {queue} (it carries {_patterns_text(allowed)})",
                            payload, user_id)
        if event_type not in self.handlers:
            return Rejected(message, queue, "unhandled_type", f"no handler for {event_type} on {queue}", payload, user_id)
        try:
            event_contract = contract(event_type, version)
        except UnknownEvent as exc:
            return Rejected(message, queue, "unknown_version", str(exc), payload, user_id)
        try:
            if getattr(self.handlers[event_type], "json_form", False):
                data = event_contract.load_json_form(envelope["data"])
            else:
                data = event_contract.load_tolerant(envelope["data"])
        except ValidationError as exc:
            return Rejected(message, queue, "schema_violation", f"schema violation: {_messages(exc)}", payload, user_id)
        return Delivery(
            message_id=envelope["id"], type=event_type, version=version, envelope=envelope, data=data,
            routing_key=message.delivery_info.get("routing_key"), queue=queue, user_id=user_id,
            headers=dict(message.headers or {}),
        )

    @staticmethod
    def _rejected_from(message, delivery: Delivery, kind: str, reason: str) -> Rejected:
        return Rejected(message, delivery.queue, kind, reason, delivery.envelope, delivery.user_id)

    # -- dead letters ----------------------------------------------------------------
    def _dead_letter(self, item: Rejected) -> None:
        message = item.raw
        log.warning("dead-lettering a message from %s: %s", item.queue, item.reason,
                    extra={"fields": {"reason_kind": item.kind, "message_id": message.properties.get("message_id")}})
        headers = dict(message.headers or {})
        headers.update({
            "x-dead-letter-reason": item.reason[:2000],
            "x-dead-letter-kind": item.kind,
            "x-original-queue": item.queue,
            "x-original-exchange": message.delivery_info.get("exchange") or "",
            "x-original-routing-key": message.delivery_info.get("routing_key") or "",
            "x-original-content-type": message.content_type or "",
            "x-dead-lettered-at": datetime.now(timezone.utc).isoformat(),
            "x-dead-lettered-by": self.name,
        })
        self._dlq_producer.publish(
            message.body if isinstance(message.body, bytes) else str(message.body).encode(),
            exchange=DEAD_LETTERS, routing_key=item.queue, content_type="application/octet-stream",
            content_encoding="binary", headers=headers, delivery_mode=2,
            message_id=message.properties.get("message_id"),
            retry=True, retry_policy={"max_retries": 3},
        )
        # After the dead letter is safely stored: a carrier is answered once per refusal.
        if self.on_dead_letter is not None:
            try:
                with self.db.transaction() as session:
                    self.on_dead_letter(session, item)
            except Exception:  # noqa: BLE001 - the dead letter itself must not be lost
                log.exception("dead-letter hook failed")
        MESSAGES_DEAD_LETTERED.labels(self.name, item.queue, item.kind).inc()


@contextmanager
def _collector_paused():
    """No cyclic garbage collection while a batch is processed.  A batch of 200 quotes
    holds 20k+ live containers at once (decoded messages, loaded payloads, rows), so the
    collector's allocation count passed its threshold in every batch and it scanned them
    all (15-20 ms a batch on the intake benchmark) to find nothing: what a batch makes is
    freed by reference counting when it ends.  Collection resumes after the batch (other
    threads' garbage just waits that long)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _binding_patterns(queue: Queue) -> tuple[re.Pattern, ...] | None:
    """The queue's binding keys as AMQP topic patterns (``*`` one word, ``#`` any), or
    None when it has none (then any type is taken, as before)."""
    keys = {b.routing_key for b in (queue.bindings or ()) if b.routing_key}
    if queue.routing_key:
        keys.add(queue.routing_key)
    if not keys:
        return None
    patterns = []
    for key in sorted(keys):
        words = [r"[^.]+" if w == "*" else r".*" if w == "#" else re.escape(w) for w in key.split(".")]
        patterns.append(re.compile(r"\.".join(words).replace(r"\..*", r"(\..*)?").replace(r".*\.", r"(.*\.)?")))
    return tuple(patterns)


def _patterns_text(patterns) -> str:
    return ", ".join(p.pattern for p in patterns)[:300]


def _decode(message):
    """The JSON body (``accept=['json']``): read here with the fast codec (kombu's json
    decoder calls a Python hook for every object and cost more than validating it);
    anything but UTF-8 JSON goes through kombu, which refuses other content types."""
    if message.content_type == "application/json" and (message.content_encoding or "utf-8").lower() in JSON_ENCODINGS:
        body = message.body
        if isinstance(body, (bytes, bytearray, memoryview)):
            try:
                return orjson.loads(body)  # reads UTF-8 bytes itself: no copy as text
            except orjson.JSONDecodeError:
                body = bytes(body).decode("utf-8")  # UnicodeDecodeError: malformed
        return jsoncodec.loads(body)
    return message.decode()


def _ack(batch) -> None:
    """Ack a whole batch: one ``basic_ack(multiple)`` when its delivery tags are the
    contiguous run of everything unacked on one channel (every message delivered since the
    last flush is in the batch), else one ack per message."""
    messages = [message for message, _queue in batch]
    channel = messages[0].channel
    tags = sorted(m.delivery_tag for m in messages)
    if (len(messages) > 1 and all(m.channel is channel for m in messages)
            and all(isinstance(t, int) for t in tags) and tags[-1] - tags[0] + 1 == len(tags)
            and all(m.acknowledged is False for m in messages)):
        last = next(m for m in messages if m.delivery_tag == tags[-1])
        last.ack(multiple=True)
        for m in messages:
            m._state = "ACK"
        return
    for message in messages:
        message.ack()


def _messages(exc: ValidationError) -> str:
    return json.dumps(exc.messages, sort_keys=True, default=str)[:1500]


def _connection_problem(exc: DBAPIError) -> bool:
    return bool(getattr(exc, "connection_invalidated", False)) or "database is locked" in str(exc)

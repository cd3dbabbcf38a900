"""The outbox relay: reads unpublished rows, publishes them with publisher confirms
(awaited per batch, not per message), then marks them sent.  A row is marked only after
the broker confirmed it; a crash in between republishes it, and consumers deduplicate by
message id."""
from __future__ import annotations

import logging
import queue
import threading
import time
from struct import pack

import amqp
from amqp import spec
from amqp.serialization import dumps
from kombu import Connection, Exchange
from sqlalchemy import func, select, text, update

from shared.kit import broker
from shared.kit.config import Settings
from shared.kit.db import OUTBOX, Database, utcnow
from shared.kit.metrics import MESSAGES_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE

log = logging.getLogger(__name__)


class ConfirmTimeout(RuntimeError):
    pass


class _PublishFrames:
    """The AMQP frames that publish a batch of outbox rows, built into one buffer.

    py-amqp's ``basic_publish`` costs, per message, a socket write, a non-blocking read
    and a property serialization, which kept the relay well below raw publishing.  Here
    the method frame is built once per (exchange, routing key), the properties once per
    header set (by py-amqp itself, with an empty message id: the last property present,
    so each message's id is appended), and the whole batch goes out in one write.  The
    bytes are exactly those ``basic_publish`` writes (the tests compare them)."""

    METHOD, HEADER, BODY, END = 1, 2, 3, b"\xce"

    def __init__(self, channel_id: int, frame_max: int):
        self.channel_id = channel_id
        self.chunk = frame_max - 8  # frame type, channel, size and end octet
        self._methods: dict[tuple[str, str], bytes] = {}
        self._no_headers = self._properties({})

    def _method(self, exchange: str, routing_key: str) -> bytes:
        frame = self._methods.get((exchange, routing_key))
        if frame is None:
            payload = pack(">HH", *spec.Basic.Publish) + dumps("Bssbb", (0, exchange, routing_key, False, False))
            frame = self._methods[exchange, routing_key] = self._frame(self.METHOD, payload)
        return frame

    def _frame(self, kind: int, payload: bytes) -> bytes:
        return pack(">BHI", kind, self.channel_id, len(payload)) + payload + self.END

    @staticmethod
    def _properties(headers: dict) -> bytes:
        """The serialized properties with an empty message id, which is the last of them:
        dropping its length octet leaves the prefix that every message id follows."""
        template = amqp.Message(content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                                application_headers=headers, message_id="")._serialize_properties()
        assert template.endswith(b"\x00")
        return template[:-1]

    def build(self, rows) -> bytes:
        frames = []
        for row in rows:
            body = row.body.encode() if isinstance(row.body, str) else row.body
            message_id = row.message_id.encode()
            if len(message_id) > 255:
                raise ValueError(f"message id longer than 255 bytes: {row.message_id!r}")
            properties = self._properties(row.headers) if row.headers else self._no_headers
            header = (pack(">HHQ", spec.Basic.CLASS_ID, 0, len(body)) + properties
                      + bytes((len(message_id),)) + message_id)
            frames.append(self._method(row.exchange, row.routing_key))
            frames.append(self._frame(self.HEADER, header))
            frames.extend(self._frame(self.BODY, body[start:start + self.chunk])
                          for start in range(0, len(body), self.chunk))
        return b"".join(frames)


class _ConfirmingChannel:
    """A py-amqp channel in confirm mode that publishes a batch, then waits for the
    broker's acks (``multiple`` acks cover many messages at once)."""

    def __init__(self, connection: Connection, timeout: float):
        self.connection = connection
        self.timeout = timeout
        self.channel: amqp.Channel = connection.connection.channel()
        self.channel.confirm_select()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)
        self.next_tag = 1
        self.confirmed_upto = 0
        self.nacked: set[int] = set()
        self.frames = _PublishFrames(self.channel.channel_id, connection.connection.frame_max)

    def _on_ack(self, delivery_tag, multiple):
        if multiple:
            self.confirmed_upto = max(self.confirmed_upto, delivery_tag)
        elif delivery_tag == self.confirmed_upto + 1:
            self.confirmed_upto = delivery_tag
        else:
            # Single out-of-order acks: keep the highest contiguous tag conservative.
            self.confirmed_upto = max(self.confirmed_upto, delivery_tag)

    def _on_nack(self, delivery_tag, multiple):
        if multiple:
            self.nacked.update(range(self.confirmed_upto + 1, delivery_tag + 1))
        else:
            self.nacked.add(delivery_tag)
        self._on_ack(delivery_tag, multiple)

    def keep_alive(self) -> None:
        """Between batches: read the broker's heartbeats and send ours (py-amqp does
        neither by itself), so that an idle relay's connection is not dropped."""
        try:
            self.connection.connection.drain_events(timeout=0.01)
        except TimeoutError:
            pass
        self.connection.heartbeat_check()

    def publish_batch(self, rows) -> None:
        self.await_confirms(*self.publish(rows))

    def publish(self, rows) -> tuple[int, int]:
        """Publish ``rows`` in one socket write, without waiting; returns the (first, last)
        delivery tags that :meth:`await_confirms` waits for.  What the broker answers
        meanwhile (acks, nacks, a channel closed over a missing exchange) is read there."""
        first = self.next_tag
        if not rows:
            return first, first - 1
        connection = self.connection.connection
        connection.transport.write(self.frames.build(rows))
        connection.bytes_sent += 1  # for the heartbeat check, as py-amqp's frame writer does
        self.next_tag += len(rows)
        return first, self.next_tag - 1

    def await_confirms(self, first: int, last: int) -> None:
        """Wait until the broker confirmed every tag up to ``last``; raises when it timed
        out or refused (nacked) any of ``first``..``last``."""
        deadline = time.monotonic() + self.timeout
        while self.confirmed_upto < last:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConfirmTimeout(f"broker confirmed {max(0, self.confirmed_upto - first + 1)} of {last - first + 1}")
            try:
                self.connection.connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        refused = [tag for tag in self.nacked if first <= tag <= last]
        if refused:
            self.nacked.difference_update(refused)
            raise ConfirmTimeout(f"broker refused {len(refused)} messages")
        self.nacked = {tag for tag in self.nacked if tag > last}


class OutboxRelay:
    def __init__(self, settings: Settings, db: Database, *, batch: int | None = None,
                 poll_interval: float = 0.1, confirm_timeout: float = 10.0):
        self.settings = settings
        self.db = db
        self.batch = batch or settings.outbox_batch
        self.poll_interval = poll_interval
        self.confirm_timeout = confirm_timeout
        self._conn: Connection | None = None
        self._confirming: _ConfirmingChannel | None = None
        self._producer = None
        self._last_gauge = 0.0

    # -- connection ------------------------------------------------------------------
    def _ensure(self):
        if self._conn is None:
            self._conn = broker.connect(self.settings)
            self._conn.ensure_connection(max_retries=3, interval_start=0.5, interval_step=1)
            if self.settings.broker_is_filesystem:
                self._producer = self._conn.Producer()
            else:
                self._confirming = _ConfirmingChannel(self._conn, self.confirm_timeout)

    def close(self):
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
        self._conn = self._confirming = self._producer = None

    def _publish(self, rows) -> None:
        self._ensure()
        if self._confirming is not None:
            self._confirming.publish_batch(rows)
            return
        for row in rows:
            self._producer.publish(
                row.body.encode(), exchange=Exchange(row.exchange), routing_key=row.routing_key,
                content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                message_id=row.message_id, headers=row.headers or {}, retry=False,
            )

    # -- one batch -----------------------------------------------------------------
    def _claim(self, session):
        """Claim and mark one batch (UPDATE … RETURNING).  On PostgreSQL the rows are
        locked with SKIP LOCKED, so a second claim (another relay, or the pipeline's next
        batch) takes the rows after them; nothing is visible as sent until commit."""
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql:
            # Losing this commit in a crash only republishes the batch, and consumers
            # deduplicate by message id: no need to wait for the WAL flush.
            session.execute(text("SET LOCAL synchronous_commit = off"))
        rows = session.execute(self.claim_statement(postgresql)).all()
        rows.sort(key=lambda r: r.seq)
        return rows

    def claim_statement(self, postgresql: bool):
        """The UPDATE that marks the next batch and returns what publishing needs.

        Ordered as ix_outbox_unsent (sent_at, seq) is: the same order as by seq alone
        (none of these rows has a sent_at), but PostgreSQL then reads the unsent rows
        straight from that index, where ``ORDER BY seq`` may walk the primary key past
        every sent row still kept (a week of them)."""
        claim = (select(OUTBOX.c.seq).where(OUTBOX.c.sent_at.is_(None))
                 .order_by(OUTBOX.c.sent_at, OUTBOX.c.seq).limit(self.batch))
        if postgresql:
            claim = claim.with_for_update(skip_locked=True)
        return (update(OUTBOX).where(OUTBOX.c.seq.in_(claim.scalar_subquery())).values(sent_at=utcnow())
                .returning(OUTBOX.c.seq, OUTBOX.c.message_id, OUTBOX.c.exchange, OUTBOX.c.routing_key,
                           OUTBOX.c.body, OUTBOX.c.headers))

    def _count(self, rows) -> None:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.exchange] = counts.get(r.exchange, 0) + 1
        for exchange, n in counts.items():
            MESSAGES_PUBLISHED.labels(self.settings.service, exchange).inc(n)

    def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published.  The
        transaction commits only after the broker confirmed every message."""
        with self.db.transaction() as session:
            rows = self._claim(session)
            if not rows:
                return 0
            try:
                self._publish(rows)
            except Exception:
                self.close()
                raise
        self._count(rows)
        return len(rows)

    @property
    def pipelined(self) -> bool:
        return not self.settings.broker_is_filesystem and self.db.url.startswith("postgresql")

    def pump(self, stop: threading.Event, until_empty: bool = False) -> int:
        """Publish continuously with the next batch claimed while the current one is
        published and confirmed (PostgreSQL and RabbitMQ; elsewhere batch by batch).
        Returns the number published; with ``until_empty`` it returns once the outbox is
        empty."""
        if not self.pipelined:
            total = 0
            while not stop.is_set():
                n = self.publish_pending()
                total += n
                if n == 0 and until_empty:
                    return total
                if n < self.batch:
                    self._idle(stop)
            return total
        return _Pipeline(self, stop, until_empty).run()

    def _idle(self, stop: threading.Event) -> None:
        if self._confirming is not None:
            self._confirming.keep_alive()
        now = time.monotonic()
        if now - self._last_gauge > 1.0:
            self.update_gauges()
            self._last_gauge = now
        stop.wait(self.poll_interval)

    def drain(self, timeout: float = 30.0) -> int:
        """Publish until the outbox is empty (used by tests, benchmarks and commands)."""
        stop = threading.Event()
        timer = threading.Timer(timeout, stop.set)
        timer.start()
        try:
            total = self.pump(stop, until_empty=True)
        finally:
            timer.cancel()
        if stop.is_set():
            raise TimeoutError("outbox not drained in time")
        return total

    def update_gauges(self) -> None:
        with self.db.transaction() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(OUTBOX.c.created_at)).where(OUTBOX.c.sent_at.is_(None))
            ).one()
        OUTBOX_BACKLOG.labels(self.settings.service).set(count)
        if oldest is not None and oldest.tzinfo is None:
            from datetime import timezone
            oldest = oldest.replace(tzinfo=timezone.utc)
        age = (utcnow() - oldest).total_seconds() if oldest else 0
        OUTBOX_OLDEST_AGE.labels(self.settings.service).set(age)

    def purge_sent(self, older_than_days: int = 7) -> int:
        from datetime import timedelta
        from sqlalchemy import delete

        with self.db.transaction() as session:
            cutoff = utcnow() - timedelta(days=older_than_days)
            return session.execute(delete(OUTBOX).where(OUTBOX.c.sent_at < cutoff)).rowcount

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        last_purge = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_purge > 600:
                    self.purge_sent()
                    last_purge = time.monotonic()
                self.pump(stop)
                backoff = 0.5
            except Exception:  # noqa: BLE001 - keep relaying; the rows stay unsent
                log.exception("outbox relay failed; retrying in %.1fs", backoff)
                self.close()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10)
        self.close()


class _Pipeline:
    """Claim batch k+1 (in its own transaction, on a helper thread) while batch k is
    published and confirmed; commit k, then publish k+1.  Order is the claim order.  On
    any failure every claimed batch is rolled back and the error raised."""

    def __init__(self, relay: OutboxRelay, stop: threading.Event, until_empty: bool):
        self.relay = relay
        self.stop = stop
        self.until_empty = until_empty
        self.claimed: queue.Queue = queue.Queue(maxsize=1)
        self.halt = threading.Event()

    def _settle(self, item) -> int:
        session, rows, tags = item
        try:
            if tags is not None:
                self.relay._confirming.await_confirms(*tags)
            session.commit()
        except Exception:
            session.rollback()
            session.close()
            raise
        session.close()
        self.relay._count(rows)
        return len(rows)

    def _claimer(self) -> None:
        while not self.halt.is_set():
            session = self.relay.db.session()
            try:
                rows = self.relay._claim(session)
            except Exception as exc:  # noqa: BLE001 - handed to the publisher
                session.rollback()
                session.close()
                self.claimed.put((None, exc))
                return
            self.claimed.put((session, rows))
            if not rows:
                if self.until_empty:
                    return
                self.halt.wait(self.relay.poll_interval)

    def run(self) -> int:
        """Batch k+1 is published before batch k's confirms are awaited (a window of two
        batches in flight), so the broker's confirm round trip overlaps publishing.  A
        batch commits (its rows marked sent) only once every one of its messages is
        confirmed, in claim order; on any failure every batch not yet committed is rolled
        back (its rows are published again later; consumers deduplicate by message id)."""
        total = 0
        in_flight: list[tuple[object, list, tuple[int, int] | None]] = []
        thread = threading.Thread(target=self._claimer, name="outbox-claimer", daemon=True)
        thread.start()
        try:
            while not self.stop.is_set():
                session, rows = self.claimed.get()
                if session is None:
                    raise rows
                tags = None
                if rows:
                    try:
                        self.relay._ensure()
                        tags = self.relay._confirming.publish(rows)
                    except Exception:
                        session.rollback()
                        session.close()
                        raise
                in_flight.append((session, rows, tags))
                # Keep the newest batch in flight while the older one is confirmed; when
                # nothing new came, settle everything.
                while len(in_flight) > (1 if rows else 0):
                    total += self._settle(in_flight.pop(0))
                if not rows:
                    if self.until_empty:
                        return total
                    self.relay._idle(self.stop)
            while in_flight:
                total += self._settle(in_flight.pop(0))
            return total
        finally:
            for session, _rows, _tags in in_flight:
                session.rollback()
                session.close()
            self.halt.set()
            while thread.is_alive() or not self.claimed.empty():
                try:
                    session, _rows = self.claimed.get(timeout=0.2)
                except queue.Empty:
                    continue
                if session is not None:
                    session.rollback()
                    session.close()
            thread.join(timeout=5)

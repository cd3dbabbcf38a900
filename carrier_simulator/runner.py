"""The simulator's loop: read submissions from every market's inbox, schedule each
market's answers after its delay, publish them when due, log the platform's replies.
A bind cancellation in the inbox drops the answers still due on that bind.

One thread drives every connection; a heap of due sends is drained between short
``drain_events`` calls, so one market's delay never holds up another's.  A submission
is acked only after all its answers are published; when a connection is lost, its
scheduled answers are dropped and the redelivered submissions answer again (with the
same message ids, so the platform sees duplicates, not new quotes)."""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from marshmallow import ValidationError

from shared.contracts.base import tolerant
from shared.contracts.carrier import OUTBOUND_TYPE, REPLY_TYPE
from shared.contracts.carrier_binding import ACKNOWLEDGED_TYPE, BIND_CANCELLED_TYPE, BIND_REQUESTED_TYPE
from shared.contracts.envelope import EnvelopeSchema, version_of
from shared.contracts.registry import UnknownEvent, contract
from shared.kit.config import Settings

from carrier_simulator.binding import acknowledgement, bind_answers
from carrier_simulator.carrier import Answer, answer_submission
from carrier_simulator.fleet import Market
from carrier_simulator.links import BrokerLink, market_settings
from carrier_simulator.publish import answer_message_id, build_carrier_envelope, encode, poison_body

log = logging.getLogger("carrier_simulator")


@dataclass(order=True)
class ScheduledSend:
    due: float
    seq: int
    link: BrokerLink = field(compare=False)
    generation: int = field(compare=False)
    market: Market = field(compare=False)
    answer: Answer = field(compare=False)
    envelope: dict = field(compare=False)
    submission: "InboundSubmission | None" = field(compare=False)


@dataclass
class InboundSubmission:
    message: object
    outstanding: int


class Simulator:
    def __init__(self, settings: Settings, markets: list[Market], *, per_market_users: bool = False,
                 time_scale: float = 1.0, today: date | None = None, poll_seconds: float = 0.05):
        self.time_scale = time_scale
        self.today = today
        self.poll_seconds = poll_seconds
        self.links = self._links(settings, markets, per_market_users)
        self.sent: list[dict] = []
        self.notices: list[dict] = []  # acknowledgements, published as submissions arrive
        self.replies: list[dict] = []
        self.withdrawn: list[str] = []  # bind orders the platform cancelled before they were answered
        self._heap: list[ScheduledSend] = []
        self._seq = itertools.count()
        self._retry_at: dict[int, float] = {}
        self._backoff: dict[int, float] = {}
        self._last_activity = time.monotonic()

    def _links(self, settings, markets, per_market_users) -> list[BrokerLink]:
        callbacks = dict(on_submission=self._on_submission, on_reply=self._on_reply)
        if per_market_users and not settings.broker_is_filesystem:
            return [BrokerLink(market_settings(settings, m), [m], restricted=True, **callbacks) for m in markets]
        if not settings.broker_is_filesystem:
            log.warning("every market shares the configured broker user: RabbitMQ refuses a user_id that is not "
                        "the connection's own unless that user is an impersonator; set SIM_PER_MARKET_USERS=1")
        return [BrokerLink(settings, markets, restricted=False, **callbacks)]

    # -- the loop ------------------------------------------------------------------------
    def run(self, stop: threading.Event, *, once: bool = False, idle_seconds: float = 1.0) -> None:
        """Answer submissions until ``stop`` is set (or, with ``once``, until nothing is
        due and the inboxes have been quiet for ``idle_seconds``)."""
        self._last_activity = time.monotonic()
        try:
            while not stop.is_set():
                self._open_due_links()
                for link in self.links:
                    if link.is_open:
                        self._guarded(link, lambda lk=link: self._drain(lk))
                self._send_due()
                if once and self._finished(idle_seconds):
                    break
                if not any(link.is_open for link in self.links):
                    stop.wait(self.poll_seconds)
        finally:
            for link in self.links:
                link.close()

    def _drain(self, link: BrokerLink) -> None:
        timeout = self.poll_seconds / len(self.links)
        if self._heap:
            timeout = max(0.0, min(timeout, self._heap[0].due - time.monotonic()))
        link.drain(timeout=timeout)

    def _finished(self, idle_seconds: float) -> bool:
        return (not self._heap and all(link.is_open for link in self.links)
                and time.monotonic() - self._last_activity >= idle_seconds)

    # -- submissions and bind requests in, answers out -----------------------------------
    def _on_submission(self, market: Market, message) -> None:
        """A message in the market's inbox: a submission (acknowledged at once, answered
        after the market's delay) or a bind request (confirmed, then the policy issued)."""
        self._last_activity = time.monotonic()
        link = next(lk for lk in self.links if market in lk.markets)
        event_type = _type_of(message)
        loaded = _load(message, event_type if event_type in (BIND_REQUESTED_TYPE, BIND_CANCELLED_TYPE)
                       else OUTBOUND_TYPE)
        if isinstance(loaded, str):
            log.error("%s cannot read an inbox message: %s", market.id, loaded)
            message.ack()
            return
        envelope, request = loaded
        if request["market_id"] != market.id:
            log.error("%s received a message addressed to %s; ignored", market.id, request["market_id"])
            message.ack()
            return
        if event_type == BIND_CANCELLED_TYPE:
            self._withdraw(market, request["bind_id"])
            message.ack()
            return
        notices = []
        try:
            if event_type == BIND_REQUESTED_TYPE:
                answers = bind_answers(request, market)
            else:
                answers = answer_submission(request, market, self.today)
                if market.behaviour.acknowledge and request.get("kind") != "requote":
                    # The market has the submission (a re-quote request is not acknowledged:
                    # the market is already at work on it).
                    notices.append(Answer("acknowledgement", 0.0, acknowledgement(request, market),
                                          type=ACKNOWLEDGED_TYPE))
        except Exception:  # noqa: BLE001 - an unanswerable message must not stall the inbox
            log.exception("%s could not answer %s for submission %s", market.id, event_type, request["submission_id"])
            message.ack()
            return
        self._schedule(link, market, envelope, request, message, answers, notices)

    def _schedule(self, link: BrokerLink, market: Market, envelope: dict, request: dict, message,
                  answers: list[Answer], notices: list[Answer] = ()) -> None:
        """Answers are sent when due, the inbound message acked after the last of them;
        notices (an acknowledgement) go first and are not waited for."""
        inbound = InboundSubmission(message, len(answers))
        now = time.monotonic()
        for notice in notices:
            heapq.heappush(self._heap, ScheduledSend(now, next(self._seq), link, link.generation, market, notice,
                                                     envelope, None))
        for answer in answers:
            heapq.heappush(self._heap, ScheduledSend(
                now + answer.delay_seconds * self.time_scale, next(self._seq), link, link.generation,
                market, answer, envelope, inbound))
        log.info("%s will answer submission %s with %s", market.id, request["submission_id"],
                 ", ".join(a.label for a in answers))

    def _withdraw(self, market: Market, bind_id: str) -> None:
        """The platform cancelled a bind order: its answers not sent yet are dropped (a
        confirmation already sent is the platform's to refuse) and the request is acked."""
        dropped = [item for item in self._heap
                   if item.market is market and item.submission is not None and item.answer.data.get("bind_id") == bind_id]
        if not dropped:
            log.info("%s: bind %s cancelled; nothing left to send", market.id, bind_id)
            return
        self._heap = [item for item in self._heap if item not in dropped]
        heapq.heapify(self._heap)
        for inbound in {id(item.submission): item.submission for item in dropped}.values():
            inbound.outstanding = 0
            inbound.message.ack()
        log.info("%s: bind %s cancelled; dropped %s", market.id, bind_id, ", ".join(i.answer.label for i in dropped))
        self.withdrawn.append(bind_id)

    def _send_due(self) -> None:
        now = time.monotonic()
        while self._heap and self._heap[0].due <= now:
            item = heapq.heappop(self._heap)
            if item.generation != item.link.generation or not item.link.is_open:
                continue  # its connection died: the submission comes back and is answered again
            self._guarded(item.link, lambda it=item: self._send(it))

    def _send(self, item: ScheduledSend) -> None:
        market, answer, inbound_envelope = item.market, item.answer, item.envelope
        message_id = answer_message_id(inbound_envelope["id"], market.id, answer.label)
        envelope = build_carrier_envelope(answer.type, answer.data, message_id=message_id,
                                          causation_id=inbound_envelope["id"],
                                          correlation_id=inbound_envelope.get("correlationid") or inbound_envelope["id"])
        body = poison_body(answer.poison, envelope) if answer.poison else encode(envelope)
        item.link.publish(body, message_id, market.broker_user, answer.type)
        self._last_activity = time.monotonic()
        if item.submission is None:  # a notice: nothing waits for it
            self.notices.append({"market_id": market.id, "label": answer.label, "type": answer.type,
                                 "message_id": message_id, "data": answer.data})
            log.info("%s sent %s for submission %s", market.id, answer.label, answer.data["submission_id"])
            return
        self.sent.append({"market_id": market.id, "label": answer.label, "type": answer.type, "message_id": message_id,
                          "poison": answer.poison, "data": answer.data})
        log.info("%s sent %s for submission %s (%s)", market.id, answer.label,
                 answer.data["submission_id"], message_id)
        item.submission.outstanding -= 1
        if item.submission.outstanding == 0:
            item.submission.message.ack()

    # -- replies -------------------------------------------------------------------------
    def _on_reply(self, market: Market, message) -> None:
        self._last_activity = time.monotonic()
        loaded = _load(message, REPLY_TYPE)
        message.ack()
        if isinstance(loaded, str):
            log.error("%s cannot read a reply: %s", market.id, loaded)
            return
        _envelope, reply = loaded
        self.replies.append({"market_id": market.id, **reply})
        level = logging.WARNING if reply["outcome"] == "rejected" else logging.INFO
        log.log(level, "%s: %s r%s %s%s", market.id, reply.get("carrier_quote_ref") or reply["in_reply_to"],
                reply.get("revision"), reply["outcome"],
                f" ({'; '.join(reply['reasons'])})" if reply["reasons"] else "")

    # -- connections ---------------------------------------------------------------------
    def _open_due_links(self) -> None:
        now = time.monotonic()
        for index, link in enumerate(self.links):
            if link.is_open or self._retry_at.get(index, 0) > now:
                continue
            try:
                link.open()
                self._last_activity = time.monotonic()
                self._backoff.pop(index, None)
                log.info("link %s connected (%s)", link.name, ", ".join(m.id for m in link.markets))
            except Exception as exc:  # noqa: BLE001 - the broker may be down; try again later
                link.close()
                self._schedule_retry(index, exc)

    def _guarded(self, link: BrokerLink, action) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a lost connection: reconnect, submissions return
            link.close()
            self._schedule_retry(self.links.index(link), exc)

    def _schedule_retry(self, index: int, exc: Exception) -> None:
        backoff = self._backoff.get(index, 0.5)
        self._retry_at[index] = time.monotonic() + backoff
        self._backoff[index] = min(backoff * 2, 10.0)
        log.warning("link %s unavailable (%r); retrying in %.1fs", self.links[index].name, exc, backoff)


def _type_of(message) -> str | None:
    """The envelope type of an inbox message, if it can be read at all."""
    try:
        body = message.decode()
    except Exception:  # noqa: BLE001 - _load reports why
        return None
    return body.get("type") if isinstance(body, dict) else None


def _load(message, event_type: str) -> tuple[dict, dict] | str:
    """The message's envelope and its payload, loaded tolerantly; or why it is unreadable."""
    try:
        body = message.decode()
        with tolerant():
            envelope = EnvelopeSchema().load(body)
        if envelope["type"] != event_type:
            return f"unexpected event type {envelope['type']}"
        data = contract(event_type, version_of(envelope["dataschema"], event_type) or 0).load_tolerant(envelope["data"])
    except (ValidationError, UnknownEvent, ValueError, TypeError) as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - kombu's ContentDisallowed / DecodeError
        return f"{type(exc).__name__}: {exc}"
    return envelope, data

"""A connection to the broker as a carrier sees it: consume the markets' inboxes and reply
queues on one connection, publish answers on another.  With per-market broker users each
market has a link of its own and may not declare the platform's exchanges, only check
that they exist."""
from __future__ import annotations

import logging
import socket
from dataclasses import replace
from typing import Callable
from urllib.parse import quote, urlsplit, urlunsplit

from kombu import Connection, Consumer

from shared.kit import broker, topology
from shared.kit.config import Settings

from carrier_simulator.fleet import Market
from carrier_simulator.publish import publish_body

log = logging.getLogger(__name__)

OnMessage = Callable[[Market, object], None]
CARRIER_EXCHANGES = (topology.CARRIER_OUTBOUND, topology.CARRIER_REPLIES, topology.CARRIER_INTAKE)


def market_settings(settings: Settings, market: Market) -> Settings:
    """The platform's broker settings with the market's own credentials in the URL."""
    parts = urlsplit(settings.broker_url)
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{quote(market.broker_user, safe='')}:{quote(market.broker_password, safe='')}@{host}"
    return replace(settings, broker_url=urlunsplit(parts._replace(netloc=netloc)))


class BrokerLink:
    def __init__(self, settings: Settings, markets: list[Market], *, restricted: bool,
                 on_submission: OnMessage, on_reply: OnMessage, prefetch: int = 50):
        self.settings = settings
        self.markets = markets
        self.restricted = restricted
        self.on_submission = on_submission
        self.on_reply = on_reply
        self.prefetch = prefetch
        self.generation = 0
        self._consume: Connection | None = None
        self._publish: Connection | None = None
        self._producer = None

    @property
    def name(self) -> str:
        return self.markets[0].id if self.restricted else "shared"

    @property
    def is_open(self) -> bool:
        return self._consume is not None

    def open(self) -> None:
        # Deliveries may arrive while the link is still opening: they belong to this generation.
        self.generation += 1
        self._consume = broker.connect(self.settings)
        self._consume.ensure_connection(max_retries=1)
        amqp = topology.is_amqp(self._consume)
        channel = self._consume.channel()
        self._declare_exchanges(channel)
        for market in self.markets:
            inbox = self._declare(topology.carrier_inbox(market.id, amqp), channel)
            replies = self._declare(topology.carrier_reply_queue(market.id, amqp), channel)
            self._consumer(channel, inbox, lambda m, mk=market: self.on_submission(mk, m))
            self._consumer(channel, replies, lambda m, mk=market: self.on_reply(mk, m))
        self._publish = broker.connect(self.settings)
        if amqp:
            # A carrier acks a submission only once its answer is confirmed by the broker.
            self._publish.transport_options["confirm_publish"] = True
        self._publish.ensure_connection(max_retries=1)
        self._declare_exchanges(self._publish.default_channel)
        self._producer = self._publish.Producer(auto_declare=False)

    def drain(self, timeout: float) -> None:
        try:
            self._consume.drain_events(timeout=timeout)
        except (socket.timeout, TimeoutError):
            pass

    def publish(self, body: bytes, message_id: str, user_id: str, routing_key: str | None = None) -> None:
        if routing_key is None:
            publish_body(self._producer, body, message_id, user_id)
        else:
            publish_body(self._producer, body, message_id, user_id, routing_key)

    def close(self) -> None:
        for conn in (self._consume, self._publish):
            if conn is not None:
                try:
                    conn.release()
                except Exception:  # noqa: BLE001 - the connection may already be gone
                    log.debug("closing a dead connection failed", exc_info=True)
        self._consume = self._publish = self._producer = None

    def _declare_exchanges(self, channel) -> None:
        for exchange in CARRIER_EXCHANGES:
            exchange(channel).declare(passive=self.restricted)

    def _declare(self, queue, channel):
        bound = queue(channel)
        bound.queue_declare()
        bound.queue_bind()
        return bound

    def _consumer(self, channel, queue, callback) -> None:
        consumer = Consumer(channel, queues=[queue], accept=["json"], no_ack=False, auto_declare=False,
                            on_message=callback, prefetch_count=self.prefetch)
        consumer.consume()

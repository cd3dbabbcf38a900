"""Every exchange, queue and routing key, in one place.

* ``platform.events``  topic: domain events, routing key = event type.
* ``carrier.intake``   topic: carriers publish quotes, acknowledgements, bind confirmations (or
  refusals) and issued policies here, routing key = message type (their permissions stop here).
* ``carrier.outbound`` topic: submissions, bind requests and bind cancellations to markets, key ``carrier.<market_id>.submission``.
* ``carrier.replies``  direct: accept/reject replies, key = market id.
* ``platform.dlx``     direct: dead letters, key = the queue they came from, into ``<queue>.dlq``.
"""
from __future__ import annotations

from kombu import Connection, Exchange, Queue, binding

EVENTS = Exchange("platform.events", type="topic", durable=True)
CARRIER_INTAKE = Exchange("carrier.intake", type="topic", durable=True)
CARRIER_OUTBOUND = Exchange("carrier.outbound", type="topic", durable=True)
CARRIER_REPLIES = Exchange("carrier.replies", type="direct", durable=True)
DEAD_LETTERS = Exchange("platform.dlx", type="direct", durable=True)
EXCHANGES = (EVENTS, CARRIER_INTAKE, CARRIER_OUTBOUND, CARRIER_REPLIES, DEAD_LETTERS)

INTAKE_ROUTING_KEY = "carrier.quote.submitted"
# Every message a market publishes on carrier.intake (routing key = its type): quotes, and
# the acknowledgements, bind confirmations and issued policies of shared.contracts.carrier_binding.
INTAKE_ROUTING_KEYS = (INTAKE_ROUTING_KEY, "carrier.submission.acknowledged", "carrier.bind.confirmed",
                       "carrier.policy.issued", "carrier.bind.declined")
INTAKE_QUEUE = "marketing.intake"

# What each service's queue listens to on platform.events.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "marketing.policy.bound", "marketing.quote.received", "marketing.quote.declined",
        "marketing.comparison.ready", "marketing.policy.discrepancies_found", "documents.document.generated",
        "documents.document.failed", "compliance.filing.due", "marketing.quote.overdue",
        "compliance.filing.overdue", "marketing.submission.emailed", "marketing.quote.expired",
        "marketing.bind.requested", "marketing.bind.declined", "marketing.bind.cancelled",
    ),
    "marketing": (
        "accounts.client.registered", "accounts.client.updated", "accounts.policy.recorded",
        "accounts.renewal.due", "documents.document.generated", "documents.document.failed",
        "accounts.losses.updated",
    ),
    "documents": ("documents.document.requested",),
    "compliance": (
        "accounts.client.registered", "accounts.client.updated", "accounts.policy.recorded",
        "accounts.policy.cancelled", "marketing.policy.bound",
    ),
}


def queue_name(service: str) -> str:
    return f"{service}.events"


def dlq_name(queue: str) -> str:
    return f"{queue}.dlq"


def _arguments(name: str, amqp: bool) -> dict | None:
    if not amqp:
        return None
    # Quorum queues: replicated, and a poison message that crashes the consumer is
    # dead-lettered by the broker after the delivery limit.
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": DEAD_LETTERS.name,
        "x-dead-letter-routing-key": name,
        "x-delivery-limit": 20,
    }


def _queue(name: str, bindings: list, amqp: bool) -> Queue:
    return Queue(name, bindings=bindings, durable=True, queue_arguments=_arguments(name, amqp))


def service_queue(service: str, amqp: bool) -> Queue:
    name = queue_name(service)
    return _queue(name, [binding(EVENTS, routing_key=key) for key in SUBSCRIPTIONS[service]], amqp)


def intake_queue(amqp: bool) -> Queue:
    return _queue(INTAKE_QUEUE, [binding(CARRIER_INTAKE, routing_key=key) for key in INTAKE_ROUTING_KEYS], amqp)


def dead_letter_queue(queue: str, amqp: bool) -> Queue:
    args = {"x-queue-type": "quorum"} if amqp else None
    return Queue(dlq_name(queue), exchange=DEAD_LETTERS, routing_key=queue, durable=True, queue_arguments=args)


def outbound_routing_key(market_id: str) -> str:
    return f"carrier.{market_id}.submission"


def carrier_inbox(market_id: str, amqp: bool) -> Queue:
    """The queue a market reads submissions from (declared for markets on the queue channel)."""
    args = {"x-queue-type": "quorum"} if amqp else None
    return Queue(f"carrier.{market_id}.inbox", exchange=CARRIER_OUTBOUND,
                 routing_key=outbound_routing_key(market_id), durable=True, queue_arguments=args)


def carrier_reply_queue(market_id: str, amqp: bool) -> Queue:
    args = {"x-queue-type": "quorum"} if amqp else None
    return Queue(f"carrier.{market_id}.replies", exchange=CARRIER_REPLIES,
                 routing_key=market_id, durable=True, queue_arguments=args)


def is_amqp(connection: Connection) -> bool:
    return connection.transport_cls in ("amqp", "pyamqp", "amqps") or connection.transport.driver_type == "amqp"


def consumed_queues(service: str, amqp: bool) -> list[Queue]:
    queues = [service_queue(service, amqp)]
    if service == "marketing":
        queues.append(intake_queue(amqp))
    return queues


def declare_service(connection: Connection, service: str) -> list[Queue]:
    """Declare the exchanges, the service's queues and their dead-letter queues."""
    amqp = is_amqp(connection)
    channel = connection.default_channel
    for exchange in EXCHANGES:
        exchange(channel).declare()
    queues = consumed_queues(service, amqp)
    for queue in queues:
        queue(channel).declare()
        dead_letter_queue(queue.name, amqp)(channel).declare()
    return queues

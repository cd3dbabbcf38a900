"""Periodic work of the marketing worker: the business gauges operations watch, and the
follow-ups on markets that have not quoted by the respond-by date."""
from __future__ import annotations

from sqlalchemy import func, select

from services.marketing.domain.follow_ups import raise_overdue_quotes
from services.marketing.models import Quote, Submission
from shared.kit.config import Settings
from shared.kit.db import Database, utcnow
from shared.kit.metrics import business_gauge
from shared.kit.worker import PeriodicTask

OPEN_SUBMISSIONS = business_gauge("marketing_open_submissions", "Submissions not yet bound or closed, by status",
                                  ["status"])
QUOTES_RECEIVED = business_gauge("marketing_quotes_received", "Answers received from each market, by status",
                                 ["market_id", "status"])
OPEN_STATUSES = ("draft", "approved", "sent", "quoted", "bind_requested")


def refresh_gauges(db: Database, _settings: Settings) -> None:
    with db.transaction() as session:
        by_status = dict(session.execute(
            select(Submission.status, func.count()).where(Submission.status.in_(OPEN_STATUSES))
            .group_by(Submission.status)).all())
        answers = session.execute(
            select(Quote.market_id, Quote.status, func.count()).group_by(Quote.market_id, Quote.status)).all()
    for status in OPEN_STATUSES:
        OPEN_SUBMISSIONS.labels(status).set(by_status.get(status, 0))
    for market_id, status, count in answers:
        QUOTES_RECEIVED.labels(market_id, status).set(count)


GAUGES = PeriodicTask("business-gauges", 60, refresh_gauges)


def declare_carrier_queues(db: Database, settings: Settings) -> None:
    """Every active market on the queue channel gets its inbox and reply queue declared,
    so a submission sent before the carrier first connects waits for it instead of being
    dropped by the broker."""
    from services.marketing.models import Market
    from shared.kit import broker
    from shared.kit.topology import carrier_inbox, carrier_reply_queue, is_amqp

    with db.transaction() as session:
        market_ids = session.scalars(select(Market.id).where(Market.active.is_(True), Market.channel == "queue")).all()
    fresh = [m for m in market_ids if m not in _DECLARED]
    if not fresh:
        return
    with broker.connect(settings) as conn:
        amqp = is_amqp(conn)
        channel = conn.default_channel
        for market_id in fresh:
            carrier_inbox(market_id, amqp)(channel).declare()
            carrier_reply_queue(market_id, amqp)(channel).declare()
            _DECLARED.add(market_id)


_DECLARED: set[str] = set()
CARRIER_QUEUES = PeriodicTask("carrier-queues", 5, declare_carrier_queues)


def chase_overdue_quotes(db: Database, _settings: Settings) -> None:
    """Markets past the respond-by date without an answer: marketing.quote.overdue, once each."""
    with db.transaction() as session:
        raise_overdue_quotes(session, utcnow().date())


QUOTE_FOLLOW_UPS = PeriodicTask("quote-follow-ups", 300, chase_overdue_quotes)


def expire_past_quotes(db: Database, _settings: Settings) -> None:
    """Current, unbound quotes past their valid-until date become expired (and unbindable)."""
    from services.marketing.domain.expiry import expire_quotes

    with db.transaction() as session:
        expire_quotes(session, utcnow().date())


QUOTE_EXPIRY = PeriodicTask("quote-expiry", 300, expire_past_quotes)

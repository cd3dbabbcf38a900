"""Periodic work of the marketing worker: the business gauges operations watch."""
from __future__ import annotations

from sqlalchemy import func, select

from services.marketing.models import Quote, Submission
from shared.kit.config import Settings
from shared.kit.db import Database
from shared.kit.metrics import business_gauge
from shared.kit.worker import PeriodicTask

OPEN_SUBMISSIONS = business_gauge("marketing_open_submissions", "Submissions not yet bound or closed, by status",
                                  ["status"])
QUOTES_RECEIVED = business_gauge("marketing_quotes_received", "Answers received from each market, by status",
                                 ["market_id", "status"])
OPEN_STATUSES = ("draft", "approved", "sent", "quoted")


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

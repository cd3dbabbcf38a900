"""The marketing worker: its consumer (accounts' events and the carrier intake queue),
the outbox relay, the intake dead-letter hook that answers refused carriers, the
business gauges, the quote-due follow-ups, the expiry of quotes past their valid-until
date and the package emails."""
from __future__ import annotations

import threading

from services.marketing.messaging.email_sender import SUBMISSION_EMAILS
from services.marketing.messaging.handlers import HANDLERS, on_dead_letter
from services.marketing.messaging.tasks import CARRIER_QUEUES, GAUGES, QUOTE_EXPIRY, QUOTE_FOLLOW_UPS
from shared.kit.config import Settings
from shared.kit.worker import run_worker


def main(settings: Settings | None = None, stop: threading.Event | None = None) -> None:
    run_worker("marketing", HANDLERS, settings=settings, stop=stop, on_dead_letter=on_dead_letter, tasks=(CARRIER_QUEUES, GAUGES, QUOTE_FOLLOW_UPS, QUOTE_EXPIRY, SUBMISSION_EMAILS))

"""Periodic work of the compliance worker: the hourly deadline sweep and the
filings_overdue business gauge."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from services.compliance.domain.sweep import SweepResult, sweep
from shared.kit.config import Settings
from shared.kit.db import Database
from shared.kit.metrics import business_gauge
from shared.kit.worker import PeriodicTask

log = logging.getLogger(__name__)

FILINGS_OVERDUE = business_gauge("filings_overdue", "Filings past their due date and not yet submitted",
                                 ["body"])


def run_deadline_sweep(db: Database, _settings: Settings | None = None, today: date | None = None) -> SweepResult:
    today = today or datetime.now(timezone.utc).date()
    with db.transaction() as session:
        result = sweep(session, today)
    for body, count in result.overdue_by_body.items():
        FILINGS_OVERDUE.labels(body).set(count)
    if result.newly_overdue or result.cancelled or result.expired:
        log.info("deadline sweep: %d newly overdue, %d cancelled, %d expired", len(result.newly_overdue),
                 len(result.cancelled), len(result.expired))
    return result


DEADLINE_SWEEP = PeriodicTask(name="compliance-deadline-sweep", every_seconds=3600,
                              run=lambda db, settings: run_deadline_sweep(db, settings))

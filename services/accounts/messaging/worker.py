"""The accounts worker: consumer, outbox relay, and the hourly renewal scan."""
from __future__ import annotations

import logging
import os
import threading

from services.accounts.domain.absences import apply_absences
from services.accounts.domain.credential_expiry import configured_expiry_days, watch_credentials
from services.accounts.domain.renewals import DEFAULT_LEAD_DAYS, parse_lead_days, scan
from services.accounts.messaging.handlers import HANDLERS
from shared.kit.config import Settings
from shared.kit.db import Database, utcnow
from shared.kit.worker import PeriodicTask, run_worker

log = logging.getLogger(__name__)
RENEWAL_SCAN_EVERY_SECONDS = 3600
ABSENCE_COVER_EVERY_SECONDS = 300


def configured_lead_days() -> tuple[int, ...]:
    """``RENEWAL_LEAD_DAYS`` (e.g. "120,90,60,30"), else the default tiers."""
    raw = os.environ.get("RENEWAL_LEAD_DAYS")
    return parse_lead_days(raw) if raw else DEFAULT_LEAD_DAYS


def renewal_scan_task(db: Database, _settings: Settings) -> None:
    """The renewal scan, then the watch on expiring credentials."""
    with db.transaction() as session:
        summary = scan(session, utcnow().date(), configured_lead_days())
        watched = watch_credentials(session, utcnow().date(), configured_expiry_days())
    log.info(summary.line())
    log.info(watched.line())


def absence_cover_task(db: Database, _settings: Settings) -> None:
    """Absences starting or ending today: activities go to backups, or come back."""
    with db.transaction() as session:
        moved, returned = apply_absences(session, utcnow().date())
    if moved or returned:
        log.info("absence cover: %d activities moved to backups, %d returned", moved, returned)


def main(settings: Settings | None = None, stop: threading.Event | None = None) -> None:
    run_worker("accounts", HANDLERS, settings=settings, stop=stop, tasks=(
        PeriodicTask("renewal-scan", RENEWAL_SCAN_EVERY_SECONDS, renewal_scan_task),
        PeriodicTask("absence-cover", ABSENCE_COVER_EVERY_SECONDS, absence_cover_task),
    ))

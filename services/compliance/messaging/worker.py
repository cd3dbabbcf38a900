"""The compliance worker: its consumer, its outbox relay, and the hourly deadline sweep."""
from __future__ import annotations

from services.compliance.messaging.handlers import HANDLERS
from services.compliance.messaging.tasks import DEADLINE_SWEEP
from shared.kit.worker import run_worker


def main() -> None:
    run_worker("compliance", HANDLERS, tasks=(DEADLINE_SWEEP,))

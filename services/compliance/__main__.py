"""python -m services.compliance migrate|worker|web|token|sweep|rules-check"""
from __future__ import annotations

import argparse
import sys
from datetime import date

from services.compliance.messaging import worker
from shared.kit.cli import run_cli


def _sweep(args: argparse.Namespace) -> int:
    from services.compliance.messaging.tasks import run_deadline_sweep
    from shared.kit.config import load_settings
    from shared.kit.db import Database

    result = run_deadline_sweep(Database(load_settings("compliance").database_url), today=args.today)
    print(f"newly overdue {len(result.newly_overdue)} ({len(result.announced_overdue)} announced), "
          f"cancelled {len(result.cancelled)}, "
          f"expired {len(result.expired)}; overdue by body {result.overdue_by_body}")
    return 0


def _rules_check(_args: argparse.Namespace) -> int:
    from services.compliance.domain.rules import load_rules

    rules = load_rules()
    print(f"{len(rules)} rules valid ({len({r.body for r in rules})} bodies)")
    return 0


def _configure_sweep(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="as of this date (YYYY-MM-DD)")


if __name__ == "__main__":
    sys.exit(run_cli("compliance", worker=worker.main, app_path="services.compliance:create_app()", commands={
        "sweep": ("run the deadline sweep once (overdue, cancellations, expiries)", _sweep, _configure_sweep),
        "rules-check": ("validate the rule files", _rules_check, None),
    }))

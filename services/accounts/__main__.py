"""``python -m services.accounts migrate|worker|web|token|renewal-scan``."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from services.accounts.messaging import worker
from shared.kit.cli import run_cli


def _configure_renewal_scan(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="scan as of this date (YYYY-MM-DD); default today (UTC)")
    parser.add_argument("--lead-days", default=None,
                        help="lead times in days, e.g. 120,90,60,30 (default RENEWAL_LEAD_DAYS or 120,90,60,30)")


def renewal_scan(args: argparse.Namespace) -> int:
    from services.accounts.domain.credential_expiry import configured_expiry_days, watch_credentials
    from services.accounts.domain.renewals import parse_lead_days, scan
    from shared.kit.config import load_settings
    from shared.kit.db import Database, utcnow

    try:
        tiers = parse_lead_days(args.lead_days) if args.lead_days else worker.configured_lead_days()
        expiry_days = configured_expiry_days()
    except ValueError as exc:
        print(f"renewal-scan: {exc}", file=sys.stderr)
        return 2
    db = Database(load_settings("accounts").database_url)
    try:
        with db.transaction() as session:
            summary = scan(session, args.today or utcnow().date(), tiers)
            watched = watch_credentials(session, args.today or utcnow().date(), expiry_days)
    finally:
        db.dispose()
    print(summary.line())
    print(watched.line())
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli("accounts", worker=worker.main, app_path="services.accounts:create_app()", argv=argv, commands={
        "renewal-scan": ("raise renewal-due events and activities for policies reaching a lead time, and "
                         "diarise credentials about to expire",
                         renewal_scan, _configure_renewal_scan),
    })


if __name__ == "__main__":
    sys.exit(main())

"""The demo book `make run` seeds: the renewal golden path for a motor carrier, run
through the real APIs end to end (quoted, declined, compared, documents rendered, bound,
DMV filing raised), and a second account whose renewal is marketed to a simulated queue
market and to a market on the email channel: its package is emailed through the
development mail sink (``var/mail/*.eml``) and logged on the account."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timezone

from carrier_simulator.fleet import market_records
from ops import golden_path
from shared.kit.config import REPO_ROOT, load_settings


# A market that takes submissions by email (no broker user: people answer it, and its
# quotes are keyed in); not part of the simulated fleet.
EMAIL_MARKET = {
    "id": "coastal-email-underwriters", "name": "Coastal Email Underwriters", "kind": "wholesaler",
    "carrier_name": "Bayside Specialty Insurance Company", "naic_code": "34567", "admitted": False,
    "am_best_rating": "A-", "channel": "email", "broker_user": None,
    "email": "submissions@coastal-email-underwriters.example",
    "appetite": {"lines": ["GL", "AUTO", "UMB"], "states": ["CA", "NV", "OR"],
                 "min_premium": {"amount": "10000.00", "currency": "USD"},
                 "max_premium": {"amount": "400000.00", "currency": "USD"}},
    "commission_percent": "10.00", "active": True,
}
SECOND_ACCOUNT_MARKETS = ("sierra-mutual", EMAIL_MARKET["id"])
# A carrier the agency is not appointed with: it is reached through Redwood Coast only.
UNAPPOINTED_MARKET = {
    "id": "ironwood-specialty", "name": "Ironwood Specialty", "kind": "carrier",
    "carrier_name": "Ironwood Specialty Insurance Company", "naic_code": "44512", "admitted": False,
    "am_best_rating": "A-", "channel": "email", "broker_user": None, "email": "newbusiness@ironwood-specialty.example",
    "appetite": {"lines": ["GL", "AUTO", "CARGO"], "states": ["CA", "NV"]},
    "commission_percent": "10.00", "active": True,
    "appointment_status": "not_appointed", "appointment_effective_date": None,
}
# The carriers each wholesaler or MGA of the demo book reaches (POST /markets/<id>/carriers).
WHOLESALER_REACH = {
    "redwood-coast-underwriters": [
        {"carrier_name": "Redwood Coast Excess Insurance Company", "naic_code": "17790", "admitted": False,
         "lines": ["GL", "AUTO", "CARGO", "UMB", "POLL"]},
        {"carrier_name": "Ironwood Specialty Insurance Company", "naic_code": "44512", "admitted": False,
         "lines": ["GL", "AUTO", "CARGO"]},
    ],
    "cascade-excess-wholesale": [
        {"carrier_name": "Cascade Surplus Lines Insurance Company", "naic_code": "39217", "admitted": False,
         "lines": []},
        {"carrier_name": "Pacific Crest Specialty Insurance Company", "naic_code": "41873", "admitted": False,
         "lines": ["GL", "AUTO"]},
    ],
    EMAIL_MARKET["id"]: [
        {"carrier_name": "Bayside Specialty Insurance Company", "naic_code": "34567", "admitted": False,
         "lines": ["GL", "AUTO", "UMB"]},
    ],
}


def register_reach(platform: golden_path.Platform) -> None:
    for market_id, carriers in WHOLESALER_REACH.items():
        for carrier in carriers:
            platform.call("POST", "marketing", f"/api/v1/markets/{market_id}/carriers", as_user="pm.ortiz",
                          roles=("program_manager",), json=carrier, expect=(201, 409))


def renewal_scan(today: date, env: dict | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "services.accounts", "renewal-scan", "--today", today.isoformat()],
                          env=env or dict(os.environ), cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"renewal-scan failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def markets_ready_after(registered_at: float, settle: float = 6.0):
    """The marketing worker declares carrier queues every 5 s; sending waits for that."""
    def wait():
        remaining = registered_at + settle - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
    return wait


def seed_demo_book(urls: dict[str, str]) -> None:
    marker = load_settings("accounts").var_dir / "demo-book-seeded"
    if marker.exists():
        print("demo book already seeded (make clean to start afresh)")
        return
    platform = golden_path.Platform(urls=urls, settings=load_settings("accounts"))
    golden_path.register_markets(platform, [*market_records(), EMAIL_MARKET, UNAPPOINTED_MARKET])
    register_reach(platform)
    ready = markets_ready_after(time.monotonic())
    today = datetime.now(timezone.utc).date()
    print("seeding the demo book: renewal golden path for Delta Valley Freight LLC …", flush=True)
    result = golden_path.run(platform, today=today, renewal_scan=renewal_scan, markets_ready=ready)
    option = result["comparison"]["options"][0]
    print(f"  quoted by {option['market_name']}: {option['total_cost']['amount']} "
          f"({option['change_vs_expiring']['percent'] if option.get('change_vs_expiring') else 'n/a'}% vs expiring); "
          f"declined by {', '.join(d['market_name'] for d in result['comparison']['declinations'])}")
    print(f"  bound; DMV filing due {result['filings'][0]['due_on']}; {len(result['activities'])} activities for am.garcia")
    second = golden_path.create_motor_carrier(platform, name="Sierra Foothill Haulers Inc", dca="CA765432",
                                              expires_on=today + golden_path.timedelta(days=110))
    print("  second account (renewal in 110 days):", renewal_scan(today))
    sid = market_by_email(platform, second["client"]["id"])
    print(f"  its renewal {sid} sent to {', '.join(SECOND_ACCOUNT_MARKETS)}; the package email to "
          f"{EMAIL_MARKET['email']} lands in var/mail/ once the documents are rendered")
    marker.write_text(datetime.now(timezone.utc).isoformat())


def market_by_email(platform: golden_path.Platform, client_id: str, timeout: float = 90) -> str:
    """Send the client's draft renewal to a simulated market and the email-channel market;
    the marketing worker emails the package (with the rendered documents) to the dev sink."""
    def draft():
        page = platform.json("GET", "marketing", "/api/v1/submissions", params={"client_id": client_id, "status": "draft"})
        return page["items"][0] if page["items"] else None

    submission = golden_path.wait_for("the second account's draft renewal", draft, timeout)
    sid = submission["id"]
    platform.call("PUT", "marketing", f"/api/v1/submissions/{sid}/markets",
                  json={"market_ids": list(SECOND_ACCOUNT_MARKETS)})
    platform.call("POST", "marketing", f"/api/v1/submissions/{sid}/approve", as_user=golden_path.PRODUCER,
                  roles=("producer",), json={})
    platform.call("POST", "marketing", f"/api/v1/submissions/{sid}/send", json={})
    return sid

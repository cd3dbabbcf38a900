"""(c) An authenticated GET of one account (with its policies) beside a bare Flask JSON
endpoint, both under the same gunicorn settings, on PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import percentile, real_servers, report
from bench.load import hammer, wait_until_up
from shared import testing
from shared.kit.auth import mint_token
from shared.kit.config import REPO_ROOT
from shared.kit.migrations import upgrade

REQUESTS = 3000
CONCURRENCY = 4
WORKERS = 2


def _gunicorn(app_path: str, port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "deploy" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), app_path],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO_ROOT)


def _seed_accounts(settings, count: int = 500) -> str:
    """Clients through the service's own API (in-process), each with two policies."""
    from services.accounts import create_app

    app = create_app(settings)
    token = mint_token(settings, "bench", roles=["admin"], programs=["*"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    target = None
    for i in range(count):
        response = client.post("/api/v1/clients", headers=headers, json={
            "name": f"Bench Carrier {i:05d} LLC", "program": "transportation" if i % 2 else "construction",
            "status": "client", "account_manager": "am.bench"})
        assert response.status_code == 201, response.get_data(as_text=True)
        client_id = response.get_json()["id"]
        for lob, number in (("GL", f"GL-{i:05d}"), ("AUTO", f"AU-{i:05d}")):
            r = client.post(f"/api/v1/clients/{client_id}/policies", headers=headers, json={
                "line_of_business": lob, "policy_number": number,
                "market": {"carrier_name": "Sierra Mutual Insurance Company", "naic_code": "12345"},
                "period": {"effective_date": "2026-03-01", "expiration_date": "2027-03-01"},
                "premium": {"amount": "12000.00", "currency": "USD"},
                "coverages": [{"code": "CGL" if lob == "GL" else "LIAB", "limits": [
                    {"kind": "each_occurrence" if lob == "GL" else "combined_single_limit",
                     "amount": {"amount": "1000000.00", "currency": "USD"}}]}]})
            assert r.status_code == 201, r.get_data(as_text=True)
        if i == count // 2 and i % 2:
            target = client_id
        elif i == count // 2 + 1 and target is None:
            target = client_id
    return target


def run() -> dict:
    with real_servers("bench-api") as (broker_url, db_url_for):
        settings = testing.embedded_settings("accounts", Path("/tmp/bench-api"), broker_url=broker_url,
                                             database_url=db_url_for("accounts"))
        upgrade("accounts", settings)
        target = _seed_accounts(settings)
        env = dict(os.environ, ACCOUNTS_DATABASE_URL=settings.database_url, ACCOUNTS_BROKER_URL=broker_url,
                   VAR_DIR=str(settings.var_dir), PYTHONPATH=str(REPO_ROOT))
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        token = mint_token(settings, "bench", roles=["account_manager"], programs=["transportation", "construction"])
        servers = [_gunicorn("bench.bare_app:create_app()", 18090, env),
                   _gunicorn("services.accounts:create_app()", 18091, env)]
        try:
            bare_url, account_url = "http://127.0.0.1:18090/ping", f"http://127.0.0.1:18091/api/v1/clients/{target}"
            wait_until_up(bare_url)
            wait_until_up("http://127.0.0.1:18091/healthz")
            headers = {"Authorization": f"Bearer {token}"}
            hammer(account_url, requests=200, concurrency=CONCURRENCY, headers=headers)  # warm up
            hammer(bare_url, requests=200, concurrency=CONCURRENCY)
            bare_rates, account_rates, bare_lat, account_lat = [], [], [], []
            for _ in range(5):
                r, lat = hammer(bare_url, requests=REQUESTS, concurrency=CONCURRENCY)
                bare_rates.append(r)
                bare_lat += lat
                r, lat = hammer(account_url, requests=REQUESTS, concurrency=CONCURRENCY, headers=headers)
                account_rates.append(r)
                account_lat += lat
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=15)

        ms = lambda v: f"{v * 1000:.1f} ms"  # noqa: E731
        extra = (f"account p50 {ms(percentile(account_lat, 50))} p99 {ms(percentile(account_lat, 99))}; "
                 f"bare p50 {ms(percentile(bare_lat, 50))} p99 {ms(percentile(bare_lat, 99))}")
        # Best round of each side: interference on a shared machine only slows rounds down.
        return report("api", "GET /api/v1/clients/<id> (JWT, PostgreSQL, best of 5)", max(account_rates),
                      "bare Flask JSON endpoint", max(bare_rates), target=0.3, unit="req/s", extra=extra)


if __name__ == "__main__":
    time.sleep(0)
    run()

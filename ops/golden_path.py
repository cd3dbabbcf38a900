"""The renewal golden path, driven through the services' public HTTP APIs (and the
accounts renewal-scan command), exactly as a portal and cron would drive it.  Used by the
demo seed (`make run`) and by the end-to-end tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import requests

from shared import testing
from shared.kit.auth import mint_token
from shared.kit.config import Settings

AM, PRODUCER = "am.garcia", "pr.nguyen"
QUOTING, DECLINING = "golden-state-casualty", "pacific-crest-specialty"


class ApiError(AssertionError):
    pass


@dataclass
class Platform:
    urls: dict[str, str]
    settings: Settings
    programs: tuple[str, ...] = ("*",)
    tokens: dict[str, str] = field(default_factory=dict)
    http: requests.Session = field(default_factory=requests.Session)

    def token(self, user: str, roles: tuple[str, ...]) -> str:
        key = f"{user}:{','.join(roles)}"
        if key not in self.tokens:
            self.tokens[key] = mint_token(self.settings, user, roles=list(roles), programs=list(self.programs))
        return self.tokens[key]

    def call(self, method: str, service: str, path: str, *, as_user: str = AM,
             roles: tuple[str, ...] = ("account_manager",), expect: tuple[int, ...] = (200, 201), **kwargs):
        headers = {"Authorization": f"Bearer {self.token(as_user, roles)}"}
        response = self.http.request(method, f"{self.urls[service]}{path}", headers=headers, timeout=30, **kwargs)
        if response.status_code not in expect:
            raise ApiError(f"{method} {service}{path} answered {response.status_code}: {response.text[:800]}")
        return response

    def json(self, method: str, service: str, path: str, **kwargs):
        return self.call(method, service, path, **kwargs).json()


def wait_for(what: str, probe: Callable[[], object], timeout: float = 60.0):
    return testing.wait_for(probe, timeout=timeout, interval=0.25, message=what)


def money(amount: str) -> dict:
    return {"amount": amount, "currency": "USD"}


def limit(kind: str, amount: str) -> dict:
    return {"kind": kind, "amount": money(amount)}


GL_COVERAGES = [{
    "code": "CGL", "description": "Commercial general liability (occurrence)",
    "limits": [limit("each_occurrence", "1000000.00"), limit("general_aggregate", "2000000.00"),
               limit("products_completed_ops_aggregate", "2000000.00")],
    "deductible": {"kind": "deductible", "amount": money("1000.00")}, "premium": money("8400.00"),
    "forms": ["CG 00 01 04 13"], "exclusions": [],
}]
AUTO_COVERAGES = [
    {"code": "LIAB", "description": "Auto liability, symbol 1", "limits": [limit("combined_single_limit", "1000000.00")],
     "premium": money("28600.00"), "forms": ["CA 00 01 11 20"], "exclusions": []},
    {"code": "UM", "description": "Uninsured motorists", "limits": [limit("uninsured_motorist", "60000.00")],
     "premium": money("900.00")},
    {"code": "COLL", "description": "Collision, scheduled autos", "limits": [limit("property_damage", "450000.00")],
     "deductible": {"kind": "deductible", "amount": money("2500.00")}, "premium": money("6100.00")},
]


def register_markets(platform: Platform, records: list[dict]) -> None:
    for record in records:
        platform.call("POST", "marketing", "/api/v1/markets", as_user="pm.ortiz", roles=("program_manager",),
                      json=record, expect=(201, 409))


def create_motor_carrier(platform: Platform, *, name: str, dca: str, expires_on: date) -> dict:
    client = platform.json("POST", "accounts", "/api/v1/clients", json={
        "program": "transportation", "name": name, "dba": None, "entity_type": "llc", "status": "client",
        "naics": "484121", "account_manager": AM, "producer": PRODUCER,
        "address": {"line1": "4100 Power Inn Rd", "city": "Sacramento", "state": "CA", "postal_code": "95826"},
        "credentials": [{"kind": "DMV_CA", "number": dca}, {"kind": "USDOT", "number": "3141592"}],
    })
    period = {"effective_date": (expires_on - timedelta(days=365)).isoformat(), "expiration_date": expires_on.isoformat()}
    market = {"carrier_name": "Sierra Mutual Insurance Company", "naic_code": "12345", "market_id": "sierra-mutual"}
    policies = {}
    for lob, number, coverages, premium in (("GL", "SMG-004411", GL_COVERAGES, "8400.00"),
                                            ("AUTO", "SMA-004412", AUTO_COVERAGES, "35600.00")):
        policies[lob] = platform.json("POST", "accounts", f"/api/v1/clients/{client['id']}/policies", json={
            "line_of_business": lob, "policy_number": f"{number}-{dca[-4:]}", "market": market, "period": period,
            "premium": money(premium), "coverages": coverages})
    return {"client": client, "policies": policies}


def run(platform: Platform, *, today: date, renewal_scan: Callable[[date], str], markets_ready: Callable[[], None],
        name: str = "Delta Valley Freight LLC", dca: str = "CA123456", bind: bool = True, timeout: float = 90) -> dict:
    """Every step of the renewal golden path; returns what each step produced."""
    result: dict = {}
    account = create_motor_carrier(platform, name=name, dca=dca, expires_on=today + timedelta(days=90))
    client_id = account["client"]["id"]
    result["client_id"] = client_id
    result["scan"] = renewal_scan(today)

    def draft():
        page = platform.json("GET", "marketing", "/api/v1/submissions", params={"client_id": client_id, "status": "draft"})
        items = [s for s in page["items"] if sorted(s["lines"]) == ["AUTO", "GL"]]
        return items[0] if items else None

    submission = wait_for("the draft renewal submission with GL and AUTO", draft, timeout)
    sid = submission["id"]
    result["submission_id"] = sid
    markets_ready()
    platform.call("PUT", "marketing", f"/api/v1/submissions/{sid}/markets", json={"market_ids": [QUOTING, DECLINING]})
    platform.call("POST", "marketing", f"/api/v1/submissions/{sid}/approve", as_user=PRODUCER, roles=("producer",), json={})
    platform.call("POST", "marketing", f"/api/v1/submissions/{sid}/send", json={})
    wait_for("both markets to answer", lambda: platform.json("GET", "marketing", f"/api/v1/submissions/{sid}").get("comparison_ready_at"), timeout)
    comparison = platform.json("GET", "marketing", f"/api/v1/submissions/{sid}/comparison")
    result["comparison"] = comparison

    def documents():
        page = platform.json("GET", "documents", "/api/v1/documents", params={"subject_id": sid})
        done = {d["kind"]: d for d in page["items"] if d.get("status") == "generated"}
        return done if {"comparison_xlsx", "proposal_docx"} <= set(done) else None

    docs = wait_for("the comparison spreadsheet and the proposal", documents, timeout)
    result["documents"] = {kind: platform.call("GET", "documents", f"/api/v1/documents/{d['id']}/content").content
                           for kind, d in docs.items()}
    if not bind:
        return result
    quote_id = comparison["options"][0]["quote_id"]
    result["bind"] = platform.json("POST", "marketing", f"/api/v1/quotes/{quote_id}/bind", json={})

    def renewed():
        policies = platform.json("GET", "accounts", f"/api/v1/clients/{client_id}/policies")
        items = policies["items"] if isinstance(policies, dict) else policies
        new = [p for p in items if p["status"] == "in_force" and p.get("replaces_policy_id")]
        return items if len(new) == 2 else None

    result["policies"] = wait_for("the new policy terms in accounts", renewed, timeout)

    def filing():
        page = platform.json("GET", "compliance", "/api/v1/filings", params={"client_id": client_id})
        return [f for f in page["items"] if f["body"] == "DMV" and f["form"] == "DMV 65 MCP"] or None

    result["filings"] = wait_for("the DMV motor carrier filing", filing, timeout)

    def filing_activity():
        page = platform.json("GET", "accounts", "/api/v1/activities", params={"client_id": client_id, "assignee": AM, "status": "open"})
        return [a for a in page["items"] if a["type"] == "filing_due"] or None

    result["filing_activities"] = wait_for("the filing-due activity for the account manager", filing_activity, timeout)
    activities = platform.json("GET", "accounts", "/api/v1/activities", params={"client_id": client_id, "assignee": AM})
    result["activities"] = activities["items"]
    return result

"""The demo book's markets (``make run``: the simulated fleet and the email-channel market
of ops/seed.py) are accepted by the markets API, and the second account's renewal goes to
a queue market and the email market: a submission request on the queue, a package email
waiting for its documents for the other."""
from __future__ import annotations

from carrier_simulator.fleet import market_records
from ops.seed import EMAIL_MARKET, SECOND_ACCOUNT_MARKETS

from .helpers import AM, PM, PRODUCER, deliver_accounts_examples, emitted


def test_the_demo_markets_are_accepted_and_one_takes_submissions_by_email(db, http, auth):
    for record in [*market_records(), EMAIL_MARKET]:
        response = http.post("/api/v1/markets", json=record, headers=auth(**PM))
        assert response.status_code == 201, (record["id"], response.get_json())
    channels = {m["id"]: m["channel"] for m in
                http.get("/api/v1/markets?limit=100", headers=auth(**AM)).get_json()["items"]}
    assert [m for m, channel in channels.items() if channel == "email"] == [EMAIL_MARKET["id"]]
    deliver_accounts_examples(db)
    (draft,) = http.get("/api/v1/submissions?status=draft", headers=auth(**AM)).get_json()["items"]
    sid = draft["id"]
    assert http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": list(SECOND_ACCOUNT_MARKETS)},
                    headers=auth(**AM)).status_code == 200
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER)).status_code == 200
    sent = http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM))
    assert sent.status_code == 200, sent.get_json()
    (request,) = emitted(db, "carrier.submission.requested")
    assert request["data"]["market_id"] == "sierra-mutual"
    package = http.get(f"/api/v1/submissions/{sid}/package", headers=auth(**AM)).get_json()
    (email,) = package["emails"]
    assert (email["market_id"], email["recipient"]) == (EMAIL_MARKET["id"], EMAIL_MARKET["email"])
    assert email["status"] in ("waiting", "ready")

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


def test_the_demo_reach_and_the_unappointed_market_are_accepted_and_ranked(db, http, auth):
    from ops.seed import UNAPPOINTED_MARKET, WHOLESALER_REACH

    for record in [*market_records(), EMAIL_MARKET, UNAPPOINTED_MARKET]:
        assert http.post("/api/v1/markets", json=record, headers=auth(**PM)).status_code == 201
    for market_id, carriers in WHOLESALER_REACH.items():
        for carrier in carriers:
            response = http.post(f"/api/v1/markets/{market_id}/carriers", json=carrier, headers=auth(**PM))
            assert response.status_code == 201, (market_id, response.get_json())
    deliver_accounts_examples(db)
    (draft,) = http.get("/api/v1/submissions?status=draft", headers=auth(**AM)).get_json()["items"]
    refused = http.put(f"/api/v1/submissions/{draft['id']}/markets", headers=auth(**AM),
                       json={"market_ids": [UNAPPOINTED_MARKET["id"]]})
    assert refused.status_code == 409 and "redwood-coast-underwriters" in refused.get_json()["detail"]
    ranking = {m["market_id"]: m for m in http.get(f"/api/v1/submissions/{draft['id']}/market-ranking",
                                                   headers=auth(**AM)).get_json()["markets"]}
    assert ranking[UNAPPOINTED_MARKET["id"]]["reached_through"] == [
        {"market_id": "redwood-coast-underwriters", "market_name": "Redwood Coast Underwriters"}]
    assert {c["carrier_name"] for c in ranking["redwood-coast-underwriters"]["reachable_carriers"]} == {
        "Redwood Coast Excess Insurance Company", "Ironwood Specialty Insurance Company"}
    # Pacific Crest is appointed directly and also reachable through Cascade
    assert ranking["pacific-crest-specialty"]["reached_through"] == [
        {"market_id": "cascade-excess-wholesale", "market_name": "Cascade Excess Wholesale"}]
    assert ranking["pacific-crest-specialty"]["appointment_status"] == "appointed"

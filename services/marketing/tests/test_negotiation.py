"""Negotiation: a counter-offer goes to the market as a re-quote request over the outbound
carrier contract (same route as the first send) and is kept as a numbered round; the
negotiation view shows the rounds, the revision chain and the premium drift from
indication to quote to bind."""
from __future__ import annotations

from datetime import timedelta

import pytest

from shared.kit.audit import history
from shared.kit.db import utcnow
from shared.kit.topology import CARRIER_OUTBOUND, outbound_routing_key

from .helpers import (
    AM, answer, bind_and_confirm, broker_user, deliver, emitted, quote_data, quote_envelope, quote_ids,
)

MARKET = "golden-state-casualty"
OUTSIDER = dict(user="am.pest", roles=("account_manager",), programs=("pest-control",))


def usd(amount: str) -> dict:
    return {"amount": amount, "currency": "USD"}


def soon(days: int = 7) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def counter(http, auth, quote_id, **body):
    offer = {"target_premium": usd("42000.00"), "requested_changes": ["Hired and non-owned auto at $1M CSL"],
             "respond_by": soon(), **body}
    return http.post(f"/api/v1/quotes/{quote_id}/counter-offer", json=offer, headers=auth(**AM))


def negotiation(http, auth, sid) -> dict:
    response = http.get(f"/api/v1/submissions/{sid}/negotiation", headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    return {m["market_id"]: m for m in response.get_json()["markets"]}


def test_a_counter_offer_sends_a_requote_request_to_the_market_and_records_the_round(db, http, auth, answered):
    sid = answered["id"]
    quote_id = quote_ids(http, auth, sid)[MARKET]
    response = counter(http, auth, quote_id)
    assert response.status_code == 201, response.get_json()
    round_ = response.get_json()
    assert (round_["round_number"], round_["quote_id"], round_["revision"]) == (1, quote_id, 1)
    assert (round_["quoted_premium"], round_["target_premium"]) == (usd("47080.00"), usd("42000.00"))
    assert round_["answered_by_quote_id"] is None
    requote = [e for e in emitted(db, "carrier.submission.requested") if e["data"]["kind"] == "requote"]
    (message,) = requote
    assert (message["_exchange"], message["_routing_key"]) == (CARRIER_OUTBOUND.name, outbound_routing_key(MARKET))
    data = message["data"]
    assert (data["submission_id"], data["market_id"], data["respond_by"]) == (sid, MARKET, soon())
    assert data["target_premium"] == usd("42000.00")
    assert {line["line_of_business"] for line in data["lines"]} == {"GL", "AUTO"}
    assert "GSC-Q-778812 revision 1" in data["underwriting_notes"]
    assert "- Hired and non-owned auto at $1M CSL" in data["underwriting_notes"]
    assert data["reply_to"] == {"exchange": "carrier.replies", "routing_key": MARKET}
    with db.transaction() as session:
        (entry,) = [e for e in history(session, "quote", quote_id) if e["action"] == "quote.counter_offered"]
    assert entry["actor"] == "user:am.garcia"
    second = counter(http, auth, quote_id, target_premium=usd("44000.00"), requested_changes=[])
    assert second.status_code == 201 and second.get_json()["round_number"] == 2


def test_the_revision_chain_and_the_drift_from_indication_to_quote_to_bind(db, http, auth, sent):
    sid = sent["id"]
    for revision, status, premium in ((1, "indication", "12000.00"), (2, "quoted", "11000.00")):
        data = quote_data(sid, MARKET, ref="GSC-9", revision=revision, status=status, premium=premium)
        assert deliver(db, quote_envelope(data), user_id=broker_user(MARKET)) == "processed"
    firm = quote_ids(http, auth, sid)[MARKET]
    assert counter(http, auth, firm, target_premium=usd("10000.00")).status_code == 201
    data = quote_data(sid, MARKET, ref="GSC-9", revision=3, premium="10500.00")
    assert deliver(db, quote_envelope(data), user_id=broker_user(MARKET)) == "processed"
    final = next(r["quote_id"] for r in negotiation(http, auth, sid)[MARKET]["revisions"] if r["revision"] == 3)
    bind_and_confirm(http, auth, db, final)

    market = negotiation(http, auth, sid)[MARKET]
    assert market["status"] == "bound"
    assert [(r["revision"], r["status"], r["is_current"]) for r in market["revisions"]] == [
        (1, "indication", False), (2, "quoted", False), (3, "quoted", True)]
    assert market["revisions"][0]["change_from_previous"] is None
    assert market["revisions"][2]["change_from_previous"] == {"amount": usd("-500.00"), "percent": "-4.55"}
    (round_,) = market["rounds"]
    assert (round_["quote_id"], round_["answered_by_quote_id"]) == (firm, final)
    assert market["drift"] == {
        "indication": usd("12000.00"), "quote": usd("11000.00"), "bound": usd("10500.00"),
        "indication_to_quote": {"amount": usd("-1000.00"), "percent": "-8.33"},
        "quote_to_bound": {"amount": usd("-500.00"), "percent": "-4.55"},
        "indication_to_bound": {"amount": usd("-1500.00"), "percent": "-12.50"},
    }
    assert counter(http, auth, final).status_code == 409  # the submission is bound


def test_a_market_that_only_declined_shows_its_declination_without_drift(http, auth, answered):
    declined = negotiation(http, auth, answered["id"])["pacific-crest-specialty"]
    assert [r["status"] for r in declined["revisions"]] == ["declined"]
    assert declined["revisions"][0]["change_from_previous"] is None
    assert declined["drift"]["quote"] is None and declined["rounds"] == []


@pytest.mark.parametrize("body, status", [
    ({"respond_by": "2020-01-01"}, 422),
    ({"respond_by": "2030-01-01"}, 422),  # after the policy takes effect
    ({"target_premium": usd("-1.00")}, 422),
    ({"target_premium": {"amount": 42000.5, "currency": "USD"}}, 422),
    ({"target_premium": usd("42000.00") | {"currency": "EUR"}}, 422),
    ({"requested_changes": [""]}, 422),
    ({"discount": "5"}, 422),
])
def test_a_bad_counter_offer_is_refused_with_problem_details(db, http, auth, answered, body, status):
    quote_id = quote_ids(http, auth, answered["id"])[MARKET]
    response = counter(http, auth, quote_id, **body)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert not [e for e in emitted(db, "carrier.submission.requested") if e["data"]["kind"] == "requote"]


def test_a_declination_or_a_superseded_revision_cannot_be_countered(db, http, auth, answered):
    sid = answered["id"]
    ids = quote_ids(http, auth, sid)
    assert counter(http, auth, ids["pacific-crest-specialty"]).status_code == 409
    assert answer(db, sid, 2) == "processed"  # revision 2 supersedes the golden quote
    response = counter(http, auth, ids[MARKET])
    assert response.status_code == 409 and "superseded" in response.get_json()["detail"]


def test_outside_the_callers_programs_there_is_nothing_to_negotiate(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])[MARKET]
    assert http.post(f"/api/v1/quotes/{quote_id}/counter-offer", headers=auth(**OUTSIDER),
                     json={"target_premium": usd("1.00"), "respond_by": soon()}).status_code == 404
    assert http.get(f"/api/v1/submissions/{answered['id']}/negotiation", headers=auth(**OUTSIDER)).status_code == 404
    assistant = dict(user="as.lee", roles=("assistant",))
    assert http.post(f"/api/v1/quotes/{quote_id}/counter-offer", headers=auth(**assistant),
                     json={"target_premium": usd("1.00"), "respond_by": soon()}).status_code == 403

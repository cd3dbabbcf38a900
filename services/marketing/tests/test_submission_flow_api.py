"""The renewal marketing path through the HTTP API: a draft opened by a renewal notice,
markets chosen, approved, sent; quotes in over the intake; the comparison; the bind."""
from __future__ import annotations

from datetime import timedelta

from shared.kit.db import utcnow
from shared.kit.topology import CARRIER_OUTBOUND, outbound_routing_key

from .helpers import (
    AM, CLIENT_ID, answer, bind_and_confirm, broker_user, deliver, deliver_accounts_examples, emitted, golden_quote,
    new_business, quote_envelope, quote_ids,
)

def test_a_renewal_notice_opens_a_draft_with_the_expiring_coverages_as_specifications(draft):
    assert (draft["kind"], draft["status"], draft["client_id"]) == ("renewal", "draft", CLIENT_ID)
    assert sorted(draft["lines"]) == ["AUTO", "GL"]
    expiring_gl = next(e for e in draft["expiring"] if e["line_of_business"] == "GL")
    assert draft["specifications"]["GL"]["coverages"] == expiring_gl["coverages"]


def test_sending_asks_each_market_over_the_outbound_contract(db, sent, markets):
    assert sent["status"] == "sent"
    assert [m["status"] for m in sent["markets"]] == ["sent", "sent"]
    requests = emitted(db, "carrier.submission.requested")
    assert [(r["_exchange"], r["_routing_key"]) for r in requests] == [
        (CARRIER_OUTBOUND.name, outbound_routing_key(m)) for m in markets]
    assert requests[0]["data"]["insured"]["name"] == "Delta Valley Freight LLC"
    assert requests[0]["data"]["reply_to"] == {"exchange": "carrier.replies", "routing_key": markets[0]}
    gl = next(line for line in requests[0]["data"]["lines"] if line["line_of_business"] == "GL")
    assert gl["expiring_premium"] == {"amount": "8400.00", "currency": "USD"}
    assert [e["data"]["market_id"] for e in emitted(db, "marketing.submission.sent")] == markets


def test_approval_records_who_approved_and_when(http, auth, sent):
    assert sent["markets_approved_by"] == "user:pr.nguyen"
    assert sent["markets_approved_at"] is not None


def test_the_comparison_shows_the_quote_against_specifications_and_expiring(http, auth, answered):
    response = http.get(f"/api/v1/submissions/{answered['id']}/comparison", headers=auth(**AM))
    assert response.status_code == 200
    comparison = response.get_json()
    (option,) = comparison["options"]
    assert option["market_id"] == "golden-state-casualty" and option["rank"] == 1
    assert option["total_cost"] == {"amount": "47330.00", "currency": "USD"}
    assert comparison["expiring_premium"] == {"amount": "44000.00", "currency": "USD"}
    assert option["change_vs_expiring"] == {"amount": {"amount": "3330.00", "currency": "USD"}, "percent": "7.57"}
    cgl = next(row for row in option["coverages"] if row["code"] == "CGL")
    assert [f["kind"] for f in cgl["flags"]] == ["higher_deductible"]
    assert cgl["expiring"]["deductible"]["amount"]["amount"] == "1000.00"
    assert comparison["declinations"] == [{"market_id": "pacific-crest-specialty",
                                           "market_name": "Pacific Crest Specialty",
                                           "reason": "Fleet radius exceeds appetite"}]


def test_every_market_answering_makes_the_comparison_ready_once(db, http, auth, answered):
    assert len(emitted(db, "marketing.comparison.ready")) == 1
    submission = http.get(f"/api/v1/submissions/{answered['id']}", headers=auth(**AM)).get_json()
    assert submission["status"] == "quoted"
    assert {m["market_id"]: m["status"] for m in submission["markets"]} == {
        "golden-state-casualty": "quoted", "pacific-crest-specialty": "declined"}
    assert submission["comparison_ready_at"] is not None


def test_binding_the_quote_emits_the_policies_with_full_coverages(db, http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    bind = bind_and_confirm(http, auth, db, quote_id, {"policy_numbers": {"AUTO": "GSC-CA-0001"}})
    assert bind["policy_numbers"]["AUTO"] == "GSC-CA-0001" and bind["policy_numbers"]["GL"].startswith("GOL-GL-")
    (event,) = emitted(db, "marketing.policy.bound")
    policies = {p["line_of_business"]: p for p in event["data"]["policies"]}
    assert [c["code"] for c in policies["AUTO"]["coverages"]] == ["LIAB", "UM", "COLL"]
    assert policies["AUTO"]["replaces_policy_id"] == "a1b2c3d4-0002-4000-8000-000000000002"
    assert policies["GL"]["market"]["naic_code"] == "23456"
    assert event["data"]["insured"]["credentials"][0] == {"kind": "DMV_CA", "number": "CA123456", "expires_on": None}
    assert event["data"]["account_manager"] == "am.garcia"
    submission = http.get(f"/api/v1/submissions/{answered['id']}", headers=auth(**AM)).get_json()
    assert submission["status"] == "bound"
    assert {m["market_id"]: m["status"] for m in submission["markets"]}["golden-state-casualty"] == "bound"
    quote = http.get(f"/api/v1/quotes/{quote_id}", headers=auth(**AM)).get_json()
    assert quote["bind_id"] == bind["id"]


def test_every_event_marketing_emitted_on_the_path_meets_its_contract(db, http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    bind_and_confirm(http, auth, db, quote_id)
    types = {e["type"] for e in emitted(db)}  # emitted() validates every row strictly
    assert types == {"carrier.submission.requested", "marketing.submission.sent", "carrier.quote.replied",
                     "marketing.quote.received", "marketing.quote.declined", "marketing.comparison.ready",
                     "documents.document.requested", "carrier.bind.requested", "marketing.bind.requested",
                     "marketing.policy.bound"}


def test_a_renewal_can_be_opened_through_the_api_from_expiring_policies(db, http, auth, markets):
    deliver_accounts_examples(db)
    response = http.post("/api/v1/submissions", json={
        "kind": "renewal", "expiring_policy_ids": ["a1b2c3d4-0001-4000-8000-000000000001"]}, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["lines"], body["effective_date"], body["created_by"]) == (["GL"], "2027-02-25", "user:am.garcia")


def test_new_business_opens_with_its_own_specifications(db, http, auth):
    deliver_accounts_examples(db)
    response = http.post("/api/v1/submissions", json=new_business(), headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["kind"], response.get_json()["lines"]) == ("new_business", ["GL"])


def test_an_emailed_quote_keyed_in_is_deduplicated_like_the_queue(db, http, auth, sent):
    data = golden_quote(0, submission_id=sent["id"])
    first = http.post("/api/v1/quotes", json=data, headers=auth(**AM))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["channel"] == "email"
    again = http.post("/api/v1/quotes", json=data, headers=auth(**AM))
    assert (again.status_code, again.get_json()["id"]) == (200, first.get_json()["id"])
    conflicting = http.post("/api/v1/quotes", json={**data, "underwriter": "K. Ito"}, headers=auth(**AM))
    assert conflicting.status_code == 409
    assert answer(db, sent["id"], 0) == "processed"  # the same quote over the queue
    assert emitted(db, "carrier.quote.replied")[-1]["data"]["outcome"] == "duplicate"


def test_a_revision_after_the_comparison_shows_in_it(db, http, auth, answered):
    revised = golden_quote(0, submission_id=answered["id"], revision=2,
                           valid_until=(utcnow().date() + timedelta(days=60)).isoformat())
    revised["lines"][0]["premium"]["amount"] = "7990.00"
    assert deliver(db, quote_envelope(revised), user_id=broker_user("golden-state-casualty")) == "processed"
    comparison = http.get(f"/api/v1/submissions/{answered['id']}/comparison", headers=auth(**AM)).get_json()
    assert comparison["options"][0]["revision"] == 2
    assert comparison["options"][0]["total_cost"]["amount"] == "46330.00"
    response = http.post(f"/api/v1/submissions/{answered['id']}/comparison/documents", headers=auth(**AM))
    assert response.status_code == 202 and len(response.get_json()["request_ids"]) == 2
    comparisons = [e for e in emitted(db, "documents.document.requested")
                   if e["data"]["kind"] in ("comparison_xlsx", "proposal_docx")]
    assert len(comparisons) == 4

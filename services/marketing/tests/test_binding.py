"""Binding: the bind order with its subjectivities checklist, the bind request to the
market, the market's confirmation over the carrier contract (golden examples) or keyed
in, then marketing.policy.bound; and the issued policy received over the contract and
checked against the binder and quote."""
from __future__ import annotations

import copy

import pytest

from services.marketing.domain.binding import BindRules, rules_from_env
from shared import testing
from shared.kit.consumer import Rejected

from .helpers import (
    AM, PRODUCER, broker_user, confirm_bind, deliver, emitted, quote_ids,
)

GOLDEN, DECLINING = "golden-state-casualty", "pacific-crest-specialty"


def _order(http, auth, answered, body=None):
    quote_id = quote_ids(http, auth, answered["id"])[GOLDEN]
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json=body or {}, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _golden(event_type: str, index: int, bind: dict, **changes) -> dict:
    """Golden example ``index`` of ``event_type`` re-addressed to ``bind``."""
    envelope = copy.deepcopy(testing.examples(event_type)[index])
    envelope["data"].update({"bind_id": bind["id"], "submission_id": bind["submission_id"], **changes})
    return envelope


def test_rules_come_from_the_environment():
    assert rules_from_env(environ={}) == BindRules("market", False)
    assert rules_from_env(environ={"MARKETING_BIND_CONFIRMATION": "immediate", "BIND_REQUIRES_SUBJECTIVITIES": "1"},
                          declinations_required=2) == BindRules("immediate", True, 2)
    with pytest.raises(ValueError):
        rules_from_env(environ={"BIND_CONFIRMATION": "whenever"})


def test_the_order_goes_to_the_market_with_its_subjectivities_checklist(db, http, auth, answered):
    bind = _order(http, auth, answered, {"payment_plan": "25% down, 9 installments",
                                         "instructions": "Binder to the AM, please."})
    assert bind["status"] == "requested" and bind["market_id"] == GOLDEN and bind["requested_at"]
    assert [(s["text"], s["status"]) for s in bind["subjectivities"]] == [
        ("Signed driver list with MVRs dated within 30 days", "open")]
    (request,) = emitted(db, "carrier.bind.requested")
    assert (request["_exchange"], request["_routing_key"]) == ("carrier.outbound", f"carrier.{GOLDEN}.submission")
    data = request["data"]
    assert (data["bind_id"], data["carrier_quote_ref"], data["revision"]) == (bind["id"], "GSC-Q-778812", 1)
    assert data["payment_plan"] == "25% down, 9 installments" and data["total_cost"]["amount"] == "47330.00"
    assert data["subjectivities"] == [{"text": "Signed driver list with MVRs dated within 30 days",
                                       "status": "open", "note": None}]
    assert data["reply_to"] == {"exchange": "carrier.replies", "routing_key": GOLDEN}
    assert emitted(db, "marketing.policy.bound") == []
    submission = http.get(f"/api/v1/submissions/{answered['id']}", headers=auth(**AM)).get_json()
    assert submission["status"] == "bind_requested"
    assert {m["market_id"]: m["status"] for m in submission["markets"]}[GOLDEN] == "bind_requested"


def test_a_payment_plan_the_quote_does_not_offer_is_refused(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])[GOLDEN]
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json={"payment_plan": "Monthly"}, headers=auth(**AM))
    assert response.status_code == 422 and "Monthly" in response.get_json()["detail"]


def test_every_golden_confirmation_binds_once_and_announces_the_new_terms(db, http, auth, answered):
    bind = _order(http, auth, answered)
    first, other = (_golden("carrier.bind.confirmed", i, bind) for i in (0, 1))
    assert deliver(db, first, user_id=broker_user(GOLDEN)) == "processed"
    resent = {**copy.deepcopy(first), "id": "resent-confirmation"}
    assert deliver(db, resent, user_id=broker_user(GOLDEN)) == "processed"
    assert deliver(db, other, user_id=broker_user(GOLDEN)) == "processed"
    outcomes = {e["data"]["in_reply_to"]: (e["data"]["outcome"], e["data"]["reasons"])
                for e in emitted(db, "carrier.quote.replied")}
    assert outcomes[first["id"]] == ("accepted", [])
    assert outcomes["resent-confirmation"] == ("duplicate", [])
    assert outcomes[other["id"]][0] == "rejected" and "GSC-B-100245" in outcomes[other["id"]][1][0]
    (bound,) = emitted(db, "marketing.policy.bound")
    policies = {p["line_of_business"]: p for p in bound["data"]["policies"]}
    assert policies["GL"]["policy_number"] == "GSC-GL-2027-0451"
    assert policies["AUTO"]["period"] == {"effective_date": "2027-02-25", "expiration_date": "2028-02-25"}
    shown = http.get(f"/api/v1/binds/{bind['id']}", headers=auth(**AM)).get_json()
    assert (shown["status"], shown["binder_number"], shown["confirmation_channel"]) == ("bound", "GSC-B-100245", "queue")
    assert shown["changes"] == ["Installment fee of USD 10.00 per installment applies"]
    assert shown["confirmed_by"] == f"carrier:{GOLDEN}" and shown["bound_by"] == "user:am.garcia"
    submission = http.get(f"/api/v1/submissions/{answered['id']}", headers=auth(**AM)).get_json()
    assert submission["status"] == "bound"


def test_confirmations_that_cannot_be_taken(db, http, auth, answered):
    bind = _order(http, auth, answered)
    golden = _golden("carrier.bind.confirmed", 0, bind)
    forged = deliver(db, golden, user_id=broker_user(DECLINING))
    assert isinstance(forged, Rejected) and forged.kind == "forged_market"
    not_theirs = _golden("carrier.bind.confirmed", 0, bind, market_id=DECLINING)
    unknown = deliver(db, not_theirs, user_id=broker_user(DECLINING))
    assert isinstance(unknown, Rejected) and unknown.kind == "unknown_bind"
    stray = _golden("carrier.bind.confirmed", 0, bind, bind_id="no-such-bind")
    assert deliver(db, stray, user_id=broker_user(GOLDEN)).kind == "unknown_bind"
    bad_lines = _golden("carrier.bind.confirmed", 0, bind, policy_numbers={"WC": "X-1"})
    assert deliver(db, bad_lines, user_id=broker_user(GOLDEN)) == "processed"
    (reply,) = [e["data"] for e in emitted(db, "carrier.quote.replied") if e["data"]["in_reply_to"] == bad_lines["id"]]
    assert reply["outcome"] == "rejected" and "WC" in reply["reasons"][0]
    assert emitted(db, "marketing.policy.bound") == []


def test_the_submission_cannot_be_bound_twice_while_the_market_confirms(http, auth, answered):
    bind = _order(http, auth, answered)
    quote_id = quote_ids(http, auth, answered["id"])[GOLDEN]
    again = http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM))
    assert again.status_code == 409 and bind["id"] in again.get_json()["detail"]


def test_a_binder_can_be_keyed_in_once(db, http, auth, answered):
    bind = _order(http, auth, answered)
    url = f"/api/v1/binds/{bind['id']}/confirmation"
    body = {"binder_number": "GSC-B-9", "effective_date": "2027-03-01", "policy_numbers": {"AUTO": "GSC-CA-9"},
            "changes": ["Effective a few days later at the insured's request"]}
    assert http.post(url, json={**body, "expiration_date": "2027-01-01"}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json=body, headers=auth(roles=("assistant",))).status_code == 403
    response = http.post(url, json=body, headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert (shown["status"], shown["effective_date"], shown["expiration_date"]) == ("bound", "2027-03-01", "2028-03-01")
    assert shown["confirmation_channel"] == "keyed"
    (bound,) = emitted(db, "marketing.policy.bound")
    auto = next(p for p in bound["data"]["policies"] if p["line_of_business"] == "AUTO")
    assert auto["policy_number"] == "GSC-CA-9" and auto["period"]["effective_date"] == "2027-03-01"
    assert http.post(url, json=body, headers=auth(**AM)).status_code == 409


def test_subjectivities_are_received_or_waived_with_who_and_when(http, auth, answered):
    bind = _order(http, auth, answered)
    (item,) = bind["subjectivities"]
    url = f"/api/v1/binds/{bind['id']}/subjectivities/{item['id']}"
    assert http.post(url, json={"status": "open"}, headers=auth(**AM)).status_code == 422
    assert http.post(f"/api/v1/binds/{bind['id']}/subjectivities/999", json={"status": "waived"},
                     headers=auth(**AM)).status_code == 404
    response = http.post(url, json={"status": "received", "note": "Signed list on file"}, headers=auth(**AM))
    assert response.status_code == 200
    (done,) = response.get_json()["subjectivities"]
    assert (done["status"], done["note"], done["resolved_by"]) == ("received", "Signed list on file", "user:am.garcia")
    assert done["resolved_at"] is not None


def test_when_configured_the_bind_request_waits_for_every_subjectivity(db, app, http, auth, answered):
    app.config["BIND_RULES"] = BindRules(require_subjectivities=True)
    bind = _order(http, auth, answered)
    assert bind["status"] == "awaiting_subjectivities"
    assert emitted(db, "carrier.bind.requested") == []
    keyed = http.post(f"/api/v1/binds/{bind['id']}/confirmation",
                      json={"binder_number": "B-1", "effective_date": "2027-02-25"}, headers=auth(**AM))
    assert keyed.status_code == 409
    (item,) = bind["subjectivities"]
    response = http.post(f"/api/v1/binds/{bind['id']}/subjectivities/{item['id']}", json={"status": "waived"},
                         headers=auth(**PRODUCER))
    assert response.get_json()["status"] == "requested"
    (request,) = emitted(db, "carrier.bind.requested")
    assert request["data"]["subjectivities"][0]["status"] == "waived"
    assert confirm_bind(db, bind) == "processed"
    assert len(emitted(db, "marketing.policy.bound")) == 1


def test_an_immediate_bind_is_confirmed_at_once(db, app, http, auth, answered):
    app.config["BIND_RULES"] = BindRules(confirmation="immediate")
    bind = _order(http, auth, answered)
    assert bind["status"] == "bound" and bind["confirmation_channel"] == "immediate"
    assert emitted(db, "carrier.bind.requested") == []
    assert len(emitted(db, "marketing.policy.bound")) == 1


def test_golden_issued_policies_are_checked_against_the_binder_and_quote(db, http, auth, answered):
    bind = _order(http, auth, answered)
    early = _golden("carrier.policy.issued", 0, bind)
    assert deliver(db, early, user_id=broker_user(GOLDEN)) == "processed"
    assert confirm_bind(db, bind) == "processed"
    matching, differing = (_golden("carrier.policy.issued", i, bind) for i in (0, 1))
    matching = {**matching, "id": "issued-matching"}
    for envelope in (matching, differing, {**copy.deepcopy(differing), "id": "issued-again"}):
        assert deliver(db, envelope, user_id=broker_user(GOLDEN)) == "processed"
    outcomes = {e["data"]["in_reply_to"]: (e["data"]["outcome"], e["data"]["reasons"])
                for e in emitted(db, "carrier.quote.replied")}
    assert outcomes[early["id"]][0] == "rejected" and "requested" in outcomes[early["id"]][1][0]
    assert outcomes["issued-matching"] == ("accepted", [])
    assert outcomes[differing["id"]] == ("accepted", [])
    assert outcomes["issued-again"] == ("duplicate", [])
    (found,) = emitted(db, "marketing.policy.discrepancies_found")
    assert sorted(d["kind"] for d in found["data"]["discrepancies"]) == ["deductible", "new_exclusion"]
    assert found["data"]["bind_id"] == bind["id"]


def test_the_keyed_issued_policy_waits_for_the_bind_to_be_confirmed(http, auth, answered):
    bind = _order(http, auth, answered)
    quote_id = quote_ids(http, auth, answered["id"])[GOLDEN]
    quote = http.get(f"/api/v1/quotes/{quote_id}", headers=auth(**AM)).get_json()
    issued = {"lines": quote["lines"], "forms": quote["forms"], "exclusions": quote["exclusions"]}
    assert http.post(f"/api/v1/binds/{bind['id']}/issued-policy", json=issued, headers=auth(**AM)).status_code == 409

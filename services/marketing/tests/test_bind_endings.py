"""A bind order that ends unbound - the market refuses it (carrier.bind.declined, golden
examples, or keyed in) or the agency cancels it (the market is told with
carrier.bind.cancelled) - and what the account manager hears about binds and expiring
quotes (marketing.bind.requested / declined / cancelled, marketing.quote.expired); the
issued policy's term checked against the binder's."""
from __future__ import annotations

import copy
from datetime import timedelta

from sqlalchemy import select

from services.marketing.domain.expiry import expire_quotes
from services.marketing.domain.policy_check import discrepancies
from services.marketing.models import Bind, IssuedPolicyCheck
from shared import testing
from shared.kit.audit import history
from shared.kit.consumer import Rejected
from shared.kit.db import utcnow

from .helpers import (
    AM, PRODUCER, bind_and_confirm, broker_user, carrier_envelope, confirm_bind, deliver, emitted, quote_data,
    quote_envelope, quote_ids,
)

GOLDEN, DECLINING = "golden-state-casualty", "pacific-crest-specialty"


def _order(http, auth, submission_id, body=None):
    quote_id = quote_ids(http, auth, submission_id)[GOLDEN]
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json=body or {}, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _declined(bind, index=0, **changes):
    envelope = copy.deepcopy(testing.examples("carrier.bind.declined")[index])
    envelope["data"].update({"bind_id": bind["id"], "submission_id": bind["submission_id"], **changes})
    return envelope


def _replies(db):
    return {e["data"]["in_reply_to"]: (e["data"]["outcome"], e["data"]["reasons"])
            for e in emitted(db, "carrier.quote.replied")}


def _market(http, auth, sid, market_id=GOLDEN):
    return http.get(f"/api/v1/submissions/{sid}/markets/{market_id}", headers=auth(**AM)).get_json()


def test_the_bind_request_is_announced_with_the_day_the_binder_is_due(db, http, auth, answered):
    bind = _order(http, auth, answered["id"])
    (event,) = emitted(db, "marketing.bind.requested")
    data = event["data"]
    assert (data["bind_id"], data["market_id"], data["channel"], data["carrier_quote_ref"]) == (
        bind["id"], GOLDEN, "queue", "GSC-Q-778812")
    assert data["total_cost"] == {"amount": "47330.00", "currency": "USD"}
    assert data["binder_due"] == (utcnow().date() + timedelta(days=3)).isoformat()
    assert (data["requested_by"], data["account_manager"], data["insured_name"]) == (
        "user:am.garcia", "am.garcia", "Delta Valley Freight LLC")


def test_every_golden_refusal_ends_the_order_once_and_reopens_the_submission(db, http, auth, answered):
    sid = answered["id"]
    bind = _order(http, auth, sid)
    first, other = _declined(bind, 0), _declined(bind, 1)
    assert deliver(db, first, user_id=broker_user(GOLDEN)) == "processed"
    assert deliver(db, {**copy.deepcopy(first), "id": "refusal-again"}, user_id=broker_user(GOLDEN)) == "processed"
    assert deliver(db, other, user_id=broker_user(GOLDEN)) == "processed"
    replies = _replies(db)
    assert replies[first["id"]] == ("accepted", []) and replies["refusal-again"] == ("duplicate", [])
    assert replies[other["id"]][0] == "rejected" and "already declined" in replies[other["id"]][1][0]
    shown = http.get(f"/api/v1/binds/{bind['id']}", headers=auth(**AM)).get_json()
    assert (shown["status"], shown["ended_by"]) == ("declined", f"carrier:{GOLDEN}")
    assert shown["ended_reason"] == first["data"]["reason"] and shown["ended_at"]
    (event,) = emitted(db, "marketing.bind.declined")
    assert (event["data"]["bind_id"], event["data"]["reason"]) == (bind["id"], first["data"]["reason"])
    submission = http.get(f"/api/v1/submissions/{sid}", headers=auth(**AM)).get_json()
    assert submission["status"] == "quoted"
    market = _market(http, auth, sid)
    assert market["status"] == "declined"
    assert [(h["from"], h["to"]) for h in market["history"]][-2:] == [("quoted", "bind_requested"),
                                                                     ("bind_requested", "declined")]
    # the refused quote cannot be bound again; a confirmation after the refusal is refused
    quote_id = quote_ids(http, auth, sid)[GOLDEN]
    again = http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM))
    assert again.status_code == 409 and "declined" in again.get_json()["detail"]
    assert confirm_bind(db, bind) == "processed"
    late = [r for r in emitted(db, "carrier.quote.replied") if r["data"]["outcome"] == "rejected"][-1]
    assert "declined" in late["data"]["reasons"][0]
    assert emitted(db, "marketing.policy.bound") == []


def test_a_refusal_that_cannot_be_taken(db, http, auth, answered):
    bind = _order(http, auth, answered["id"])
    forged = deliver(db, _declined(bind), user_id=broker_user(DECLINING))
    assert isinstance(forged, Rejected) and forged.kind == "forged_market"
    stray = deliver(db, _declined(bind, bind_id="no-such-bind"), user_id=broker_user(GOLDEN))
    assert isinstance(stray, Rejected) and stray.kind == "unknown_bind"
    schema = deliver(db, _declined(bind, reason=""), user_id=broker_user(GOLDEN))
    assert isinstance(schema, Rejected)
    assert confirm_bind(db, bind) == "processed"  # bound: too late to refuse
    late = _declined(bind)
    assert deliver(db, late, user_id=broker_user(GOLDEN)) == "processed"
    outcome, reasons = _replies(db)[late["id"]]
    assert outcome == "rejected" and "already bound" in reasons[0]


def test_a_refusal_keyed_in_for_a_market_that_said_so_by_phone(db, http, auth, answered):
    bind = _order(http, auth, answered["id"])
    url = f"/api/v1/binds/{bind['id']}/declination"
    assert http.post(url, json={"reason": ""}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={"reason": "x"}, headers=auth(roles=("compliance",))).status_code == 403
    response = http.post(url, json={"reason": "Underwriter withdrew by phone"}, headers=auth(**AM))
    assert response.status_code == 200 and response.get_json()["status"] == "declined"
    assert http.post(url, json={"reason": "Underwriter withdrew by phone"}, headers=auth(**AM)).status_code == 409
    (event,) = emitted(db, "marketing.bind.declined")
    assert event["data"]["declined_by"] == "user:am.garcia"


def test_a_cancelled_order_tells_the_market_and_the_quote_can_be_bound_again(db, http, auth, answered):
    sid = answered["id"]
    bind = _order(http, auth, sid)
    url = f"/api/v1/binds/{bind['id']}/cancellation"
    assert http.post(url, json={}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={"reason": "x"}, headers=auth(roles=("assistant",))).status_code == 403
    response = http.post(url, json={"reason": "Insured wants the quarterly plan"}, headers=auth(**PRODUCER))
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert (shown["status"], shown["ended_by"], shown["ended_reason"]) == (
        "cancelled", "user:pr.nguyen", "Insured wants the quarterly plan")
    assert http.post(url, json={"reason": "again"}, headers=auth(**AM)).status_code == 409
    (told,) = emitted(db, "carrier.bind.cancelled")
    assert (told["_exchange"], told["_routing_key"]) == ("carrier.outbound", f"carrier.{GOLDEN}.submission")
    assert (told["data"]["bind_id"], told["data"]["carrier_quote_ref"], told["data"]["revision"]) == (
        bind["id"], "GSC-Q-778812", 1)
    (event,) = emitted(db, "marketing.bind.cancelled")
    assert event["data"]["cancelled_by"] == "user:pr.nguyen"
    assert _market(http, auth, sid)["status"] == "quoted"
    assert http.get(f"/api/v1/submissions/{sid}", headers=auth(**AM)).get_json()["status"] == "quoted"
    with db.transaction() as session:
        assert [e["action"] for e in history(session, "bind", bind["id"])][-1] == "bind.cancelled"
    # the market's confirmation of the withdrawn order is refused; the quote is bound anew
    assert confirm_bind(db, bind) == "processed"
    assert emitted(db, "marketing.policy.bound") == []
    quote_id = quote_ids(http, auth, sid)[GOLDEN]
    assert http.get(f"/api/v1/quotes/{quote_id}", headers=auth(**AM)).get_json()["bind_id"] is None
    rebound = bind_and_confirm(http, auth, db, quote_id, {"payment_plan": "25% down, 9 installments"})
    assert rebound["status"] == "bound" and rebound["id"] != bind["id"]
    assert http.get(f"/api/v1/quotes/{quote_id}", headers=auth(**AM)).get_json()["bind_id"] == rebound["id"]
    with db.transaction() as session:
        assert len(session.scalars(select(Bind).where(Bind.submission_id == sid)).all()) == 2
    # a bound order cannot be cancelled (the policy is cancelled in accounts)
    bound_url = f"/api/v1/binds/{rebound['id']}/cancellation"
    refused = http.post(bound_url, json={"reason": "too late"}, headers=auth(**AM))
    assert refused.status_code == 409 and "already bound" in refused.get_json()["detail"]


def test_an_email_market_is_not_sent_a_cancellation(db, http, auth, answered):
    from services.marketing.models import Market

    with db.transaction() as session:
        session.get(Market, GOLDEN).channel = "email"
    bind = _order(http, auth, answered["id"])
    (requested,) = emitted(db, "marketing.bind.requested")
    assert requested["data"]["channel"] == "email" and emitted(db, "carrier.bind.requested") == []
    response = http.post(f"/api/v1/binds/{bind['id']}/cancellation", json={"reason": "Client changed mind"},
                         headers=auth(**AM))
    assert response.status_code == 200
    assert emitted(db, "carrier.bind.cancelled") == [] and len(emitted(db, "marketing.bind.cancelled")) == 1


def test_an_expired_quote_is_announced_once_for_the_account_manager(db, sent):
    sid = sent["id"]
    stale = quote_data(sid, GOLDEN, ref="GSC-X", valid_days=-1)
    assert deliver(db, quote_envelope(stale), user_id=broker_user(GOLDEN)) == "processed"
    today = utcnow().date()
    with db.transaction() as session:
        (quote_id,) = expire_quotes(session, today)
    with db.transaction() as session:
        assert expire_quotes(session, today) == []
    (event,) = emitted(db, "marketing.quote.expired")
    data = event["data"]
    assert (data["quote_id"], data["carrier_quote_ref"], data["revision"], data["status"]) == (
        quote_id, "GSC-X", 1, "quoted")
    assert data["valid_until"] == (today - timedelta(days=1)).isoformat()
    assert data["total_cost"] == {"amount": "10150.00", "currency": "USD"}
    assert (data["account_manager"], data["insured_name"]) == ("am.garcia", "Delta Valley Freight LLC")


# -- the issued policy's term ------------------------------------------------------------

def test_a_term_that_differs_is_a_discrepancy():
    lines = {"lines": [], "forms": [], "exclusions": []}
    bound = {**lines, "period": {"effective_date": "2027-02-25", "expiration_date": "2028-02-25"}}
    assert discrepancies(bound, {**lines, "period": dict(bound["period"])}) == []
    assert discrepancies(bound, lines) == []  # a policy keyed in without its term: nothing to compare
    (found,) = discrepancies(bound, {**lines, "period": {"effective_date": "2027-02-25",
                                                         "expiration_date": "2027-08-25"}})
    assert (found["kind"], found["expected"], found["found"]) == (
        "term", "2027-02-25 to 2028-02-25", "2027-02-25 to 2027-08-25")
    assert found["detail"] == ("Policy term 2027-02-25 to 2027-08-25 instead of 2027-02-25 to 2028-02-25 as bound "
                               "(expiration date differs).")


def test_the_issued_term_is_checked_against_the_binder_keyed_or_over_the_contract(db, http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])[GOLDEN]
    bind = bind_and_confirm(http, auth, db, quote_id, effective_date="2027-03-01")
    assert (bind["effective_date"], bind["expiration_date"]) == ("2027-03-01", "2028-03-01")
    quote = http.get(f"/api/v1/quotes/{quote_id}", headers=auth(**AM)).get_json()
    issued = {"lines": quote["lines"], "forms": quote["forms"], "exclusions": quote["exclusions"]}
    # the quote's term (2027-02-25) is not the binder's: the binder wins
    as_quoted = {**issued, "period": {"effective_date": "2027-02-25", "expiration_date": "2028-02-25"}}
    response = http.post(f"/api/v1/binds/{bind['id']}/issued-policy", json=as_quoted, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    check = response.get_json()
    assert [(d["kind"], d["expected"], d["found"]) for d in check["discrepancies"]] == [
        ("term", "2027-03-01 to 2028-03-01", "2027-02-25 to 2028-02-25")]
    assert check["period"] == {"effective_date": "2027-02-25", "expiration_date": "2028-02-25"}
    backwards = {**issued, "period": {"effective_date": "2027-03-01", "expiration_date": "2027-03-01"}}
    assert http.post(f"/api/v1/binds/{bind['id']}/issued-policy", json=backwards,
                     headers=auth(**AM)).status_code == 422
    envelope = copy.deepcopy(testing.examples("carrier.policy.issued")[0])
    envelope["data"].update(bind_id=bind["id"], submission_id=bind["submission_id"])
    assert deliver(db, envelope, user_id=broker_user(GOLDEN)) == "processed"
    shifted = copy.deepcopy(envelope)
    shifted["id"] = "issued-with-the-binders-term"
    shifted["data"]["period"] = {"effective_date": "2027-03-01", "expiration_date": "2028-03-01"}
    assert deliver(db, shifted, user_id=broker_user(GOLDEN)) == "processed"
    replies = _replies(db)
    assert replies[envelope["id"]] == ("accepted", []) and replies[shifted["id"]] == ("accepted", [])
    found = emitted(db, "marketing.policy.discrepancies_found")
    kinds = [sorted(d["kind"] for d in e["data"]["discrepancies"]) for e in found]
    assert ["term"] in kinds and len(found) == 2  # the keyed-in check and the golden policy (as quoted)
    with db.transaction() as session:
        checks = session.scalars(select(IssuedPolicyCheck).where(IssuedPolicyCheck.bind_id == bind["id"])).all()
        assert {(c.effective_date.isoformat(), c.discrepancy_count) for c in checks} == {
            ("2027-02-25", 1), ("2027-03-01", 0)}

"""Recording policy terms over HTTP, with the bad input an account manager can send."""
from __future__ import annotations

import pytest

from services.accounts.tests.helpers import create_client, create_policy, emitted, policy_body


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def test_recording_a_policy_emits_policy_recorded_with_its_coverages(http, auth, db, client_id):
    policy = create_policy(http, auth(), client_id, line="AUTO", number="SMA-CA-1")
    [event] = emitted(db, "accounts.policy.recorded")
    snapshot = event["data"]["policy"]
    assert snapshot["policy_id"] == policy["id"] and snapshot["status"] == "in_force"
    assert snapshot["premium"] == {"amount": "8990.00", "currency": "USD"}
    assert snapshot["coverages"][0]["limits"][0] == {
        "kind": "each_occurrence", "amount": {"amount": "1000000.00", "currency": "USD"}}
    assert event["data"]["insured"]["credentials"][0] == {"kind": "DMV_CA", "number": "CA123456", "expires_on": None}
    assert event["data"]["bound_quote_id"] is None


def test_an_account_shows_its_policies_and_credentials(http, auth, client_id):
    headers = auth()
    create_policy(http, headers, client_id, line="GL", number="GL-1")
    create_policy(http, headers, client_id, line="AUTO", number="AUTO-1")
    account = http.get(f"/api/v1/clients/{client_id}", headers=headers).get_json()
    assert sorted(p["policy_number"] for p in account["policies"]) == ["AUTO-1", "GL-1"]
    assert [c["kind"] for c in account["credentials"]] == ["DMV_CA", "USDOT"]
    listed = http.get(f"/api/v1/clients/{client_id}/policies?limit=1", headers=headers).get_json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]
    rest = http.get(f"/api/v1/clients/{client_id}/policies?after={listed['next_cursor']}", headers=headers).get_json()
    assert {listed["items"][0]["policy_number"], rest["items"][0]["policy_number"]} == {"GL-1", "AUTO-1"}


def test_a_premium_keeps_its_cents_as_a_decimal(http, auth, client_id):
    policy = create_policy(http, auth(), client_id, premium={"amount": "12345678.91", "currency": "USD"})
    assert policy["premium"] == {"amount": "12345678.91", "currency": "USD"}


def test_the_same_policy_number_for_the_same_carrier_is_a_conflict(http, auth, client_id):
    headers = auth()
    create_policy(http, headers, client_id, number="DUP-1")
    response = http.post(f"/api/v1/clients/{client_id}/policies", json=policy_body(number="DUP-1"), headers=headers)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_the_same_policy_number_at_another_carrier_is_a_different_policy(http, auth, client_id):
    headers = auth()
    create_policy(http, headers, client_id, number="SAME-1")
    other_market = {"carrier_name": "Golden State Casualty Company", "naic_code": "23456"}
    create_policy(http, headers, client_id, number="SAME-1", market=other_market)


def test_a_term_with_a_non_us_insurer_keeps_its_naic_alien_insurer_code(http, auth, client_id):
    lloyds = {"carrier_name": "Lloyd's Syndicate 2623 (Beazley)", "naic_code": "AA-1128623", "admitted": False,
              "wholesaler": "Pacific Coast Excess & Surplus"}
    policy = create_policy(http, auth(), client_id, number="B0180-2026-1", market=lloyds)
    assert policy["market"]["naic_code"] == "AA-1128623" and policy["market"]["admitted"] is False


def test_recording_the_renewal_term_marks_the_expiring_one_renewed(http, auth, client_id):
    headers = auth()
    expiring = create_policy(http, headers, client_id, number="GL-2026")
    renewal = create_policy(http, headers, client_id, number="GL-2027", replaces_policy_id=expiring["id"])
    assert renewal["replaces_policy_id"] == expiring["id"]
    assert http.get(f"/api/v1/policies/{expiring['id']}", headers=headers).get_json()["status"] == "renewed"


def test_a_renewal_of_another_clients_policy_is_refused(http, auth, client_id):
    headers = auth()
    other = create_client(http, headers, name="Other Carrier Inc")
    foreign = create_policy(http, headers, other["id"], number="FOREIGN-1")
    response = http.post(f"/api/v1/clients/{client_id}/policies", headers=headers,
                         json=policy_body(number="MINE-1", replaces_policy_id=foreign["id"]))
    assert response.status_code == 422
    assert "replaces_policy_id" in response.get_json()["errors"]


BAD_TERMS = {
    "term ending before it starts": {"period": {"effective_date": "2027-03-01", "expiration_date": "2026-03-01"}},
    "term ending the day it starts": {"period": {"effective_date": "2027-03-01", "expiration_date": "2027-03-01"}},
    "negative limit": {"coverages": [{"code": "CGL", "limits": [
        {"kind": "each_occurrence", "amount": {"amount": "-1000000", "currency": "USD"}}]}]},
    "negative premium": {"premium": {"amount": "-5.00", "currency": "USD"}},
    "premium as a float": {"premium": {"amount": 8990.5, "currency": "USD"}},
    "limit without an amount": {"coverages": [{"code": "CGL", "limits": [{"kind": "each_occurrence"}]}]},
    "unknown line of business": {"line_of_business": "SPACE"},
    "unknown coverage field": {"coverages": [{"code": "CGL", "colour": "red"}]},
    "unknown status": {"status": "lapsed"},
    "bad NAIC code": {"market": {"carrier_name": "X", "naic_code": "12"}},
    "alien code without its seven digits": {"market": {"carrier_name": "X", "naic_code": "AA-112033"}},
    "bad date": {"period": {"effective_date": "2027-02-30", "expiration_date": "2028-03-01"}},
    "unknown top-level field": {"broker_fee": "100"},
}


@pytest.mark.parametrize("change", BAD_TERMS.values(), ids=BAD_TERMS.keys())
def test_invalid_policy_terms_answer_422(http, auth, client_id, change):
    response = http.post(f"/api/v1/clients/{client_id}/policies", json=policy_body(**change), headers=auth())
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]


def test_malformed_json_for_a_policy_answers_400(http, auth, client_id):
    response = http.post(f"/api/v1/clients/{client_id}/policies", data="{\"line_of_business\": ",
                         content_type="application/json", headers=auth())
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_no_event_leaves_when_a_policy_is_refused(http, auth, db, client_id):
    headers = auth()
    create_policy(http, headers, client_id, number="ONCE-1")
    http.post(f"/api/v1/clients/{client_id}/policies", json=policy_body(number="ONCE-1"), headers=headers)
    assert len(emitted(db, "accounts.policy.recorded")) == 1

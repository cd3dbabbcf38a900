"""Bad input answers 4xx problem details, never 500."""
from __future__ import annotations

from datetime import timedelta

import pytest

from shared.kit.db import utcnow

from .helpers import (
    AM, CLIENT_ID, PM, PRODUCER, broker_user, deliver, deliver_accounts_examples, golden_quote, market_body,
    new_business, quote_envelope, quote_ids,
)

PROBLEM = "application/problem+json"


def problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_malformed_json_and_unknown_fields_and_wrong_types_are_refused(http, auth):
    headers = {**auth(**PM), "Content-Type": "application/json"}
    problem(http.post("/api/v1/markets", data="{not json", headers=headers), 400)
    problem(http.post("/api/v1/markets", json={**market_body(), "surprise": 1}, headers=auth(**PM)), 422)
    problem(http.post("/api/v1/markets", json={**market_body(), "commission_percent": 12.5}, headers=auth(**PM)), 422)
    problem(http.post("/api/v1/markets", json={**market_body(), "id": "Not A Slug"}, headers=auth(**PM)), 422)


def test_missing_forged_or_expired_tokens_are_refused(http, settings):
    from datetime import timedelta as td

    from shared.kit.auth import mint_token

    problem(http.get("/api/v1/submissions"), 401)
    problem(http.get("/api/v1/submissions", headers={"Authorization": "Bearer forged.token.value"}), 401)
    expired = mint_token(settings, "am.garcia", ttl=td(seconds=-60))
    problem(http.get("/api/v1/submissions", headers={"Authorization": f"Bearer {expired}"}), 401)


def test_a_negative_limit_in_the_specifications_is_refused(db, http, auth):
    deliver_accounts_examples(db)
    body = problem(http.post("/api/v1/submissions", json=new_business(limit="-1000000.00"), headers=auth(**AM)), 422)
    assert "specifications" in str(body["errors"])


def test_a_limit_given_as_a_float_is_refused(db, http, auth):
    deliver_accounts_examples(db)
    body = new_business()
    body["specifications"]["GL"]["coverages"][0]["limits"][0]["amount"]["amount"] = 1000000.5
    problem(http.post("/api/v1/submissions", json=body, headers=auth(**AM)), 422)


def test_a_renewal_of_unknown_policies_or_new_business_without_specifications_is_refused(db, http, auth):
    deliver_accounts_examples(db)
    problem(http.post("/api/v1/submissions", json={"kind": "renewal", "expiring_policy_ids": ["nope"]},
                      headers=auth(**AM)), 422)
    problem(http.post("/api/v1/submissions", json={"kind": "new_business", "client_id": CLIENT_ID},
                      headers=auth(**AM)), 422)
    problem(http.post("/api/v1/submissions", json={**new_business(), "expiration_date": "2027-01-01"},
                      headers=auth(**AM)), 422)


def test_a_submission_with_no_markets_can_be_neither_approved_nor_sent(http, auth, draft):
    problem(http.post(f"/api/v1/submissions/{draft['id']}/approve", headers=auth(**PRODUCER)), 409)
    problem(http.post(f"/api/v1/submissions/{draft['id']}/send", json={}, headers=auth(**AM)), 409)
    problem(http.put(f"/api/v1/submissions/{draft['id']}/markets", json={"market_ids": []}, headers=auth(**AM)), 422)


def test_an_unapproved_market_list_cannot_be_sent(http, auth, draft, markets):
    http.put(f"/api/v1/submissions/{draft['id']}/markets", json={"market_ids": markets}, headers=auth(**AM))
    body = problem(http.post(f"/api/v1/submissions/{draft['id']}/send", json={}, headers=auth(**AM)), 409)
    assert body["detail"] == "The market list has not been approved."


def test_only_producers_program_managers_and_admins_approve(http, auth, draft, markets):
    http.put(f"/api/v1/submissions/{draft['id']}/markets", json={"market_ids": markets}, headers=auth(**AM))
    problem(http.post(f"/api/v1/submissions/{draft['id']}/approve", headers=auth(**AM)), 403)
    assert http.post(f"/api/v1/submissions/{draft['id']}/approve", headers=auth(**PM)).status_code == 200


def test_the_market_list_is_frozen_once_approved_and_a_sent_submission_is_not_sent_again(http, auth, sent, markets):
    problem(http.put(f"/api/v1/submissions/{sent['id']}/markets", json={"market_ids": markets[:1]},
                     headers=auth(**AM)), 409)
    problem(http.post(f"/api/v1/submissions/{sent['id']}/send", json={}, headers=auth(**AM)), 409)


def test_unknown_or_inactive_markets_cannot_be_chosen(http, auth, draft):
    http.post("/api/v1/markets", json=market_body("dormant-mutual", active=False), headers=auth(**PM))
    for market_ids in (["no-such-market"], ["dormant-mutual"], ["a", "a"]):
        problem(http.put(f"/api/v1/submissions/{draft['id']}/markets", json={"market_ids": market_ids},
                         headers=auth(**AM)), 422)


def test_a_past_respond_by_is_refused(http, auth, draft, markets):
    http.put(f"/api/v1/submissions/{draft['id']}/markets", json={"market_ids": markets}, headers=auth(**AM))
    http.post(f"/api/v1/submissions/{draft['id']}/approve", headers=auth(**PRODUCER))
    problem(http.post(f"/api/v1/submissions/{draft['id']}/send", json={"respond_by": "2020-01-01"},
                      headers=auth(**AM)), 422)


def test_a_declined_quote_cannot_be_bound(http, auth, answered):
    declined = quote_ids(http, auth, answered["id"])["pacific-crest-specialty"]
    body = problem(http.post(f"/api/v1/quotes/{declined}/bind", json={}, headers=auth(**AM)), 409)
    assert body["detail"] == "A declined quote cannot be bound."


def test_an_expired_quote_cannot_be_bound(db, http, auth, sent):
    expired = golden_quote(0, submission_id=sent["id"], valid_until=(utcnow().date() - timedelta(days=1)).isoformat())
    deliver(db, quote_envelope(expired), user_id=broker_user("golden-state-casualty"))
    quote_id = quote_ids(http, auth, sent["id"])["golden-state-casualty"]
    assert "expired" in problem(http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM)), 409)["detail"]


def test_an_indication_or_a_superseded_revision_cannot_be_bound(db, http, auth, sent):
    user = broker_user("golden-state-casualty")
    deliver(db, quote_envelope(golden_quote(0, submission_id=sent["id"])), user_id=user)
    deliver(db, quote_envelope(golden_quote(2, submission_id=sent["id"])), user_id=user)
    quotes = http.get(f"/api/v1/submissions/{sent['id']}/quotes", headers=auth(**AM)).get_json()["items"]
    first, indication = sorted(quotes, key=lambda q: q["revision"])
    assert "superseded" in problem(http.post(f"/api/v1/quotes/{first['id']}/bind", json={}, headers=auth(**AM)), 409)["detail"]
    assert "not bindable" in problem(http.post(f"/api/v1/quotes/{indication['id']}/bind", json={},
                                               headers=auth(**AM)), 409)["detail"]


def test_an_already_bound_submission_cannot_be_bound_again(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    assert http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM)).status_code == 201
    problem(http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM)), 409)


def test_policy_numbers_for_lines_not_quoted_are_refused(http, auth, answered):
    quote_id = quote_ids(http, auth, answered["id"])["golden-state-casualty"]
    problem(http.post(f"/api/v1/quotes/{quote_id}/bind", json={"policy_numbers": {"WC": "X-1"}},
                      headers=auth(**AM)), 422)
    problem(http.post(f"/api/v1/quotes/{quote_id}/bind", json={"policy_numbers": {"XX": "X-1"}},
                      headers=auth(**AM)), 422)


def test_a_keyed_in_quote_must_meet_the_carrier_contract_and_the_submission(db, http, auth, sent, draft):
    problem(http.post("/api/v1/quotes", json={**golden_quote(0, submission_id=sent["id"]), "surprise": 1},
                      headers=auth(**AM)), 422)
    declined_without_reason = golden_quote(1, submission_id=sent["id"], declination_reason=None)
    problem(http.post("/api/v1/quotes", json=declined_without_reason, headers=auth(**AM)), 422)
    wrong_line = golden_quote(0, submission_id=sent["id"])
    wrong_line["lines"][0]["line_of_business"] = "WC"
    problem(http.post("/api/v1/quotes", json=wrong_line, headers=auth(**AM)), 422)
    problem(http.post("/api/v1/quotes", json=golden_quote(0, submission_id=sent["id"], market_id="nobody"),
                      headers=auth(**AM)), 404)


@pytest.mark.parametrize("path", ["/api/v1/quotes/nope", "/api/v1/submissions/nope", "/api/v1/markets/nope",
                                  "/api/v1/submissions/nope/comparison"])
def test_unknown_resources_are_404_problems(http, auth, path):
    problem(http.get(path, headers=auth(**AM)), 404)


def test_a_bad_cursor_is_a_400_problem(http, auth):
    problem(http.get("/api/v1/submissions?after=%%%", headers=auth(**AM)), 400)
    problem(http.get("/api/v1/submissions?limit=0", headers=auth(**AM)), 422)

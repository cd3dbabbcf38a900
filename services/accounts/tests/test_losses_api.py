"""Loss history over HTTP: claims per policy term, the loss summary, and the event that
carries it after every change."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.accounts.tests.helpers import create_client, create_policy, emitted
from shared import testing
from shared.kit.db import utcnow

TODAY = utcnow().date()


def _golden_keys(value, prefix=""):
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths |= {f"{prefix}{key}"} | _golden_keys(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            paths |= _golden_keys(item, prefix)
    return paths


@pytest.fixture
def policy(http, auth):
    client = create_client(http, auth())
    return create_policy(http, auth(), client["id"], line="AUTO", number="AUTO-1")


def _money(amount):
    return {"amount": amount, "currency": "USD"}


def _claim(http, headers, policy_id, **fields):
    body = {"claim_number": "CLM-1", "date_of_loss": (TODAY - timedelta(days=100)).isoformat(),
            "cause": "Rear-end collision", "status": "open", "paid": _money("1500.00"),
            "reserved": _money("8500.00"), **fields}
    return http.post(f"/api/v1/policies/{policy_id}/claims", json=body, headers=headers)


def test_a_claim_incurs_paid_plus_reserved_unless_incurred_is_given(http, auth, policy):
    derived = _claim(http, auth(), policy["id"])
    assert derived.status_code == 201, derived.get_json()
    body = derived.get_json()
    assert (body["incurred"], body["recoveries"], body["source"]) == (_money("10000.00"), _money("0.00"), "manual")
    given = _claim(http, auth(), policy["id"], claim_number="CLM-2", incurred=_money("12500.00"))
    assert given.get_json()["incurred"] == _money("12500.00")
    listed = http.get(f"/api/v1/policies/{policy['id']}/claims", headers=auth()).get_json()["items"]
    assert sorted(c["claim_number"] for c in listed) == ["CLM-1", "CLM-2"]


def test_a_claim_number_is_unique_per_policy(http, auth, policy):
    _claim(http, auth(), policy["id"])
    again = _claim(http, auth(), policy["id"])
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


@pytest.mark.parametrize("fields", [
    {"date_of_loss": (TODAY + timedelta(days=3)).isoformat()},            # in the future
    {"date_of_loss": (TODAY - timedelta(days=400)).isoformat()},          # before the term
    {"paid": {"amount": "-1.00", "currency": "USD"}},
    {"paid": {"amount": 100.5, "currency": "USD"}},                       # a float
    {"reserved": {"amount": "10.00", "currency": "EUR"}},                 # not the policy's currency
    {"status": "pending"}, {"claim_number": ""}, {"adjuster": "Pat"},
])
def test_invalid_claims_are_refused_with_422(http, auth, policy, fields):
    response = _claim(http, auth(), policy["id"], **fields)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"


def test_changing_paid_and_reserved_moves_a_derived_incurred_and_keeps_a_given_one(http, auth, policy):
    derived = _claim(http, auth(), policy["id"]).get_json()
    given = _claim(http, auth(), policy["id"], claim_number="CLM-2", incurred=_money("20000.00")).get_json()
    url = f"/api/v1/policies/{policy['id']}/claims"
    changed = http.patch(f"{url}/{derived['id']}", json={"paid": _money("9000.00"), "reserved": _money("0.00"),
                                                         "status": "closed"}, headers=auth()).get_json()
    assert (changed["incurred"], changed["status"]) == (_money("9000.00"), "closed")
    kept = http.patch(f"{url}/{given['id']}", json={"paid": _money("2000.00")}, headers=auth()).get_json()
    assert kept["incurred"] == _money("20000.00")
    rederived = http.patch(f"{url}/{given['id']}", json={"incurred": None}, headers=auth()).get_json()
    assert rederived["incurred"] == _money("10500.00")


def test_a_closed_claim_is_reopened_not_opened(http, auth, policy):
    claim = _claim(http, auth(), policy["id"], status="closed").get_json()
    url = f"/api/v1/policies/{policy['id']}/claims/{claim['id']}"
    assert http.patch(url, json={"status": "open"}, headers=auth()).status_code == 422
    assert http.patch(url, json={"status": "reopened"}, headers=auth()).get_json()["status"] == "reopened"


def test_a_claim_keyed_in_by_mistake_is_removed(http, auth, policy):
    claim = _claim(http, auth(), policy["id"]).get_json()
    url = f"/api/v1/policies/{policy['id']}/claims/{claim['id']}"
    assert http.delete(url, headers=auth()).status_code == 204
    assert http.get(url, headers=auth()).status_code == 404


def test_every_claim_change_emits_losses_updated_matching_its_golden_example(http, auth, db, policy):
    claim = _claim(http, auth(), policy["id"]).get_json()
    url = f"/api/v1/policies/{policy['id']}/claims/{claim['id']}"
    http.patch(url, json={"reserved": _money("150000.00")}, headers=auth())
    http.patch(url, json={"cause": "Rear-end collision"}, headers=auth())  # nothing changed: no event
    http.delete(url, headers=auth())
    events = emitted(db, "accounts.losses.updated")  # each validated strictly against its contract
    assert [e["data"]["reason"] for e in events] == ["claim_recorded", "claim_changed", "claim_removed"]
    assert all(e["subject"] == policy["client_id"] for e in events)
    large = events[1]["data"]
    assert [loss["claim_number"] for loss in large["large_losses"]] == ["CLM-1"]
    assert large["five_years"]["incurred"] == _money("151500.00")
    golden = testing.examples("accounts.losses.updated")[0]
    assert _golden_keys(large) == _golden_keys(golden["data"])
    assert events[2]["data"]["five_years"]["claim_count"] == 0


def test_the_loss_summary_shows_ratio_frequency_severity_and_large_losses(http, auth, policy):
    _claim(http, auth(), policy["id"], reserved=_money("120000.00"))
    _claim(http, auth(), policy["id"], claim_number="CLM-2", paid=_money("500.00"), reserved=_money("0.00"),
           status="closed")
    summary = http.get(f"/api/v1/clients/{policy['client_id']}/loss-summary", headers=auth()).get_json()
    [year] = summary["policy_years"]
    assert (year["claim_count"], year["open_claim_count"], year["lines"]) == (2, 1, ["AUTO"])
    assert year["incurred"] == _money("122000.00") and year["severity"] == _money("61000.00")
    assert year["frequency"] == "2.00" and year["large_loss_count"] == 1
    # 275 of 365 days earned of 8990.00
    assert year["earned_premium"] == _money("6773.29")
    assert year["loss_ratio_percent"] == "1801.19"
    assert summary["five_years"]["years_with_coverage"] == 1
    assert summary["large_loss_threshold"] == _money("100000.00")
    higher = http.get(f"/api/v1/clients/{policy['client_id']}/loss-summary?large_loss_threshold=200000",
                      headers=auth()).get_json()
    assert higher["large_losses"] == [] and higher["five_years"]["large_loss_count"] == 0


def test_the_large_loss_threshold_comes_from_the_environment(http, auth, policy, monkeypatch):
    _claim(http, auth(), policy["id"])
    monkeypatch.setenv("LARGE_LOSS_THRESHOLD", "5000")
    summary = http.get(f"/api/v1/clients/{policy['client_id']}/loss-summary", headers=auth()).get_json()
    assert summary["large_loss_threshold"] == _money("5000.00")
    assert [loss["claim_number"] for loss in summary["large_losses"]] == ["CLM-1"]


def test_a_bad_large_loss_threshold_stops_the_service_at_start(settings, monkeypatch):
    from services.accounts import create_app

    monkeypatch.setenv("LARGE_LOSS_THRESHOLD", "lots")
    with pytest.raises(ValueError, match="LARGE_LOSS_THRESHOLD"):
        create_app(settings)


def test_claims_outside_the_callers_programs_do_not_exist(http, auth, policy):
    outsider = auth("am.other", programs=["pest_control"])
    assert http.get(f"/api/v1/policies/{policy['id']}/claims", headers=outsider).status_code == 404
    assert _claim(http, outsider, policy["id"]).status_code == 404
    assert http.get(f"/api/v1/clients/{policy['client_id']}/loss-summary", headers=outsider).status_code == 404
    reader = auth("co.kim", roles=["compliance"])
    assert _claim(http, reader, policy["id"]).status_code == 403


def test_claim_writes_are_audited(http, auth, db, policy):
    from shared.kit.audit import history

    claim = _claim(http, auth(), policy["id"]).get_json()
    http.patch(f"/api/v1/policies/{policy['id']}/claims/{claim['id']}", json={"status": "closed"}, headers=auth())
    with db.transaction() as session:
        trail = history(session, "claim", claim["id"])
    assert [(t["action"], t["actor"]) for t in trail] == [("claim.recorded", "user:am.garcia"),
                                                          ("claim.changed", "user:am.garcia")]

"""Policy markets (carrier by NAIC code, or a wholesaler with its carrier), the renewal chain
seen from both ends, and bad input of every sort answering 4xx problem details."""
from __future__ import annotations

import io

import pytest

from services.accounts.tests.helpers import client_body, create_client, create_policy, emitted, policy_body

WHOLESALE = {"market_id": "cascade-es", "carrier_name": "Cascade Specialty Insurance Company", "naic_code": None,
             "admitted": False, "wholesaler": "Pacific Wholesale Brokers"}


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def test_a_term_placed_through_a_wholesaler_keeps_both_and_is_announced(http, auth, db, client_id):
    policy = create_policy(http, auth(), client_id, line="UMB", number="XS-1001", market=WHOLESALE)
    assert policy["market"] == WHOLESALE
    [event] = emitted(db, "accounts.policy.recorded")
    assert event["data"]["policy"]["market"]["wholesaler"] == "Pacific Wholesale Brokers"
    assert event["data"]["policy"]["market"]["admitted"] is False
    # Without a NAIC code the carrier's name is the market: its numbers are unique under it.
    again = http.post(f"/api/v1/clients/{client_id}/policies", headers=auth(), json=policy_body(
        line="UMB", number="XS-1001", market={**WHOLESALE, "carrier_name": "cascade  specialty insurance company"}))
    assert again.status_code == 409


def test_the_renewal_chain_is_seen_from_the_expiring_term_and_the_renewal(http, auth, client_id):
    headers = auth()
    expiring = create_policy(http, headers, client_id, number="GL-2026")
    assert expiring["renewal_policy_id"] is None
    renewal = create_policy(http, headers, client_id, number="GL-2027", replaces_policy_id=expiring["id"])
    assert (renewal["replaces_policy_id"], renewal["renewal_policy_id"]) == (expiring["id"], None)
    shown = http.get(f"/api/v1/policies/{expiring['id']}", headers=headers).get_json()
    assert (shown["status"], shown["renewal_policy_id"]) == ("renewed", renewal["id"])
    listed = {p["id"]: p for p in http.get(f"/api/v1/clients/{client_id}/policies", headers=headers)
              .get_json()["items"]}
    assert listed[expiring["id"]]["renewal_policy_id"] == renewal["id"]
    account = http.get(f"/api/v1/clients/{client_id}", headers=headers).get_json()
    assert {p["id"]: p["renewal_policy_id"] for p in account["policies"]} == {
        expiring["id"]: renewal["id"], renewal["id"]: None}


BAD_MARKETS = {
    "carrier name too long": {**WHOLESALE, "carrier_name": "C" * 201},
    "empty carrier name": {**WHOLESALE, "carrier_name": ""},
    "wholesaler too long": {**WHOLESALE, "wholesaler": "W" * 201},
    "market id too long": {**WHOLESALE, "market_id": "m" * 81},
    "no carrier": {"naic_code": "12345"},
}


@pytest.mark.parametrize("market", BAD_MARKETS.values(), ids=BAD_MARKETS.keys())
def test_a_market_beyond_what_a_term_records_answers_422(http, auth, client_id, market):
    response = http.post(f"/api/v1/clients/{client_id}/policies", headers=auth(),
                         json=policy_body(market=market))
    assert response.status_code == 422, response.get_json()
    assert "market" in response.get_json()["errors"]["json"]


def test_a_duplicate_policy_number_for_the_same_market_answers_409_problem_details(http, auth, client_id):
    create_policy(http, auth(), client_id, number="DUP-1")
    other = create_client(http, auth(), name="Another Insured Inc")
    response = http.post(f"/api/v1/clients/{other['id']}/policies", headers=auth(), json=policy_body(number="DUP-1"))
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


OVERSIZED = 9 * 1024 * 1024  # over the 8 MB every request may carry


@pytest.mark.parametrize("method, path, kwargs", [
    ("POST", "/api/v1/clients", {"data": b'{"name": "' + b"x" * OVERSIZED + b'"}', "content_type": "application/json"}),
    ("PATCH", "/api/v1/clients/{client}", {"data": b'{"dba": "' + b"x" * OVERSIZED + b'"}',
                                           "content_type": "application/json"}),
    ("POST", "/api/v1/clients/{client}/communications/eml",
     {"data": {"file": (io.BytesIO(b"From: a@b.example\r\n\r\n" + b"x" * OVERSIZED), "big.eml")},
      "content_type": "multipart/form-data"}),
    ("POST", "/api/v1/clients/{client}/loss-runs",
     {"data": {"file": (io.BytesIO(b"a,b\n" + b"1,2\n" * (OVERSIZED // 4)), "run.csv"), "carrier": "sierra"},
      "content_type": "multipart/form-data"}),
])
def test_an_oversized_request_answers_413_problem_details_and_changes_nothing(http, auth, db, client_id, method,
                                                                               path, kwargs):
    before = len(emitted(db))
    response = http.open(path.format(client=client_id), method=method, headers=auth(), **kwargs)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json" and response.get_json()["status"] == 413
    assert len(emitted(db)) == before


@pytest.mark.parametrize("field, value", [
    ("name", "N" * 201), ("dba", "D" * 201), ("account_manager", "a" * 121), ("producer", ""),
    ("credentials", [{"kind": "USDOT", "number": str(n)} for n in range(1, 52)]),
    ("credentials", [{"kind": "USDOT", "number": "1" * 41}]),
])
def test_oversized_client_fields_answer_422(http, auth, field, value):
    response = http.post("/api/v1/clients", headers=auth(), json=client_body(**{field: value}))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("query", ["name=" + "n" * 201, "dba=" + "d" * 201, "q=" + "q" * 201, "q=",
                                   "team_member=" + "t" * 121, "producer=", "limit=1000"])
def test_oversized_or_empty_search_terms_answer_422(http, auth, query):
    response = http.get(f"/api/v1/clients?{query}", headers=auth())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"

"""Registering, finding, showing and updating clients over HTTP."""
from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from services.accounts.tests.helpers import client_body, create_client, create_policy, emitted
from shared.kit.auth import mint_token


def test_registering_a_motor_carrier_emits_client_registered_with_its_credentials(http, auth, db):
    client = create_client(http, auth())
    assert client["credentials"] == [
        {"kind": "DMV_CA", "number": "CA123456", "expires_on": None, "classifications": []},
        {"kind": "USDOT", "number": "3141592", "expires_on": None, "classifications": []}]
    [event] = emitted(db, "accounts.client.registered")
    assert event["subject"] == client["id"]
    assert event["data"]["client_id"] == client["id"]
    assert event["data"]["program"] == "transportation"
    assert event["data"]["account_manager"] == "am.garcia"
    assert {c["number"] for c in event["data"]["credentials"]} == {"CA123456", "3141592"}
    assert "fein" not in event["data"]


def test_credential_numbers_are_stored_normalised(http, auth):
    client = create_client(http, auth(), credentials=[{"kind": "DMV_CA", "number": "ca-123 456"},
                                                      {"kind": "MC", "number": "MC-987654"}])
    assert sorted(c["number"] for c in client["credentials"]) == ["CA123456", "MC987654"]


@pytest.mark.parametrize("roles, shown", [
    (["account_manager"], "12-3456789"), (["admin"], "12-3456789"),
    (["assistant"], "**-***6789"), (["producer"], "**-***6789"), (["program_manager"], "**-***6789"),
    (["compliance"], "**-***6789"),
])
def test_fein_is_masked_except_for_account_managers_and_admins(http, auth, roles, shown):
    client = create_client(http, auth())
    headers = auth("someone", roles=roles)
    assert http.get(f"/api/v1/clients/{client['id']}", headers=headers).get_json()["fein"] == shown
    [listed] = http.get("/api/v1/clients", headers=headers).get_json()["items"]
    assert listed["fein"] == shown


def test_search_by_name_prefix_credential_number_policy_number_and_fein(http, auth):
    headers = auth()
    delta = create_client(http, headers)
    create_client(http, headers, name="Bayside Movers Inc", fein="95-1234567",
                  credentials=[{"kind": "DMV_CA", "number": "CA7654321"}])
    create_policy(http, headers, delta["id"], number="GL-55")

    def names(query):
        response = http.get(f"/api/v1/clients?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [c["name"] for c in response.get_json()["items"]]

    assert names("name=DELTA%20val") == ["Delta Valley Freight LLC"]
    assert names("name=b") == ["Bayside Movers Inc"]
    assert names("name=%25") == []  # a LIKE wildcard is matched literally
    assert names("credential_number=ca-7654321") == ["Bayside Movers Inc"]
    assert names("policy_number=GL-55") == ["Delta Valley Freight LLC"]
    assert names("fein=951234567") == ["Bayside Movers Inc"]
    assert names("status=client") == ["Bayside Movers Inc", "Delta Valley Freight LLC"]


def test_keyset_pages_cover_every_client_once_in_name_order(http, auth):
    headers = auth()
    for name in ["Echo Haulers", "alpha Freight", "Delta Lines", "Bravo Carriers", "Charlie Cartage"]:
        create_client(http, headers, name=name, fein=None, credentials=[])
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&after={cursor}" if cursor else "")
        body = http.get(f"/api/v1/clients?{query}", headers=headers).get_json()
        seen += [c["name"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == ["alpha Freight", "Bravo Carriers", "Charlie Cartage", "Delta Lines", "Echo Haulers"]


def test_updating_credentials_replaces_them_and_emits_client_updated(http, auth, db):
    headers = auth()
    client = create_client(http, headers)
    response = http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={
        "credentials": [{"kind": "DMV_CA", "number": "CA123456", "expires_on": "2027-06-30"},
                        {"kind": "MC", "number": "MC123456"}],
        "status": "client", "producer": "pr.ortiz",
    })
    assert response.status_code == 200, response.get_json()
    assert {c["kind"]: c["expires_on"] for c in response.get_json()["credentials"]} == {
        "DMV_CA": "2027-06-30", "MC": None}
    [event] = emitted(db, "accounts.client.updated")
    assert event["data"]["producer"] == "pr.ortiz"
    assert sorted(c["kind"] for c in event["data"]["credentials"]) == ["DMV_CA", "MC"]


def test_an_update_that_changes_nothing_emits_nothing(http, auth, db):
    headers = auth()
    client = create_client(http, headers)
    response = http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"name": client["name"]})
    assert response.status_code == 200
    assert emitted(db, "accounts.client.updated") == []


def _problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


@pytest.mark.parametrize("credential", [
    {"kind": "DMV_CA", "number": "123456"}, {"kind": "DMV_CA", "number": "CA12345"},
    {"kind": "USDOT", "number": "123456789"}, {"kind": "USDOT", "number": "DOT123"},
    {"kind": "MC", "number": "123456"}, {"kind": "CSLB_LICENSE", "number": "12345"},
    {"kind": "NOT_A_KIND", "number": "1"},
])
def test_a_credential_number_in_the_wrong_format_is_refused(http, auth, credential):
    body = _problem(http.post("/api/v1/clients", json=client_body(credentials=[credential]), headers=auth()), 422)
    assert "credentials" in str(body["errors"])


@pytest.mark.parametrize("fein", ["12345678", "12-34567890", "AB-CDEFGHI", "00-1234567", "07-1234567"])
def test_an_invalid_fein_is_refused(http, auth, fein):
    body = _problem(http.post("/api/v1/clients", json=client_body(fein=fein), headers=auth()), 422)
    assert "fein" in body["errors"]


@pytest.mark.parametrize("payload, status", [
    ('{"program": "transportation", "name": ', 400),
    ('[1, 2]', 422),
    ('{"program": "transportation", "name": "X", "colour": "red"}', 422),
    ('{"program": "transportation", "name": 17}', 422),
    ('{"program": "transportation"}', 422),
    ('{"program": "transportation", "name": "X", "status": "bankrupt"}', 422),
    ('{"program": "transportation", "name": "X", "credentials": "CA123456"}', 422),
    ('{"program": "transportation", "name": "X", "address": '
     '{"line1": "1 Main", "city": "X", "state": "California", "postal_code": "95826"}}', 422),
])
def test_malformed_or_invalid_client_input_answers_problem_details(http, auth, payload, status):
    _problem(http.post("/api/v1/clients", data=payload, content_type="application/json", headers=auth()), status)


def test_unknown_query_parameters_and_bad_cursors_are_refused(http, auth):
    headers = auth()
    _problem(http.get("/api/v1/clients?colour=red", headers=headers), 422)
    _problem(http.get("/api/v1/clients?after=not-a-cursor", headers=headers), 422)
    _problem(http.get("/api/v1/clients?after=WzEsMiwzXQ", headers=headers), 422)  # [1,2,3]
    _problem(http.get("/api/v1/clients?limit=0", headers=headers), 422)


def test_missing_forged_and_expired_tokens_answer_401(http, settings):
    assert _problem(http.get("/api/v1/clients"), 401)
    forged = jwt.encode({"sub": "x", "exp": 4102444800, "roles": ["admin"], "programs": ["*"]},
                        "not-the-secret-" * 4, algorithm="HS256")
    _problem(http.get("/api/v1/clients", headers={"Authorization": f"Bearer {forged}"}), 401)
    expired = mint_token(settings, "am.garcia", ttl=timedelta(minutes=-5))
    _problem(http.get("/api/v1/clients", headers={"Authorization": f"Bearer {expired}"}), 401)


def test_a_client_cannot_be_created_in_a_program_the_caller_does_not_work_in(http, auth):
    _problem(http.post("/api/v1/clients", json=client_body(program="pest-control"), headers=auth()), 403)


def test_moving_a_client_to_a_program_outside_the_callers_is_refused(http, auth):
    headers = auth()
    client = create_client(http, headers)
    _problem(http.patch(f"/api/v1/clients/{client['id']}", json={"program": "pest-control"}, headers=headers), 403)


def test_an_unknown_client_answers_404(http, auth):
    _problem(http.get("/api/v1/clients/3f9a2c1e-0000-4000-8000-000000000000", headers=auth()), 404)


# -- SIC and NAICS; contacts and locations on the account ---------------------------------

def test_sic_sits_beside_naics_and_both_filter_by_code_or_prefix(http, auth, db):
    headers = auth()
    freight = create_client(http, headers, naics="484121", sic="4213")
    assert (freight["naics"], freight["sic"]) == ("484121", "4213")
    create_client(http, headers, name="Bayside Pest", naics="561710", sic="7342", fein=None, credentials=[])
    create_client(http, headers, name="Unclassified Co", naics=None, fein=None, credentials=[])

    def names(query):
        response = http.get(f"/api/v1/clients?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [c["name"] for c in response.get_json()["items"]]

    assert names("sic=4213") == names("sic=42") == names("naics=48") == ["Delta Valley Freight LLC"]
    assert names("naics=561710&sic=7") == ["Bayside Pest"]
    assert names("sic=9") == []
    [registered, _, _] = emitted(db, "accounts.client.registered")
    assert registered["data"]["sic"] == "4213"
    changed = http.patch(f"/api/v1/clients/{freight['id']}", json={"sic": "4212"}, headers=headers)
    assert changed.get_json()["sic"] == "4212"
    [updated] = emitted(db, "accounts.client.updated")
    assert updated["data"]["sic"] == "4212"


@pytest.mark.parametrize("field, value", [("sic", "421"), ("sic", "42130"), ("sic", "42a3"), ("sic", 4213),
                                          ("naics", "4"), ("naics", "4841210"), ("naics", "48-12")])
def test_an_invalid_sic_or_naics_is_refused(http, auth, field, value):
    body = _problem(http.post("/api/v1/clients", json=client_body(**{field: value}), headers=auth()), 422)
    assert field in body["errors"]["json"]


@pytest.mark.parametrize("query", ["sic=42130", "sic=x", "naics=4", "naics=abc"])
def test_an_invalid_sic_or_naics_filter_is_refused(http, auth, query):
    _problem(http.get(f"/api/v1/clients?{query}", headers=auth()), 422)


def test_the_account_shows_contacts_and_locations_in_a_fixed_number_of_queries(http, auth, app):
    from sqlalchemy import event

    headers = auth()
    client = create_client(http, headers)
    address = {"line1": "1 Main St", "city": "Sacramento", "state": "CA", "postal_code": "95814"}

    def queries_to_show() -> int:
        statements = []
        engine = app.extensions["db"].engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert http.get(f"/api/v1/clients/{client['id']}", headers=headers).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    http.post(f"/api/v1/clients/{client['id']}/contacts", json={"name": "Only One"}, headers=headers)
    http.post(f"/api/v1/clients/{client['id']}/locations", json={"address": address}, headers=headers)
    few = queries_to_show()
    for n in range(5):
        http.post(f"/api/v1/clients/{client['id']}/contacts", json={"name": f"Contact {n}"}, headers=headers)
        http.post(f"/api/v1/clients/{client['id']}/locations", json={"address": address}, headers=headers)
        create_policy(http, headers, client["id"], number=f"GL-{n}")
    assert queries_to_show() == few
    shown = http.get(f"/api/v1/clients/{client['id']}", headers=headers).get_json()
    assert (len(shown["contacts"]), len(shown["locations"]), len(shown["policies"])) == (6, 6, 5)
    assert shown["contacts"][0]["name"] == "Only One" and shown["contacts"][0]["primary"] is True
    assert [loc["number"] for loc in shown["locations"]] == [1, 2, 3, 4, 5, 6]

"""A client's locations over HTTP: numbered per client, with values as exact money, one
primary and one mailing location, shown on the account, audited, announced in
accounts.client.updated, and invisible outside the caller's programs."""
from __future__ import annotations

import pytest

from services.accounts.tests.helpers import create_client, emitted
from shared.kit.audit import history

ADDRESS = {"line1": "4100 Power Inn Rd", "city": "Sacramento", "state": "CA", "postal_code": "95826"}


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def _add(http, headers, client_id, **fields):
    body = {"address": ADDRESS, "description": "Terminal and dispatch office", "occupancy": "Truck terminal",
            "values": {"building": {"amount": "1250000.00"}, "contents": {"amount": "310000.50"}},
            "employee_count": 42}
    body.update(fields)
    response = http.post(f"/api/v1/clients/{client_id}/locations", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_a_location_is_numbered_valued_shown_on_the_account_and_announced(http, auth, db, client_id):
    location = _add(http, auth(), client_id)
    assert (location["number"], location["primary"], location["mailing"]) == (1, True, False)
    assert location["values"] == {"building": {"amount": "1250000.00", "currency": "USD"},
                                  "contents": {"amount": "310000.50", "currency": "USD"}, "business_income": None}
    assert location["address"] == {**ADDRESS, "line2": None, "country": "US"}
    second = _add(http, auth(), client_id, address={**ADDRESS, "line1": "12 Yard Rd"}, values=None, mailing=True)
    assert (second["number"], second["primary"], second["mailing"]) == (2, False, True)
    account = http.get(f"/api/v1/clients/{client_id}", headers=auth()).get_json()
    assert [(loc["number"], loc["address"]["line1"]) for loc in account["locations"]] == [
        (1, "4100 Power Inn Rd"), (2, "12 Yard Rd")]
    announced = emitted(db, "accounts.client.updated")[-1]["data"]["locations"]
    assert [(loc["number"], loc["primary"], loc["mailing"]) for loc in announced] == [
        (1, True, False), (2, False, True)]
    assert announced[0]["values"]["building"] == {"amount": "1250000.00", "currency": "USD"}
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "client", client_id)]
    assert actions.count("location.added") == 2


def test_location_values_stay_exact(http, auth, client_id):
    location = _add(http, auth(), client_id,
                    values={"business_income": {"amount": "999999999999.99", "currency": "CAD"}})
    shown = http.get(f"/api/v1/clients/{client_id}/locations/{location['id']}", headers=auth()).get_json()
    assert shown["values"]["business_income"] == {"amount": "999999999999.99", "currency": "CAD"}


def test_numbers_are_unique_per_client_and_a_taken_one_answers_409(http, auth, client_id):
    _add(http, auth(), client_id, number=5)
    assert _add(http, auth(), client_id)["number"] == 6
    _problem(http.post(f"/api/v1/clients/{client_id}/locations", json={"address": ADDRESS, "number": 5},
                       headers=auth()), 409)
    other = create_client(http, auth(), name="Other Freight")["id"]
    assert _add(http, auth(), other, number=5)["number"] == 5  # another client's 5 is free


def test_primary_and_mailing_move_between_locations(http, auth, client_id):
    first = _add(http, auth(), client_id, mailing=True)
    second = _add(http, auth(), client_id, primary=True, mailing=True)
    base = f"/api/v1/clients/{client_id}/locations"
    shown = {loc["number"]: (loc["primary"], loc["mailing"])
             for loc in http.get(base, headers=auth()).get_json()["items"]}
    assert shown == {1: (False, False), 2: (True, True)}
    response = http.patch(f"{base}/{first['id']}", json={"primary": True, "number": 7, "employee_count": None},
                          headers=auth())
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["number"], response.get_json()["employee_count"]) == (7, None)
    shown = {loc["id"]: (loc["number"], loc["primary"], loc["mailing"])
             for loc in http.get(base, headers=auth()).get_json()["items"]}
    assert shown == {first["id"]: (7, True, False), second["id"]: (2, False, True)}
    _problem(http.patch(f"{base}/{first['id']}", json={"number": 2}, headers=auth()), 409)


def test_removing_a_location_is_audited_and_announced(http, auth, db, client_id):
    location = _add(http, auth(), client_id)
    assert http.delete(f"/api/v1/clients/{client_id}/locations/{location['id']}", headers=auth()).status_code == 204
    assert http.get(f"/api/v1/clients/{client_id}", headers=auth()).get_json()["locations"] == []
    assert emitted(db, "accounts.client.updated")[-1]["data"]["locations"] == []
    with db.transaction() as session:
        [removed] = [e for e in history(session, "client", client_id) if e["action"] == "location.removed"]
    assert removed["details"]["number"] == 1 and removed["details"]["values"]["building"]["amount"] == "1250000.00"


def test_locations_outside_the_callers_programs_answer_404(http, auth, client_id):
    location = _add(http, auth(), client_id)
    outsider = auth("am.other", programs=("pest-control",))
    base = f"/api/v1/clients/{client_id}/locations"
    _problem(http.get(base, headers=outsider), 404)
    _problem(http.post(base, json={"address": ADDRESS}, headers=outsider), 404)
    _problem(http.get(f"{base}/{location['id']}", headers=outsider), 404)
    _problem(http.patch(f"{base}/{location['id']}", json={"occupancy": "x"}, headers=outsider), 404)
    _problem(http.delete(f"{base}/{location['id']}", headers=outsider), 404)


@pytest.mark.parametrize("body", [
    {},                                                                         # no address
    {"address": {**ADDRESS, "state": "California"}},
    {"address": {**ADDRESS, "postal_code": "9582"}},
    {"address": ADDRESS, "number": 0},
    {"address": ADDRESS, "number": 10000},
    {"address": ADDRESS, "number": "3"},
    {"address": ADDRESS, "number": 2.5},
    {"address": ADDRESS, "employee_count": -1},
    {"address": ADDRESS, "values": {"building": {"amount": "-1.00"}}},
    {"address": ADDRESS, "values": {"building": {"amount": 1250000.5}}},        # a float loses cents
    {"address": ADDRESS, "values": {"building": {"amount": "1e15"}}},           # beyond NUMERIC(14, 2)
    {"address": ADDRESS, "values": {"building": {"amount": "1.00", "currency": "usd"}}},
    {"address": ADDRESS, "values": {"building": {"amount": "1.00"}, "contents": {"amount": "1.00", "currency": "EUR"}}},
    {"address": ADDRESS, "values": {"land": {"amount": "1.00"}}},
    {"address": ADDRESS, "colour": "red"},
    {"address": ADDRESS, "description": "x" * 301},
])
def test_bad_location_input_answers_422(http, auth, client_id, body):
    _problem(http.post(f"/api/v1/clients/{client_id}/locations", json=body, headers=auth()), 422)


def test_an_unknown_location_or_client_answers_404(http, auth, client_id):
    _problem(http.get(f"/api/v1/clients/{client_id}/locations/nope", headers=auth()), 404)
    _problem(http.get("/api/v1/clients/nope/locations", headers=auth()), 404)


def test_locations_page_by_number(http, auth, client_id):
    for number in (12, 3, 40, 7):
        _add(http, auth(), client_id, number=number)
    seen, cursor = [], None
    while True:
        query = "limit=3" + (f"&after={cursor}" if cursor else "")
        body = http.get(f"/api/v1/clients/{client_id}/locations?{query}", headers=auth()).get_json()
        seen += [loc["number"] for loc in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == [3, 7, 12, 40]

"""Every regulatory credential kind (format, expiration, CSLB classifications, an event on
every change) and finding clients by DBA, by name-or-DBA, by program and by team member."""
from __future__ import annotations

import pytest

from services.accounts.domain.credentials import (
    CREDENTIAL_FORMATS, NEVER_EXPIRE, classification_problems, expiry_problem, format_problem,
    normalise_classification,
)
from services.accounts.tests.helpers import client_body, create_client, emitted
from shared.contracts.types import CREDENTIAL_KINDS

# kind -> (numbers in its format as people write them, numbers that are not)
EXAMPLES = {
    "SPCB_REGISTRATION": (["PR5678", "pr 1234", "4521"], ["PR12", "SP5678", "PR1234567"]),
    "DPR_LICENSE": (["34567", "1234567"], ["12", "12345678", "DPR34567"]),
    "DMV_CA": (["CA123456", "ca-1234567"], ["123456", "CA12345", "CA12345678", "NV123456"]),
    "USDOT": (["3141592", "12345678", "1"], ["123456789", "DOT123", "USDOT3141592"]),
    "MC": (["MC123456", "mc-987654"], ["123456", "FF123456", "MC"]),
    "CPUC_TCP": (["TCP12345A", "tcp 4521", "TCP1"], ["12345", "TCP", "TCP1234567", "PSC1234"]),
    "CPUC_PSC": (["PSC1234", "psc-99"], ["1234", "TCP1234", "PSC1234567"]),
    "BHGS_PERMIT": (["MTR0190123", "CALT190123", "190123"], ["MTR12", "CALT12345678", "CAL T"]),
    "CSLB_LICENSE": (["1012345", "987654"], ["12345", "12345678", "C10-123456"]),
    "WCIRB_BUREAU": (["1234567", "123456789"], ["123456", "1234567890", "WC1234567"]),
}


def test_every_credential_kind_has_examples_here():
    assert set(EXAMPLES) == set(CREDENTIAL_KINDS) == set(CREDENTIAL_FORMATS)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_accepts_its_format_and_refuses_others(kind):
    good, bad = EXAMPLES[kind]
    assert [format_problem(kind, n) for n in good] == [None] * len(good)
    for number in bad:
        problem = format_problem(kind, number)
        assert problem and CREDENTIAL_KINDS[kind] in problem, number


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_is_registered_normalised_and_a_wrong_number_answers_422(http, auth, kind):
    headers = auth()
    good, bad = EXAMPLES[kind]
    expires = None if kind in NEVER_EXPIRE else "2027-06-30"
    client = create_client(http, headers, credentials=[{"kind": kind, "number": good[-1], "expires_on": expires}])
    [credential] = client["credentials"]
    assert credential["number"] == good[-1].replace(" ", "").replace("-", "").upper()
    assert credential["expires_on"] == expires
    found = http.get(f"/api/v1/clients?credential_number={good[-1]}", headers=headers).get_json()["items"]
    assert [c["id"] for c in found] == [client["id"]]
    response = http.post("/api/v1/clients", headers=headers,
                         json=client_body(name="Wrong Number Inc", credentials=[{"kind": kind, "number": bad[0]}]))
    assert response.status_code == 422
    assert response.get_json()["errors"]["credentials"]["0"]["number"]


@pytest.mark.parametrize("kind", sorted(NEVER_EXPIRE))
def test_numbers_that_never_expire_refuse_an_expiration_date(http, auth, kind):
    assert expiry_problem(kind, None) is None
    response = http.post("/api/v1/clients", headers=auth(), json=client_body(credentials=[
        {"kind": kind, "number": EXAMPLES[kind][0][0], "expires_on": "2027-01-01"}]))
    assert response.status_code == 422
    assert "does not expire" in response.get_json()["errors"]["credentials"]["0"]["expires_on"][0]


@pytest.mark.parametrize("raw, code", [
    ("B", "B"), ("b-2", "B-2"), ("c10", "C-10"), ("C 36", "C-36"), ("c-8", "C-8"), ("C61/D49", "C-61/D-49"),
    ("c-61 d-03", "C-61/D-03"), ("asb", "ASB"), ("HAZ", "HAZ"), ("A", "A"),
    ("C-1", None), ("C-99", None), ("D", None), ("C-61", None), ("B-3", None), ("plumbing", None),
])
def test_cslb_classifications_are_written_as_cslb_writes_them(raw, code):
    assert normalise_classification(raw) == code


def test_classifications_are_sorted_once_each_and_only_for_a_cslb_licence():
    assert classification_problems("CSLB_LICENSE", ["C-39", "b", "C-8", "c8", "A", "HAZ", "C61/D49"]) == (
        ["A", "B", "C-8", "C-39", "C-61/D-49", "HAZ"], [])
    assert classification_problems("USDOT", ["B"])[1] == ["A USDOT number has no classifications."]
    assert classification_problems("CSLB_LICENSE", ["Z-1"])[1]


def test_a_cslb_licence_carries_its_classifications_to_the_account_and_the_events(http, auth, db):
    headers = auth(programs=["construction"])
    client = create_client(http, headers, program="construction", name="Sierra Ridge Roofing", credentials=[
        {"kind": "CSLB_LICENSE", "number": "1012345", "expires_on": "2027-09-30",
         "classifications": ["c39", "B", "C-8"]},
        {"kind": "WCIRB_BUREAU", "number": "12345678"}])
    cslb = next(c for c in client["credentials"] if c["kind"] == "CSLB_LICENSE")
    assert cslb["classifications"] == ["B", "C-8", "C-39"]
    [registered] = emitted(db, "accounts.client.registered")
    assert registered["data"]["classifications"] == [
        {"kind": "CSLB_LICENSE", "number": "1012345", "codes": ["B", "C-8", "C-39"]}]
    # The shared credential shape is unchanged (marketing passes it to carriers as it is).
    assert all(set(c) == {"kind", "number", "expires_on"} for c in registered["data"]["credentials"])

    # Changing only the classifications is a change: one client.updated naming it.
    credentials = [{**c, "classifications": ["B", "C-8", "C-39", "C-61/D-49"]} if c["kind"] == "CSLB_LICENSE" else c
                   for c in client["credentials"]]
    response = http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"credentials": credentials})
    assert response.status_code == 200, response.get_json()
    [updated] = emitted(db, "accounts.client.updated")
    assert updated["data"]["changed"] == ["classifications"]
    assert updated["data"]["classifications"][0]["codes"] == ["B", "C-8", "C-39", "C-61/D-49"]

    # Every other credential change is an event too: an expiration date, a removal.
    credentials = [{**c, "expires_on": "2029-09-30"} if c["kind"] == "CSLB_LICENSE" else c
                   for c in response.get_json()["credentials"]]
    http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"credentials": credentials})
    http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"credentials": credentials[:1]})
    changes = [e["data"]["changed"] for e in emitted(db, "accounts.client.updated")]
    assert changes == [["classifications"], ["credentials"], ["credentials"]]
    # The same list again changes nothing and says nothing.
    http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"credentials": credentials[:1]})
    assert len(emitted(db, "accounts.client.updated")) == 3


@pytest.mark.parametrize("credential, field", [
    ({"kind": "CSLB_LICENSE", "number": "1012345", "classifications": ["Z-9"]}, "classifications"),
    ({"kind": "DMV_CA", "number": "CA123456", "classifications": ["B"]}, "classifications"),
    ({"kind": "USDOT", "number": "3141592", "expires_on": "2027-01-01"}, "expires_on"),
])
def test_a_wrong_classification_or_expiration_answers_422_naming_it(http, auth, credential, field):
    response = http.post("/api/v1/clients", headers=auth(), json=client_body(credentials=[credential]))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["credentials"]["0"]


@pytest.mark.parametrize("classifications", [["B"] * 31, ["C" * 21], "B"])
def test_oversized_or_malformed_classifications_answer_422(http, auth, classifications):
    response = http.post("/api/v1/clients", headers=auth(), json=client_body(credentials=[
        {"kind": "CSLB_LICENSE", "number": "1012345", "classifications": classifications}]))
    assert response.status_code == 422


# -- finding clients --------------------------------------------------------------------

@pytest.fixture
def book(http, auth):
    headers = auth("am.garcia", roles=["account_manager"], programs=["transportation", "pest-control"])
    made = {}
    for name, dba, program, team in [
        ("Delta Valley Freight LLC", "DVF Trucking", "transportation", ("am.garcia", "pr.nguyen", "as.lee")),
        ("Bayside Termite Co", "Delta Pest", "pest-control", ("am.garcia", "pr.ortiz", None)),
        ("Acme Holdings Inc", "Bayside Movers", "transportation", ("am.chen", "pr.nguyen", "as.kim")),
        ("Dvorak Cartage", None, "transportation", ("am.chen", "pr.ortiz", "as.lee")),
    ]:
        made[name] = create_client(http, headers, name=name, dba=dba, program=program, fein=None, credentials=[],
                                   account_manager=team[0], producer=team[1], assistant=team[2])["id"]
    return headers, made


def _names(http, headers, query):
    response = http.get(f"/api/v1/clients?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [c["name"] for c in response.get_json()["items"]]


def test_search_by_dba_prefix_ignores_case(http, book):
    headers, _ = book
    assert _names(http, headers, "dba=dvf") == ["Delta Valley Freight LLC"]
    assert _names(http, headers, "dba=BAYSIDE%20m") == ["Acme Holdings Inc"]
    assert _names(http, headers, "dba=Delta") == ["Bayside Termite Co"]
    assert _names(http, headers, "dba=%25") == []


def test_one_search_box_finds_a_name_or_a_dba_in_name_order_across_pages(http, book):
    headers, _ = book
    # "d": Delta Valley (name), Bayside Termite (DBA Delta Pest), DVF (DBA), Dvorak (name).
    assert _names(http, headers, "q=d") == ["Bayside Termite Co", "Delta Valley Freight LLC", "Dvorak Cartage"]
    seen, cursor = [], None
    while True:
        body = http.get("/api/v1/clients?q=d&limit=1" + (f"&after={cursor}" if cursor else ""),
                        headers=headers).get_json()
        seen += [c["name"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == ["Bayside Termite Co", "Delta Valley Freight LLC", "Dvorak Cartage"]
    assert _names(http, headers, "q=bayside") == ["Acme Holdings Inc", "Bayside Termite Co"]


def test_a_dba_changed_or_removed_is_searched_as_it_now_is(http, book):
    headers, made = book
    http.patch(f"/api/v1/clients/{made['Dvorak Cartage']}", headers=headers, json={"dba": "  Swift Haul "})
    http.patch(f"/api/v1/clients/{made['Delta Valley Freight LLC']}", headers=headers, json={"dba": None})
    assert _names(http, headers, "dba=swift") == ["Dvorak Cartage"]
    assert _names(http, headers, "dba=dvf") == []


def test_filters_by_program_and_by_each_team_member(http, auth, book):
    headers, _ = book
    assert _names(http, headers, "program=pest-control") == ["Bayside Termite Co"]
    assert _names(http, headers, "account_manager=am.chen") == ["Acme Holdings Inc", "Dvorak Cartage"]
    assert _names(http, headers, "producer=pr.ortiz") == ["Bayside Termite Co", "Dvorak Cartage"]
    assert _names(http, headers, "assistant=as.lee") == ["Delta Valley Freight LLC", "Dvorak Cartage"]
    assert _names(http, headers, "team_member=as.kim") == ["Acme Holdings Inc"]
    assert _names(http, headers, "team_member=pr.nguyen&program=transportation") == [
        "Acme Holdings Inc", "Delta Valley Freight LLC"]
    mine = auth("as.lee", roles=["assistant"], programs=["transportation", "pest-control"])
    assert _names(http, mine, "team_member=me") == ["Delta Valley Freight LLC", "Dvorak Cartage"]
    assert _names(http, headers, "team_member=am.garcia&status=prospect") == []


def test_a_program_filter_outside_the_callers_programs_finds_nothing(http, auth, book):
    headers = auth("am.other", roles=["account_manager"], programs=["transportation"])
    assert _names(http, headers, "program=pest-control") == []
    assert _names(http, headers, "q=b") == ["Acme Holdings Inc"]

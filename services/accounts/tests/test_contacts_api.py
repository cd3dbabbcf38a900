"""A client's contacts over HTTP: added, changed and removed under the client, one primary
at a time, shown on the account, audited, announced in accounts.client.updated, and
invisible outside the caller's programs."""
from __future__ import annotations

import pytest

from services.accounts.tests.helpers import create_client, emitted
from shared.kit.audit import history


@pytest.fixture
def client_id(http, auth):
    return create_client(http, auth())["id"]


def _add(http, headers, client_id, **fields):
    body = {"name": "Maria Alvarez", "title": "President", "roles": ["owner", "officer"],
            "email": "Maria@BaysidePest.Example", "phone": "510-555-0134", "preferred_channel": "email"}
    body.update(fields)
    response = http.post(f"/api/v1/clients/{client_id}/contacts", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_a_contact_is_added_normalised_shown_on_the_account_and_announced(http, auth, db, client_id):
    contact = _add(http, auth(), client_id, phone="+1 (510) 555-0134 ext. 7", notes="Prefers mornings")
    assert (contact["email"], contact["phone"]) == ("Maria@baysidepest.example", "(510) 555-0134 x7")
    assert (contact["roles"], contact["preferred_channel"], contact["primary"]) == (["owner", "officer"], "email", True)
    account = http.get(f"/api/v1/clients/{client_id}", headers=auth()).get_json()
    assert [c["id"] for c in account["contacts"]] == [contact["id"]]
    assert account["contacts"][0]["notes"] == "Prefers mornings"
    [event] = emitted(db, "accounts.client.updated")
    [announced] = event["data"]["contacts"]
    assert announced == {"contact_id": contact["id"], "name": "Maria Alvarez", "title": "President",
                         "roles": ["owner", "officer"], "email": "Maria@baysidepest.example",
                         "phone": "(510) 555-0134 x7", "preferred_channel": "email", "primary": True}
    with db.transaction() as session:
        [added] = [e for e in history(session, "client", client_id) if e["action"] == "contact.added"]
    assert (added["actor"], added["details"]["contact_id"]) == ("user:am.garcia", contact["id"])


def test_only_one_contact_is_primary_and_the_primary_comes_first(http, auth, client_id):
    first = _add(http, auth(), client_id, name="Zoe Owner")
    second = _add(http, auth(), client_id, name="Al Billing", roles=["billing"])
    assert (first["primary"], second["primary"]) == (True, False)
    third = _add(http, auth(), client_id, name="Sam Safety", roles=["safety_manager"], primary=True)
    assert third["primary"] is True
    listed = http.get(f"/api/v1/clients/{client_id}/contacts", headers=auth()).get_json()["items"]
    assert [(c["name"], c["primary"]) for c in listed] == [
        ("Al Billing", False), ("Sam Safety", True), ("Zoe Owner", False)]
    patched = http.patch(f"/api/v1/clients/{client_id}/contacts/{first['id']}", json={"primary": True},
                         headers=auth())
    assert patched.status_code == 200 and patched.get_json()["primary"] is True
    account = http.get(f"/api/v1/clients/{client_id}", headers=auth()).get_json()
    assert [(c["name"], c["primary"]) for c in account["contacts"]] == [
        ("Zoe Owner", True), ("Al Billing", False), ("Sam Safety", False)]


def test_changing_and_removing_a_contact(http, auth, db, client_id):
    contact = _add(http, auth(), client_id)
    response = http.patch(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=auth(),
                          json={"title": "CEO", "preferred_channel": "text", "roles": ["owner", "claims", "owner"]})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["title"], changed["preferred_channel"], changed["roles"]) == ("CEO", "text", ["owner", "claims"])
    unchanged = http.patch(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", json={"title": "CEO"},
                           headers=auth())
    assert unchanged.status_code == 200
    assert len(emitted(db, "accounts.client.updated")) == 2  # added, changed; the no-op announces nothing
    assert http.delete(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=auth()).status_code == 204
    _problem(http.get(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=auth()), 404)
    assert emitted(db, "accounts.client.updated")[-1]["data"]["contacts"] == []
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "client", client_id)]
    assert [a for a in actions if a.startswith("contact.")] == ["contact.added", "contact.changed", "contact.removed"]


def test_contacts_outside_the_callers_programs_answer_404(http, auth, client_id):
    contact = _add(http, auth(), client_id)
    outsider = auth("am.other", programs=("pest-control",))
    base = f"/api/v1/clients/{client_id}/contacts"
    _problem(http.get(base, headers=outsider), 404)
    _problem(http.post(base, json={"name": "Sneaky"}, headers=outsider), 404)
    _problem(http.get(f"{base}/{contact['id']}", headers=outsider), 404)
    _problem(http.patch(f"{base}/{contact['id']}", json={"title": "x"}, headers=outsider), 404)
    _problem(http.delete(f"{base}/{contact['id']}", headers=outsider), 404)
    assert http.get(f"{base}/{contact['id']}", headers=auth()).status_code == 200


def test_a_contact_of_another_client_answers_404_under_this_one(http, auth, client_id):
    other = create_client(http, auth(), name="Other Freight")["id"]
    contact = _add(http, auth(), other)
    _problem(http.get(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=auth()), 404)
    _problem(http.delete(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=auth()), 404)


def test_compliance_reads_contacts_but_cannot_change_them(http, auth, client_id):
    contact = _add(http, auth(), client_id)
    reader = auth("co.kim", roles=("compliance",))
    assert http.get(f"/api/v1/clients/{client_id}/contacts", headers=reader).status_code == 200
    _problem(http.post(f"/api/v1/clients/{client_id}/contacts", json={"name": "X"}, headers=reader), 403)
    _problem(http.delete(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=reader), 403)


@pytest.mark.parametrize("body", [
    {},                                                             # no name
    {"name": ""},
    {"name": "X", "email": "not-an-email"},
    {"name": "X", "phone": "call me maybe"},
    {"name": "X", "phone": "555-0134"},                             # too short
    {"name": "X", "phone": "+44 12"},                               # international, too short
    {"name": "X", "roles": ["janitor"]},
    {"name": "X", "roles": "owner"},
    {"name": "X", "preferred_channel": "pigeon"},
    {"name": "X", "preferred_channel": "email"},                    # no email to write to
    {"name": "X", "preferred_channel": "text", "email": "x@example.com"},  # no phone to text
    {"name": "X", "colour": "red"},
    {"name": "X", "primary": "perhaps"},
    {"name": "X" * 201},
])
def test_bad_contact_input_answers_422(http, auth, client_id, body):
    _problem(http.post(f"/api/v1/clients/{client_id}/contacts", json=body, headers=auth()), 422)


def test_a_change_that_leaves_the_channel_unreachable_is_refused(http, auth, client_id):
    contact = _add(http, auth(), client_id)
    body = _problem(http.patch(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", json={"email": None},
                               headers=auth()), 422)
    assert "preferred_channel" in body["errors"]
    still = http.get(f"/api/v1/clients/{client_id}/contacts/{contact['id']}", headers=auth()).get_json()
    assert still["email"] == "Maria@baysidepest.example"


def test_malformed_json_and_bad_paging_answer_4xx(http, auth, client_id):
    _problem(http.post(f"/api/v1/clients/{client_id}/contacts", data='{"name": ', content_type="application/json",
                       headers=auth()), 400)
    _problem(http.get(f"/api/v1/clients/{client_id}/contacts?after=nonsense", headers=auth()), 422)
    _problem(http.get(f"/api/v1/clients/{client_id}/contacts?colour=red", headers=auth()), 422)


def test_contacts_page_by_name(http, auth, client_id):
    for name in ("Dee", "Ann", "Cy", "Bo"):
        _add(http, auth(), client_id, name=name, preferred_channel=None)
    seen, cursor = [], None
    while True:
        query = "limit=3" + (f"&after={cursor}" if cursor else "")
        body = http.get(f"/api/v1/clients/{client_id}/contacts?{query}", headers=auth()).get_json()
        seen += [c["name"] for c in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == ["Ann", "Bo", "Cy", "Dee"]

"""The program-scoping matrix over EVERY endpoint: two programs x every role.

An account outside the caller's programs does not exist for them: every read and every
write about it answers 404 (admin sees every program), and it is absent from every list.
Inside their programs every role reads everything; changing an account, its policies,
claims, log, loss runs and checklists takes a writing role (compliance reads only: 403);
the diary is worked by every role.  A guard test fails when an endpoint is added without
a place in this matrix.
"""
from __future__ import annotations

import io
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from services.accounts.tests.helpers import create_client, create_policy, policy_body
from shared.kit.auth import ROLES
from shared.kit.db import utcnow

WRITERS = {"account_manager", "assistant", "producer", "program_manager", "admin"}
PROGRAMS = ("transportation", "pest-control")
TODAY = utcnow().date()

# Not about one account, so not program-scoped: a carrier's loss-run layout, a user's
# absence, and the service's own pages.  Everything else is in the matrix below.
UNSCOPED = {
    ("GET", "/api/v1/loss-run-mappings"), ("GET", "/api/v1/loss-run-mappings/<carrier>"),
    ("PUT", "/api/v1/loss-run-mappings/<carrier>"), ("GET", "/api/v1/users/<user>/absence"),
    ("PUT", "/api/v1/users/<user>/absence"), ("DELETE", "/api/v1/users/<user>/absence"),
}


def _eml() -> bytes:
    message = EmailMessage()
    message["From"] = "dana@insured.example"
    message["To"] = "am.owner@broker.example"
    message["Subject"] = "Driver list"
    message["Message-ID"] = make_msgid(domain="insured.example")
    message.set_content("Attached.")
    message.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="drivers.pdf")
    return message.as_bytes()


def _multipart(content: bytes, filename: str, **form) -> dict:
    return {"data": {"file": (io.BytesIO(content), filename), **form}, "content_type": "multipart/form-data"}


@pytest.fixture
def book(http, auth):
    """In each program: an account with a policy, a claim, a contact, a location, a logged
    email with an attachment, a checklist and an activity."""
    accounts = {}
    for program in PROGRAMS:
        headers = auth("am.owner", roles=["account_manager"], programs=[program])
        client = create_client(http, headers, program=program, name=f"{program} insured")
        cid = client["id"]
        policy = create_policy(http, headers, cid, number=f"{program}-GL-1")
        ids = {"client": cid, "policy": policy["id"], "effective": policy["period"]["effective_date"]}
        loss_day = (TODAY - timedelta(days=30)).isoformat()
        ids["claim"] = _created(http.post(f"/api/v1/policies/{ids['policy']}/claims", headers=headers, json={
            "claim_number": "C-1", "date_of_loss": loss_day, "paid": {"amount": "100.00"}}))["id"]
        ids["contact"] = _created(http.post(f"/api/v1/clients/{cid}/contacts", headers=headers,
                                            json={"name": "Pat Owner"}))["id"]
        ids["location"] = _created(http.post(f"/api/v1/clients/{cid}/locations", headers=headers, json={
            "address": {"line1": "1 Main St", "city": "Fresno", "state": "CA", "postal_code": "93721"}}))["id"]
        ids["communication"] = _created(http.post(f"/api/v1/clients/{cid}/communications/eml", headers=headers,
                                                  **_multipart(_eml(), "m.eml")))["id"]
        [checklist] = http.get(f"/api/v1/clients/{cid}/checklists", headers=headers).get_json()
        ids["item"], ids["item2"] = checklist["items"][0]["id"], checklist["items"][1]["id"]
        ids["activity"] = _created(http.post("/api/v1/activities", headers=headers, json={
            "client_id": cid, "type": "follow_up", "subject": "Call the insured", "due_on": "2027-01-15"}))["id"]
        accounts[program] = ids
    return accounts


def _created(response):
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def reads(ids) -> list[tuple[str, str, str]]:
    """(method, rule, url) of every read about one account."""
    c, p, k = ids["client"], ids["policy"], ids["claim"]
    return [
        ("GET", "/api/v1/clients/<client_id>", f"/api/v1/clients/{c}"),
        ("GET", "/api/v1/clients/<client_id>/policies", f"/api/v1/clients/{c}/policies"),
        ("GET", "/api/v1/clients/<client_id>/documents", f"/api/v1/clients/{c}/documents"),
        ("GET", "/api/v1/clients/<client_id>/contacts", f"/api/v1/clients/{c}/contacts"),
        ("GET", "/api/v1/clients/<client_id>/contacts/<contact_id>", f"/api/v1/clients/{c}/contacts/{ids['contact']}"),
        ("GET", "/api/v1/clients/<client_id>/locations", f"/api/v1/clients/{c}/locations"),
        ("GET", "/api/v1/clients/<client_id>/locations/<location_id>",
         f"/api/v1/clients/{c}/locations/{ids['location']}"),
        ("GET", "/api/v1/clients/<client_id>/checklists", f"/api/v1/clients/{c}/checklists"),
        ("GET", "/api/v1/clients/<client_id>/communications", f"/api/v1/clients/{c}/communications"),
        ("GET", "/api/v1/clients/<client_id>/loss-summary", f"/api/v1/clients/{c}/loss-summary"),
        ("GET", "/api/v1/communications/<communication_id>", f"/api/v1/communications/{ids['communication']}"),
        ("GET", "/api/v1/communications/<communication_id>/attachments/<int:position>",
         f"/api/v1/communications/{ids['communication']}/attachments/1"),
        ("GET", "/api/v1/policies/<policy_id>", f"/api/v1/policies/{p}"),
        ("GET", "/api/v1/policies/<policy_id>/claims", f"/api/v1/policies/{p}/claims"),
        ("GET", "/api/v1/policies/<policy_id>/claims/<claim_id>", f"/api/v1/policies/{p}/claims/{k}"),
        ("GET", "/api/v1/activities/<activity_id>", f"/api/v1/activities/{ids['activity']}"),
        ("GET", "/api/v1/activities/<activity_id>/history", f"/api/v1/activities/{ids['activity']}/history"),
    ]


def account_writes(ids, program) -> list[tuple[str, str, str, dict, int]]:
    """(method, rule, url, request kwargs, success status) of every change to an account,
    in an order each can follow the last (removals and the cancellation at the end)."""
    c, p, k = ids["client"], ids["policy"], ids["claim"]
    loss_day = (TODAY - timedelta(days=20)).strftime("%m/%d/%Y")
    mapping = '{"columns": {"claim_number": "Claim", "date_of_loss": "Date", "status": "Status", "paid": "Paid"}, ' \
              '"date_format": "%m/%d/%Y"}'
    return [
        ("PATCH", "/api/v1/clients/<client_id>", f"/api/v1/clients/{c}", {"json": {"dba": "New DBA"}}, 200),
        ("POST", "/api/v1/clients/<client_id>/policies", f"/api/v1/clients/{c}/policies",
         {"json": policy_body(line="AUTO", number=f"{program}-AUTO-2")}, 201),
        ("POST", "/api/v1/clients/<client_id>/contacts", f"/api/v1/clients/{c}/contacts",
         {"json": {"name": "Lee Officer", "roles": ["officer"]}}, 201),
        ("PATCH", "/api/v1/clients/<client_id>/contacts/<contact_id>",
         f"/api/v1/clients/{c}/contacts/{ids['contact']}", {"json": {"title": "Owner"}}, 200),
        ("POST", "/api/v1/clients/<client_id>/locations", f"/api/v1/clients/{c}/locations", {"json": {"address": {
            "line1": "2 Main St", "city": "Fresno", "state": "CA", "postal_code": "93721"}}}, 201),
        ("PATCH", "/api/v1/clients/<client_id>/locations/<location_id>",
         f"/api/v1/clients/{c}/locations/{ids['location']}", {"json": {"description": "Yard"}}, 200),
        ("POST", "/api/v1/clients/<client_id>/communications", f"/api/v1/clients/{c}/communications",
         {"json": {"kind": "note", "subject": "Note", "body": "Text"}}, 201),
        ("POST", "/api/v1/clients/<client_id>/communications/eml", f"/api/v1/clients/{c}/communications/eml",
         _multipart(_eml(), "m.eml"), 201),
        ("POST", "/api/v1/clients/<client_id>/loss-runs", f"/api/v1/clients/{c}/loss-runs",
         _multipart(f"Claim,Date,Status,Paid\nC-9,{loss_day},Open,10\n".encode(), "run.csv",
                    policy_id=p, mapping=mapping), 200),
        ("POST", "/api/v1/policies/<policy_id>/claims", f"/api/v1/policies/{p}/claims",
         {"json": {"claim_number": "C-2", "date_of_loss": (TODAY - timedelta(days=5)).isoformat()}}, 201),
        ("PATCH", "/api/v1/policies/<policy_id>/claims/<claim_id>", f"/api/v1/policies/{p}/claims/{k}",
         {"json": {"status": "closed"}}, 200),
        ("POST", "/api/v1/checklist-items/<item_id>/complete", f"/api/v1/checklist-items/{ids['item']}/complete",
         {}, 200),
        ("DELETE", "/api/v1/policies/<policy_id>/claims/<claim_id>", f"/api/v1/policies/{p}/claims/{k}", {}, 204),
        ("DELETE", "/api/v1/clients/<client_id>/contacts/<contact_id>",
         f"/api/v1/clients/{c}/contacts/{ids['contact']}", {}, 204),
        ("DELETE", "/api/v1/clients/<client_id>/locations/<location_id>",
         f"/api/v1/clients/{c}/locations/{ids['location']}", {}, 204),
        ("POST", "/api/v1/policies/<policy_id>/cancel", f"/api/v1/policies/{p}/cancel", {"json": {
            "reason": "insured_request", "requested_by": "insured", "notice_date": TODAY.isoformat(),
            "effective_date": (TODAY + timedelta(days=10)).isoformat()}}, 200),
    ]


def diary_writes(ids) -> list[tuple[str, str, str, dict, int]]:
    a, c = ids["activity"], ids["client"]
    return [
        ("POST", "/api/v1/activities", "/api/v1/activities", {"json": {
            "client_id": c, "type": "order_loss_runs", "subject": "Order loss runs", "due_on": "2027-01-20"}}, 201),
        ("POST", "/api/v1/activities/<activity_id>/delegate", f"/api/v1/activities/{a}/delegate",
         {"json": {"delegate": "as.helper"}}, 200),
        ("POST", "/api/v1/activities/<activity_id>/undelegate", f"/api/v1/activities/{a}/undelegate", {"json": {}}, 200),
        ("POST", "/api/v1/activities/<activity_id>/reassign", f"/api/v1/activities/{a}/reassign",
         {"json": {"assignee": "am.cover"}}, 200),
        ("POST", "/api/v1/activities/<activity_id>/complete", f"/api/v1/activities/{a}/complete",
         {"json": {"outcome": "Called"}}, 200),
    ]


LISTS = [("GET", "/api/v1/clients"), ("GET", "/api/v1/activities"), ("GET", "/api/v1/renewals"),
         ("POST", "/api/v1/clients")]


def _call(http, headers, method, url, kwargs):
    return http.open(url, method=method, headers=headers, **kwargs).status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_read_of_an_account_is_scoped_to_the_callers_programs(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    own, other = book["transportation"], book["pest-control"]
    assert {url: _call(http, headers, "GET", url, {}) for _m, _r, url in reads(own)} == {
        url: 200 for _m, _r, url in reads(own)}
    assert {url: _call(http, headers, "GET", url, {}) for _m, _r, url in reads(other)} == {
        url: 200 if role == "admin" else 404 for _m, _r, url in reads(other)}


@pytest.mark.parametrize("role", ROLES)
def test_every_list_shows_only_the_callers_programs(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    visible = set(PROGRAMS) if role == "admin" else {"transportation"}
    clients = {c["program"] for c in http.get("/api/v1/clients", headers=headers).get_json()["items"]}
    renewals = {r["program"] for r in
                http.get("/api/v1/renewals?within_days=365", headers=headers).get_json()["items"]}
    activities = {a["client_id"] for a in http.get("/api/v1/activities", headers=headers).get_json()["items"]}
    assert clients == renewals == visible
    assert activities == {book[p]["client"] for p in visible}
    # Naming another program explicitly shows nothing of it (the renewal pipeline: 404).
    named = http.get("/api/v1/clients?program=pest-control", headers=headers).get_json()["items"]
    assert [c["id"] for c in named] == ([book["pest-control"]["client"]] if role == "admin" else [])
    assert http.get("/api/v1/renewals?program=pest-control", headers=headers).status_code == (
        200 if role == "admin" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_every_change_needs_the_accounts_program_and_a_writing_role(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    own = account_writes(book["transportation"], "transportation")
    got = {f"{m} {url}": _call(http, headers, m, url, kw) for m, _r, url, kw, _ok in own}
    assert got == {f"{m} {url}": ok if role in WRITERS else 403 for m, _r, url, kw, ok in own}
    other = account_writes(book["pest-control"], "pest-control")
    got = {f"{m} {url}": _call(http, headers, m, url, kw) for m, _r, url, kw, _ok in other}
    assert got == {f"{m} {url}": ok if role == "admin" else 404 for m, _r, url, kw, ok in other}


@pytest.mark.parametrize("role", ROLES)
def test_the_diary_is_worked_by_every_role_but_only_in_its_programs(http, auth, book, role):
    headers = auth(f"user.{role}", roles=[role], programs=["transportation"])
    own = diary_writes(book["transportation"])
    assert [_call(http, headers, m, url, kw) for m, _r, url, kw, _ok in own] == [ok for *_x, ok in own]
    other = diary_writes(book["pest-control"])
    assert [_call(http, headers, m, url, kw) for m, _r, url, kw, _ok in other] == [
        ok if role == "admin" else 404 for *_x, ok in other]


def test_a_second_checklist_item_of_another_program_cannot_be_completed(http, auth, book):
    headers = auth("am.other", roles=["account_manager"], programs=["transportation"])
    other = book["pest-control"]
    assert http.post(f"/api/v1/checklist-items/{other['item2']}/complete", headers=headers).status_code == 404


def test_every_endpoint_has_its_place_in_the_matrix(app, book):
    ids = book["transportation"]
    covered = ({(m, r) for m, r, _u in reads(ids)} | {(m, r) for m, r, *_x in account_writes(ids, "t")}
               | {(m, r) for m, r, *_x in diary_writes(ids)} | set(LISTS) | UNSCOPED)
    served = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served - covered == set(), "add the new endpoint to the access matrix"
    assert covered - served == set()

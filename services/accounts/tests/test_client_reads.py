"""The account page read in one statement on PostgreSQL (domain.client_reads) shows exactly
what the ORM path shows: same values, types, orders, FEIN masking, file set-up progress."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import DataError

from services.accounts import create_app
from services.accounts.api.presenters import client_detail
from services.accounts.api.schemas import ClientSchema
from services.accounts.domain import client_reads
from services.accounts.domain.checklists import progress
from services.accounts.domain.clients import get_client
from services.accounts.domain.errors import NotFound
from services.accounts.tests.helpers import create_client, create_policy
from shared import testing
from shared.kit.auth import mint_token

pytestmark = pytest.mark.postgres
TODAY = date(2026, 11, 27)


@pytest.fixture
def pg(request, tmp_path):
    url = request.getfixturevalue("postgres_url_for")(f"accounts_reads_{uuid.uuid4().hex[:6]}")
    settings, db = testing.migrated("accounts", tmp_path, database_url=url)
    yield settings, db
    db.dispose()


def _orm_view(db, client_id, roles):
    with db.transaction() as session:
        client = get_client(session, client_id, with_parts=True)
        return ClientSchema().dump(client_detail(client, roles, progress(session, client.id)))


def _fast_view(db, client_id, roles):
    with db.transaction() as session:
        client, checklists = client_reads.account(session, client_id)
        assert not hasattr(client, "_sa_instance_state")  # the one-statement path, not the ORM
        return ClientSchema().dump(client_detail(client, roles, checklists))


def _rich_account(http, headers) -> str:
    """Credentials with classifications and expiry, two contacts (one primary), two
    locations with values, four terms (two expiring the same day, one cancelled, one renewing
    another), a completed checklist item."""
    client = create_client(http, headers, credentials=[
        {"kind": "DMV_CA", "number": "CA123456"}, {"kind": "USDOT", "number": "3141592"},
        {"kind": "CSLB_LICENSE", "number": "1012345", "expires_on": "2027-06-30", "classifications": ["B", "C-10"]}])
    cid = client["id"]
    for body in ({"name": "Zed Owner", "roles": ["owner"], "email": "zed@example.com", "primary": True},
                 {"name": "Amy Clerk", "roles": ["billing", "claims"], "phone": "916-555-0101",
                  "preferred_channel": "phone", "notes": "Mornings"}):
        assert http.post(f"/api/v1/clients/{cid}/contacts", json=body, headers=headers).status_code == 201
    for number, values in ((2, {"building": {"amount": "1250000.50", "currency": "USD"}}), (1, {})):
        response = http.post(f"/api/v1/clients/{cid}/locations", headers=headers, json={
            "number": number, "address": {"line1": f"{number} Main St", "city": "Fresno", "state": "CA",
                                          "postal_code": "93721"},
            "values": values, "employee_count": 12, "primary": number == 1})
        assert response.status_code == 201, response.get_json()
    expiring = create_policy(http, headers, cid, line="GL", number="GL-1", expires=TODAY + timedelta(days=30))
    create_policy(http, headers, cid, line="AUTO", number="AU-1", expires=TODAY + timedelta(days=30))
    create_policy(http, headers, cid, line="GL", number="GL-2", expires=TODAY + timedelta(days=395),
                  replaces_policy_id=expiring["id"])
    cancelled = create_policy(http, headers, cid, line="UMB", number="UM-1", expires=TODAY + timedelta(days=200))
    response = http.post(f"/api/v1/policies/{cancelled['id']}/cancel", headers=headers, json={
        "reason": "insured_request", "requested_by": "insured", "notice_date": TODAY.isoformat(),
        "effective_date": (TODAY + timedelta(days=10)).isoformat()})
    assert response.status_code == 200, response.get_json()
    [checklist] = http.get(f"/api/v1/clients/{cid}/checklists", headers=headers).get_json()
    item = checklist["items"][0]["id"]
    assert http.post(f"/api/v1/checklist-items/{item}/complete", headers=headers).status_code == 200
    return cid


def test_one_statement_shows_what_the_orm_shows(pg):
    settings, db = pg
    headers = {"Authorization": "Bearer " + mint_token(settings, "am.garcia", roles=["account_manager"],
                                                       programs=["transportation"])}
    http = create_app(settings).test_client()
    rich = _rich_account(http, headers)
    bare = create_client(http, headers, name="Bare Prospect", status="prospect", dba=None, fein=None,
                         address=None, credentials=[], assistant=None)["id"]
    for client_id in (rich, bare):
        for roles in (["account_manager"], ["producer"], ["compliance"], ["admin"]):
            fast = _fast_view(db, client_id, roles)
            assert fast == _orm_view(db, client_id, roles)
    shown = http.get(f"/api/v1/clients/{rich}", headers=headers).get_json()
    assert shown == _orm_view(db, rich, ["account_manager"])
    assert [p["policy_number"] for p in shown["policies"]][:1] == ["GL-2"]
    assert [c["name"] for c in shown["contacts"]] == ["Zed Owner", "Amy Clerk"]
    assert [loc["number"] for loc in shown["locations"]] == [1, 2]
    assert shown["file_setup"]["done"] == 1
    assert {p["policy_number"]: p["renewal_policy_id"] for p in shown["policies"]}["GL-1"] is not None


def test_an_unknown_client_is_not_found_on_the_fast_path(pg):
    _settings, db = pg
    with db.transaction() as session, pytest.raises(NotFound):
        client_reads.account(session, str(uuid.uuid4()))


def test_a_value_postgresql_refuses_is_a_clear_4xx_not_a_500(pg):
    settings, db = pg
    headers = {"Authorization": "Bearer " + mint_token(settings, "am.garcia", roles=["account_manager"],
                                                       programs=["transportation"])}
    http = create_app(settings).test_client()
    response = http.get("/api/v1/clients/bad%00id", headers=headers)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    with db.transaction() as session, pytest.raises(DataError):
        client_reads.account(session, "bad\x00id")
    assert http.get(f"/api/v1/clients/{uuid.uuid4()}", headers=headers).status_code == 404

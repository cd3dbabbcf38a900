"""File set-up: a checklist from the program's template (or the default) on a new account
and on a policy term's renewal; items completed with who and when; progress on the account."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.accounts.domain import checklists
from services.accounts.domain.renewals import scan
from services.accounts.tests.helpers import create_client, create_policy

TODAY = date(2026, 11, 27)


def _checklists(http, headers, client_id):
    return http.get(f"/api/v1/clients/{client_id}/checklists", headers=headers).get_json()


def test_a_new_account_gets_its_programs_checklist_and_shows_progress(http, auth):
    client = create_client(http, auth())
    assert client["file_setup"]["done"] == 0
    [checklist] = _checklists(http, auth(), client["id"])
    _name, expected = checklists.template_for("transportation", "new_account")
    assert (checklist["kind"], checklist["template"]) == ("new_account", "transportation")
    assert [i["key"] for i in checklist["items"]] == [i["key"] for i in expected]
    assert client["file_setup"]["total"] == len(expected) == checklist["total"]


def test_a_program_without_its_own_template_gets_the_default(http, auth):
    headers = auth(programs=["hospitality"])
    client = create_client(http, headers, program="hospitality", credentials=[])
    [checklist] = _checklists(http, headers, client["id"])
    assert checklist["template"] == "default"
    default = checklists.templates()["default"]["new_account"]
    assert [i["key"] for i in checklist["items"]] == [i["key"] for i in default]


@pytest.mark.parametrize("program, template, credential_item", [
    ("construction", "construction", "CSLB licence number, classifications"),
    ("pest-control", "pest_control", "SPCB company registration and DPR"),
    ("pest_control", "pest_control", "SPCB company registration and DPR"),
    ("movers", "movers", "BHGS household movers permit"),
    ("passenger_carriers", "passenger_carriers", "CPUC TCP or PSC number"),
    ("transportation", "transportation", "DMV CA number, USDOT and MC"),
])
def test_each_specialty_program_has_its_own_checklists_for_both_kinds(http, auth, program, template,
                                                                        credential_item):
    for kind in checklists.KINDS:
        assert checklists.template_for(program, kind)[0] == template
    headers = auth(programs=[program])
    client = create_client(http, headers, program=program, credentials=[])
    [checklist] = _checklists(http, headers, client["id"])
    assert checklist["template"] == template
    assert any(credential_item in item["label"] for item in checklist["items"])
    assert client["file_setup"]["total"] == len(checklist["items"])


def test_completing_an_item_records_who_and_when_once_and_moves_progress(http, auth):
    client = create_client(http, auth())
    [checklist] = _checklists(http, auth(), client["id"])
    item = checklist["items"][0]
    done = http.post(f"/api/v1/checklist-items/{item['id']}/complete", headers=auth("as.lee", roles=["assistant"]))
    assert done.status_code == 200
    assert (done.get_json()["done"], done.get_json()["done_by"]) == (True, "user:as.lee")
    assert done.get_json()["done_at"]
    again = http.post(f"/api/v1/checklist-items/{item['id']}/complete", headers=auth())
    assert again.status_code == 409
    account = http.get(f"/api/v1/clients/{client['id']}", headers=auth()).get_json()
    assert (account["file_setup"]["done"], account["file_setup"]["checklists"][0]["done"]) == (1, 1)


def test_a_renewal_due_starts_one_renewal_checklist_per_policy_term(http, auth, db):
    client = create_client(http, auth())
    policy = create_policy(http, auth(), client["id"], expires=TODAY + timedelta(days=100))
    with db.transaction() as session:
        scan(session, TODAY)                       # 120-day renewal
    with db.transaction() as session:
        scan(session, TODAY + timedelta(days=15))  # 90-day renewal, same term
    renewal = [c for c in _checklists(http, auth(), client["id"]) if c["kind"] == "renewal"]
    assert [(c["policy_id"], c["template"]) for c in renewal] == [(policy["id"], "transportation")]
    account = http.get(f"/api/v1/clients/{client['id']}", headers=auth()).get_json()
    assert {c["kind"] for c in account["file_setup"]["checklists"]} == {"new_account", "renewal"}


def test_checklist_items_of_another_program_are_not_found(http, auth):
    client = create_client(http, auth())
    item = _checklists(http, auth(), client["id"])[0]["items"][0]
    outsider = auth("am.other", programs=["pest_control"])
    assert http.post(f"/api/v1/checklist-items/{item['id']}/complete", headers=outsider).status_code == 404
    assert http.get(f"/api/v1/clients/{client['id']}/checklists", headers=outsider).status_code == 404
    assert http.post("/api/v1/checklist-items/no-such-item/complete", headers=auth()).status_code == 404
    reader = auth("co.kim", roles=["compliance"])
    assert http.post(f"/api/v1/checklist-items/{item['id']}/complete", headers=reader).status_code == 403


def test_every_template_file_entry_is_valid_and_has_a_default(monkeypatch, tmp_path):
    assert set(checklists.templates()["default"]) == set(checklists.KINDS)
    broken = tmp_path / "templates.json"
    broken.write_text('{"default": {"new_account": [{"key": "a", "label": "A"}]}}')
    monkeypatch.setattr(checklists, "TEMPLATES_FILE", broken)
    checklists.templates.cache_clear()
    try:
        with pytest.raises(ValueError, match="default"):
            checklists.templates()
    finally:
        monkeypatch.undo()
        checklists.templates.cache_clear()

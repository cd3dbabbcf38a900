"""The communication log: immutable entries, corrections, search, paging, and importing
an .eml with its attachments into the attachment store."""
from __future__ import annotations

import hashlib
import io
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

import pytest

from services.accounts.domain.email_import import html_text
from services.accounts.tests.helpers import create_client, create_policy

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
XLSX_BYTES = bytes(range(256)) * 8


@pytest.fixture
def account(http, auth):
    client = create_client(http, auth())
    return client, create_policy(http, auth(), client["id"])


def _log(http, headers, client_id, **fields):
    body = {"kind": "call", "direction": "outbound", "subject": "Renewal information",
            "body": "Spoke with Dana about driver list and loss runs.", "contact": "Dana Ortiz", **fields}
    response = http.post(f"/api/v1/clients/{client_id}/communications", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _email(html_only=False) -> bytes:
    message = EmailMessage()
    message["From"] = "Dana Ortiz <dana@deltavalleyfreight.com>"
    message["To"] = "Ana Garcia <am.garcia@broker.example>, renewals@broker.example"
    message["Cc"] = "pr.nguyen@broker.example"
    message["Subject"] = "Re: AUTO renewal - driver list and loss runs"
    message["Date"] = format_datetime(datetime(2026, 11, 20, 9, 15, tzinfo=timezone.utc))
    message["Message-ID"] = make_msgid(domain="deltavalleyfreight.com")
    if html_only:
        message.set_content("<html><head><style>p{}</style></head><body><p>Hi Ana,</p>"
                            "<p>Attached are the <b>loss runs</b>.</p></body></html>", subtype="html")
    else:
        message.set_content("Hi Ana,\n\nAttached are the driver list and the loss runs.\n\nDana")
        message.add_alternative("<p>Hi Ana,</p><p>HTML version</p>", subtype="html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="Sierra loss run 2026.pdf")
    message.add_attachment(XLSX_BYTES, maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="drivers.xlsx")
    return message.as_bytes()


def _import(http, headers, client_id, content: bytes, **form):
    return http.post(f"/api/v1/clients/{client_id}/communications/eml", headers=headers,
                     data={"file": (io.BytesIO(content), "message.eml"), **form}, content_type="multipart/form-data")


def test_a_logged_call_records_its_author_and_cannot_be_changed_or_removed(http, auth, account):
    client, policy = account
    entry = _log(http, auth(), client["id"], policy_id=policy["id"])
    assert (entry["author"], entry["kind"], entry["policy_id"]) == ("user:am.garcia", "call", policy["id"])
    url = f"/api/v1/communications/{entry['id']}"
    assert http.patch(url, json={"subject": "x"}, headers=auth()).status_code == 405
    assert http.delete(url, headers=auth()).status_code == 405
    assert http.get(url, headers=auth()).get_json()["subject"] == "Renewal information"


def test_a_correction_is_a_new_entry_linked_to_the_one_it_corrects(http, auth, account):
    client, _policy = account
    wrong = _log(http, auth(), client["id"], body="Dana will send 3 years of loss runs.")
    fix = _log(http, auth(), client["id"], kind="note", body="Correction: 5 years of loss runs.",
               corrects_id=wrong["id"])
    assert fix["corrects_id"] == wrong["id"]
    shown = http.get(f"/api/v1/communications/{wrong['id']}", headers=auth()).get_json()
    assert (shown["body"], shown["corrected_by"]) == ("Dana will send 3 years of loss runs.", [fix["id"]])
    other = create_client(http, auth(), name="Other Freight")
    response = http.post(f"/api/v1/clients/{other['id']}/communications", headers=auth(), json={
        "kind": "note", "subject": "x", "body": "y", "corrects_id": wrong["id"]})
    assert response.status_code == 422


def test_the_log_is_searched_by_text_date_range_and_author_newest_first(http, auth, account):
    client, _policy = account
    old = _log(http, auth(), client["id"], subject="Loss runs requested", occurred_at="2026-10-01T16:00:00+00:00")
    mid = _log(http, auth("as.lee", roles=["assistant"]), client["id"], kind="note", subject="Driver list",
               body="MVRs ordered for 12 drivers", occurred_at="2026-10-15T16:00:00+00:00")
    new = _log(http, auth(), client["id"], kind="note", subject="Quote follow-up", body="Asked about LOSS RUNS again",
               occurred_at="2026-11-01T16:00:00+00:00")
    url = f"/api/v1/clients/{client['id']}/communications"

    def ids(query=""):
        return [e["id"] for e in http.get(url + query, headers=auth()).get_json()["items"]]

    assert ids() == [new["id"], mid["id"], old["id"]]
    assert ids("?q=loss%20runs") == [new["id"], old["id"]]
    assert ids("?since=2026-10-02&until=2026-11-01") == [new["id"], mid["id"]]
    assert ids("?author=user:as.lee") == [mid["id"]]
    assert ids("?q=100%25") == []  # a % in the search is a literal, not a wildcard
    assert ids("?kind=call") == [old["id"]]


def test_the_log_pages_newest_first_without_gaps(http, auth, account):
    client, _policy = account
    made = [_log(http, auth(), client["id"], occurred_at=f"2026-10-0{day}T12:00:00+00:00")["id"] for day in range(1, 6)]
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&after={cursor}" if cursor else "")
        body = http.get(f"/api/v1/clients/{client['id']}/communications{query}", headers=auth()).get_json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


def test_an_eml_is_imported_with_sender_recipients_date_body_and_downloadable_attachments(http, auth, settings,
                                                                                          account):
    client, policy = account
    response = _import(http, auth(), client["id"], _email(), policy_id=policy["id"], direction="inbound")
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    assert entry["sender"] == "Dana Ortiz <dana@deltavalleyfreight.com>"
    assert entry["recipients"] == ["am.garcia@broker.example", "renewals@broker.example", "pr.nguyen@broker.example"]
    assert (entry["subject"], entry["occurred_at"]) == ("Re: AUTO renewal - driver list and loss runs",
                                                        "2026-11-20T09:15:00+00:00")
    assert entry["body"] == "Hi Ana,\n\nAttached are the driver list and the loss runs.\n\nDana"
    assert (entry["kind"], entry["direction"], entry["policy_id"]) == ("email", "inbound", policy["id"])
    pdf, sheet = entry["attachments"]
    assert (pdf["filename"], pdf["media_type"], pdf["size_bytes"]) == ("Sierra loss run 2026.pdf",
                                                                       "application/pdf", len(PDF))
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (settings.var_dir / "attachments" / pdf["sha256"][:2] / pdf["sha256"]).read_bytes() == PDF
    download = http.get(pdf["download_path"], headers=auth())
    assert (download.status_code, download.data, download.mimetype) == (200, PDF, "application/pdf")
    assert 'filename="Sierra loss run 2026.pdf"' in download.headers["Content-Disposition"]
    assert http.get(sheet["download_path"], headers=auth()).data == XLSX_BYTES
    assert http.get(f"/api/v1/communications/{entry['id']}/attachments/3", headers=auth()).status_code == 404


def test_an_html_only_email_keeps_its_text_without_tags(http, auth, account):
    client, _policy = account
    entry = _import(http, auth(), client["id"], _email(html_only=True)).get_json()
    assert entry["body"] == "Hi Ana,\nAttached are the loss runs."
    assert html_text("<p>a&amp;b</p><script>x()</script>") == "a&b"


def test_the_same_email_is_imported_once(http, auth, account):
    client, _policy = account
    content = _email()
    assert _import(http, auth(), client["id"], content).status_code == 201
    assert _import(http, auth(), client["id"], content).status_code == 409


@pytest.mark.parametrize("content", [b"", b"\x00\x01 not an email", b"just some text without headers\n"])
def test_a_file_that_is_not_an_email_is_refused(http, auth, account, content):
    client, _policy = account
    response = _import(http, auth(), client["id"], content)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [
    {"kind": "fax", "subject": "x", "body": "y"}, {"kind": "note", "subject": "", "body": "y"},
    {"kind": "note", "subject": "x"}, {"kind": "note", "subject": "x", "body": "y", "occurred_at": "2026-10-01T12:00"},
    {"kind": "note", "subject": "x", "body": "y", "policy_id": "nope"}, {"kind": "note", "subject": "x", "body": "y",
                                                                        "mood": "happy"},
])
def test_invalid_entries_are_refused_with_422(http, auth, account, body):
    client, _policy = account
    response = http.post(f"/api/v1/clients/{client['id']}/communications", json=body, headers=auth())
    assert response.status_code == 422, response.get_json()


def test_another_programs_log_and_attachments_are_not_found(http, auth, account):
    client, _policy = account
    entry = _import(http, auth(), client["id"], _email()).get_json()
    outsider = auth("am.other", programs=["pest_control"])
    assert http.get(f"/api/v1/clients/{client['id']}/communications", headers=outsider).status_code == 404
    assert http.get(f"/api/v1/communications/{entry['id']}", headers=outsider).status_code == 404
    assert http.get(entry["attachments"][0]["download_path"], headers=outsider).status_code == 404
    assert _import(http, outsider, client["id"], _email()).status_code == 404


def test_logging_is_audited(http, auth, db, account):
    from shared.kit.audit import history

    client, _policy = account
    entry = _import(http, auth(), client["id"], _email()).get_json()
    with db.transaction() as session:
        actions = [t["action"] for t in history(session, "communication", entry["id"])]
    assert actions == ["communication.logged", "communication.email_imported"]

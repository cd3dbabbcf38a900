"""Importing carrier loss runs: CSV and XLSX, saved and inline column mappings, all or
nothing with a report of every problem of every row."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook

from services.accounts.tests.helpers import create_client, create_policy, emitted
from shared.kit.db import utcnow

TODAY = utcnow().date()
LOSS_DAY = TODAY - timedelta(days=100)
SIERRA_COLUMNS = {"policy_number": "Policy No", "claim_number": "Claim #", "date_of_loss": "Loss Date",
                  "cause": "Cause of Loss", "status": "Claim Status", "paid": "Total Paid",
                  "reserved": "O/S Reserve", "recoveries": "Subrogation"}


@pytest.fixture
def account(http, auth):
    client = create_client(http, auth())
    auto = create_policy(http, auth(), client["id"], line="AUTO", number="AUTO-1")
    gl = create_policy(http, auth(), client["id"], line="GL", number="GL-1")
    return client, auto, gl


def _csv(*rows) -> bytes:
    header = "Policy No,Claim #,Loss Date,Cause of Loss,Claim Status,Total Paid,O/S Reserve,Subrogation\n"
    return (header + "".join(row + "\n" for row in rows)).encode()


def _us(day) -> str:
    return day.strftime("%m/%d/%Y")


def _save_sierra(http, auth):
    response = http.put("/api/v1/loss-run-mappings/Sierra Mutual", headers=auth(),
                        json={"columns": SIERRA_COLUMNS, "date_format": "%m/%d/%Y"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _upload(http, headers, client_id, content: bytes, filename="lossrun.csv", **form):
    data = {"file": (io.BytesIO(content), filename), **form}
    return http.post(f"/api/v1/clients/{client_id}/loss-runs", data=data, headers=headers,
                     content_type="multipart/form-data")


def _claims(http, headers, policy_id):
    return http.get(f"/api/v1/policies/{policy_id}/claims", headers=headers).get_json()["items"]


def test_a_saved_mapping_imports_a_csv_loss_run_onto_each_policy_by_number(http, auth, db, account):
    client, auto, gl = account
    saved = _save_sierra(http, auth)
    assert (saved["carrier"], saved["updated_by"]) == ("sierra mutual", "user:am.garcia")
    content = _csv(f'AUTO-1,A-100,{_us(LOSS_DAY)},Collision,Open,"$1,250.50",4000,0',
                   f"GL-1,G-7,{_us(LOSS_DAY)},Slip and fall,C,300.00,,",
                   ",,,,,,,",
                   "Total,,,,,1550.50,4000,0")
    response = _upload(http, auth(), client["id"], content, carrier="Sierra Mutual")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["claims"], body["created"], body["updated"]) == (2, 2, 0)
    assert body["summary"]["five_years"]["incurred"] == {"amount": "5550.50", "currency": "USD"}
    [auto_claim] = _claims(http, auth(), auto["id"])
    assert (auto_claim["claim_number"], auto_claim["status"], auto_claim["source"]) == ("A-100", "open", "loss_run")
    assert auto_claim["incurred"]["amount"] == "5250.50"
    [gl_claim] = _claims(http, auth(), gl["id"])
    assert (gl_claim["status"], gl_claim["reserved"]["amount"]) == ("closed", "0.00")
    [event] = emitted(db, "accounts.losses.updated")
    assert event["data"]["reason"] == "loss_run_imported"


def test_a_later_valuation_updates_the_claims_on_file(http, auth, account):
    client, auto, _gl = account
    _save_sierra(http, auth)
    _upload(http, auth(), client["id"], _csv(f"AUTO-1,A-100,{_us(LOSS_DAY)},Collision,Open,1000,4000,0",
                                             f"AUTO-1,A-101,{_us(LOSS_DAY)},Glass,Closed,200,0,0"),
            carrier="Sierra Mutual")
    later = _upload(http, auth(), client["id"], _csv(f"AUTO-1,A-100,{_us(LOSS_DAY)},Collision,Closed,4800,0,0",
                                                     f"AUTO-1,A-101,{_us(LOSS_DAY)},Glass,Closed,200,0,0"),
                    carrier="Sierra Mutual").get_json()
    assert (later["created"], later["updated"], later["unchanged"]) == (0, 1, 1)
    claims = {c["claim_number"]: c for c in _claims(http, auth(), auto["id"])}
    assert (claims["A-100"]["status"], claims["A-100"]["incurred"]["amount"]) == ("closed", "4800.00")


def test_every_problem_of_every_row_is_reported_and_nothing_is_imported(http, auth, db, account):
    client, auto, _gl = account
    _save_sierra(http, auth)
    content = _csv(f"AUTO-1,A-100,{_us(LOSS_DAY)},Collision,Open,1000,4000,0",
                   "AUTO-1,A-102,31/02/2026,Fire,Pending review,-50,abc,0",
                   f"NOPE-9,A-103,{_us(LOSS_DAY)},Theft,Open,0,0,0",
                   f"AUTO-1,A-100,{_us(LOSS_DAY)},Collision,Open,1000,4000,0",
                   f"AUTO-1,,{_us(TODAY + timedelta(days=5))},Hail,Open,0,0,0")
    response = _upload(http, auth(), client["id"], content, carrier="Sierra Mutual")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    report = response.get_json()["errors"]
    assert [p for p in report if p["row"] == 3] == [
        {"row": 3, "column": "Loss Date", "problem": "Not a date in the format %m/%d/%Y: '31/02/2026'."},
        {"row": 3, "column": "Claim Status",
         "problem": "Unknown status 'Pending review'; one of open, closed, reopened."},
        {"row": 3, "column": "Total Paid", "problem": "Must not be negative."},
        {"row": 3, "column": "O/S Reserve", "problem": "Not an amount: 'abc'."},
    ]
    assert {"row": 4, "column": "Policy No", "problem": "The client has no policy NOPE-9."} in report
    assert {"row": 5, "column": "Claim #", "problem": "The claim is also in row 2."} in report
    row6 = {p["column"] for p in report if p["row"] == 6}
    assert row6 == {"Claim #"}  # the claim number is missing; the term check waits for a clean row
    assert _claims(http, auth(), auto["id"]) == []
    assert emitted(db, "accounts.losses.updated") == []


def test_a_mapped_column_missing_from_the_header_is_reported_on_the_header_row(http, auth, account):
    client, _auto, _gl = account
    mapping = {"columns": {**SIERRA_COLUMNS, "incurred": "Total Incurred"}, "date_format": "%m/%d/%Y"}
    response = _upload(http, auth(), client["id"], _csv(), mapping=json.dumps(mapping))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"row": 1, "column": "Total Incurred", "problem": "No such column in the header (mapped to incurred)."}]


def test_an_xlsx_loss_run_with_an_inline_mapping_for_one_policy_is_imported_and_the_mapping_saved(http, auth, account):
    client, auto, _gl = account
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Loss Run - Delta Valley Freight", None, None, None])
    sheet.append([])
    sheet.append(["Claim Number", "DOL", "Status", "Paid", "Outstanding", "Incurred", "Notes"])
    sheet.append([881234, datetime.combine(LOSS_DAY, datetime.min.time()), "Open", 1234.5, 766, 2500.25, "Backing"])
    sheet.append(["881235", _us(LOSS_DAY), "closed", 0, 0, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping = {"columns": {"claim_number": "Claim Number", "date_of_loss": "DOL", "status": "Status",
                           "paid": "Paid", "reserved": "Outstanding", "incurred": "Incurred",
                           "description": "Notes"}, "date_format": "%m/%d/%Y"}
    # The title row is the first non-blank row: it is not the header, so say where the header is
    # by removing it — a carrier's title rows are read as the header and reported.
    titled = _upload(http, auth(), client["id"], buffer.getvalue(), "lossrun.xlsx", policy_id=auto["id"],
                     mapping=json.dumps(mapping))
    assert titled.status_code == 422
    sheet.delete_rows(1, 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(http, auth(), client["id"], buffer.getvalue(), "lossrun.xlsx", policy_id=auto["id"],
                       mapping=json.dumps(mapping), carrier="Coastal Casualty", save_mapping="true")
    assert response.status_code == 200, response.get_json()
    claims = {c["claim_number"]: c for c in _claims(http, auth(), auto["id"])}
    assert set(claims) == {"881234", "881235"}
    assert (claims["881234"]["paid"]["amount"], claims["881234"]["incurred"]["amount"]) == ("1234.50", "2500.25")
    assert claims["881234"]["description"] == "Backing"
    saved = http.get("/api/v1/loss-run-mappings/coastal casualty", headers=auth()).get_json()
    assert saved["columns"] == mapping["columns"]


@pytest.mark.parametrize("form, content, filename", [
    ({}, b"Claim #\n", "x.csv"),                                                   # no carrier, no mapping
    ({"carrier": "Unknown Carrier"}, b"Claim #\n", "x.csv"),                       # nothing saved for it
    ({"mapping": "{not json"}, b"Claim #\n", "x.csv"),
    ({"mapping": json.dumps({"columns": {"claim_number": "A"}})}, b"A\n", "x.csv"),  # required fields unmapped
    ({"mapping": json.dumps({"columns": SIERRA_COLUMNS, "date_format": "dd/mm"})}, b"A\n", "x.csv"),
    ({"carrier": "Sierra Mutual"}, b"PK\x03\x04broken", "x.xlsx"),                 # not a workbook
    ({"carrier": "Sierra Mutual"}, b"", "x.csv"),                                  # empty file
    ({"carrier": "Sierra Mutual", "policy_id": "no-such-policy"}, b"Claim #\n", "x.csv"),
    ({"carrier": "Sierra Mutual", "color": "red"}, b"Claim #\n", "x.csv"),         # unknown form field
])
def test_bad_imports_answer_422_problem_details(http, auth, account, form, content, filename):
    client, _auto, _gl = account
    _save_sierra(http, auth)
    response = _upload(http, auth(), client["id"], content, filename, **form)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"


def test_an_import_without_a_file_is_refused(http, auth, account):
    client, _auto, _gl = account
    response = http.post(f"/api/v1/clients/{client['id']}/loss-runs", data={"carrier": "x"}, headers=auth(),
                         content_type="multipart/form-data")
    assert response.status_code == 422


def test_a_clean_loss_run_with_no_claims_imports_nothing_and_says_so(http, auth, account):
    client, _auto, _gl = account
    _save_sierra(http, auth)
    body = _upload(http, auth(), client["id"], _csv(), carrier="Sierra Mutual").get_json()
    assert (body["claims"], body["summary"]["five_years"]["claim_count"]) == (0, 0)


def test_loss_runs_of_another_programs_client_are_not_found(http, auth, account):
    client, _auto, _gl = account
    _save_sierra(http, auth)
    outsider = auth("am.other", programs=["pest_control"])
    response = _upload(http, outsider, client["id"], _csv(), carrier="Sierra Mutual")
    assert response.status_code == 404

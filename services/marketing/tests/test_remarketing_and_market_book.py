"""More markets for a sent submission (approved before they are sent), remarketing after
declinations, underwriter contacts, and the CSV / XLSX market import (all or nothing,
with a per-row error report)."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from services.marketing.models import Market
from shared.kit.audit import history

from .helpers import AM, PM, PRODUCER, add_markets, answer, emitted

GOLDEN, DECLINING = "golden-state-casualty", "pacific-crest-specialty"
MORE = ("harbor-point-insurance", "sierra-mutual")


def _markets(http, auth, sid) -> dict[str, str]:
    submission = http.get(f"/api/v1/submissions/{sid}", headers=auth(**AM)).get_json()
    return {m["market_id"]: m["status"] for m in submission["markets"]}


def test_a_sent_submission_is_copied_to_more_markets_once_they_are_approved(db, http, auth, sent):
    sid = sent["id"]
    add_markets(db, *MORE)
    url = f"/api/v1/submissions/{sid}/markets/additions"
    response = http.post(url, json={"market_ids": list(MORE)}, headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    assert _markets(http, auth, sid) == {GOLDEN: "sent", DECLINING: "sent", MORE[0]: "draft", MORE[1]: "draft"}
    requests_before = len(emitted(db, "carrier.submission.requested"))
    approve = f"/api/v1/submissions/{sid}/markets/additions/approve"
    assert http.post(approve, json={}, headers=auth(**AM)).status_code == 403  # the approval rule still applies
    assert len(emitted(db, "carrier.submission.requested")) == requests_before
    response = http.post(approve, json={}, headers=auth(**PRODUCER))
    assert response.status_code == 200, response.get_json()
    assert _markets(http, auth, sid) == {GOLDEN: "sent", DECLINING: "sent", MORE[0]: "sent", MORE[1]: "sent"}
    added = [e["data"]["market_id"] for e in emitted(db, "carrier.submission.requested")][requests_before:]
    assert sorted(added) == sorted(MORE)
    assert http.post(approve, json={}, headers=auth(**PRODUCER)).status_code == 409  # nothing waiting
    assert http.post(url, json={"market_ids": [MORE[0]]}, headers=auth(**AM)).status_code == 409  # already listed
    assert http.post(url, json={"market_ids": ["no-such-market"]}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={"market_ids": []}, headers=auth(**AM)).status_code == 422
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "submission", sid)]
    assert "submission.markets_added" in actions and "submission.additions_approved" in actions


def test_markets_are_added_only_to_a_submission_that_is_out(db, http, auth, draft):
    add_markets(db, MORE[0])
    response = http.post(f"/api/v1/submissions/{draft['id']}/markets/additions", json={"market_ids": [MORE[0]]},
                         headers=auth(**AM))
    assert response.status_code == 409
    assert http.post(f"/api/v1/submissions/{draft['id']}/remarket", json={}, headers=auth(**AM)).status_code == 409


def test_remarketing_after_a_declination_adds_the_next_ranked_market_that_has_not_declined(db, http, auth, sent):
    sid = sent["id"]
    add_markets(db, *MORE)
    assert answer(db, sid, 1) == "processed"  # Pacific Crest declines
    suggested = http.get(f"/api/v1/submissions/{sid}/remarket", headers=auth(**AM)).get_json()
    assert suggested["declined"] == [DECLINING]
    ranked = [m["market_id"] for m in suggested["suggestions"]]
    assert set(ranked) == set(MORE) and all(m["eligible"] for m in suggested["suggestions"])
    response = http.post(f"/api/v1/submissions/{sid}/remarket", json={}, headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["added"] == ranked[:1]
    assert _markets(http, auth, sid)[ranked[0]] == "draft"
    second = http.post(f"/api/v1/submissions/{sid}/remarket", json={"count": 5}, headers=auth(**AM)).get_json()
    assert second["added"] == ranked[1:]
    assert http.post(f"/api/v1/submissions/{sid}/remarket", json={}, headers=auth(**AM)).status_code == 409
    assert http.post(f"/api/v1/submissions/{sid}/remarket", json={"count": 0}, headers=auth(**AM)).status_code == 422


def test_underwriter_contacts_can_be_added_changed_listed_and_removed(db, http, auth, markets):
    url = f"/api/v1/markets/{GOLDEN}/contacts"
    first = http.post(url, json={"name": "J. Alvarez", "email": "ja@gsc.example", "lines": ["GL", "AUTO"],
                                 "states": ["CA"], "is_primary": True}, headers=auth(**AM))
    assert first.status_code == 201, first.get_json()
    second = http.post(url, json={"name": "M. Okafor", "title": "Senior underwriter", "is_primary": True},
                       headers=auth(**AM)).get_json()
    listing = http.get(url, headers=auth(**AM)).get_json()["items"]
    assert [(c["name"], c["is_primary"]) for c in listing] == [("M. Okafor", True), ("J. Alvarez", False)]
    item = f"{url}/{first.get_json()['id']}"
    changed = http.patch(item, json={"phone": "+1 916 555 0142"}, headers=auth(**AM))
    assert changed.status_code == 200 and changed.get_json()["phone"] == "+1 916 555 0142"
    assert changed.get_json()["lines"] == ["GL", "AUTO"]
    assert http.post(url, json={"name": ""}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={"name": "X", "email": "not-an-email"}, headers=auth(**AM)).status_code == 422
    assert http.post(url, json={"name": "X", "lines": ["XX"]}, headers=auth(**AM)).status_code == 422
    assert http.post("/api/v1/markets/nope/contacts", json={"name": "X"}, headers=auth(**AM)).status_code == 404
    assert http.get(f"/api/v1/markets/{DECLINING}/contacts/{second['id']}", headers=auth(**AM)).status_code == 404
    assert http.post(url, json={"name": "X"}, headers=auth(roles=("compliance",))).status_code == 403
    assert http.delete(item, headers=auth(**AM)).status_code == 204
    assert http.get(item, headers=auth(**AM)).status_code == 404
    with db.transaction() as session:
        actions = [e["action"] for e in history(session, "market", GOLDEN)]
    assert actions[-4:] == ["market.contact_added", "market.contact_added", "market.contact_updated",
                            "market.contact_removed"]


CSV_HEADER = ("id,name,kind,carrier_name,naic_code,admitted,channel,broker_user,commission_percent,"
              "lines,states,min_premium,max_premium\n")


def _upload(http, auth, content: bytes, filename: str, **who):
    return http.post("/api/v1/markets/import", data={"file": (io.BytesIO(content), filename)},
                     content_type="multipart/form-data", headers=auth(**(who or PM)))


def test_a_csv_of_markets_is_imported_and_imported_again_as_updates(db, http, auth):
    body = (CSV_HEADER
            + "alpha-mutual,Alpha Mutual,carrier,Alpha Mutual Insurance Co,12345,true,queue,sim-alpha,12.50,"
              "GL;AUTO,CA;NV,5000.00,250000.00\n"
            + "bravo-wholesale,Bravo Wholesale,wholesaler,Bravo Specialty,,no,queue,sim-bravo,,UMB,,,\n")
    response = _upload(http, auth, body.encode(), "markets.csv")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 0, "market_ids": ["alpha-mutual", "bravo-wholesale"]}
    with db.transaction() as session:
        alpha = session.get(Market, "alpha-mutual")
        assert alpha.appetite["lines"] == ["GL", "AUTO"] and alpha.appetite["min_premium"]["amount"] == "5000.00"
        assert str(alpha.commission_percent) == "12.50" and session.get(Market, "bravo-wholesale").admitted is False
    again = _upload(http, auth, body.replace("Alpha Mutual,", "Alpha Mutual Group,", 1).encode(), "markets.csv")
    assert again.get_json()["updated"] == 2
    assert _upload(http, auth, body.encode(), "markets.csv", **AM).status_code == 403


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported(db, http, auth):
    body = (CSV_HEADER
            + "alpha-mutual,Alpha Mutual,carrier,Alpha Mutual Insurance Co,12345,true,queue,sim-alpha,12.50,GL,CA,,\n"
            + "bravo,Bravo,reinsurer,Bravo Re,123,true,queue,sim-bravo,,GL,,,\n"
            + "alpha-mutual,Alpha Again,carrier,Alpha,12345,true,queue,sim-alpha-2,,GL,,,\n"
            + "charlie,Charlie,carrier,Charlie Co,12345,maybe,queue,sim-charlie,,GL,California,,\n")
    response = _upload(http, auth, body.encode(), "markets.csv")
    assert response.status_code == 422
    errors = {e["row"]: e for e in response.get_json()["errors"]}
    assert sorted(errors) == [3, 4, 5]
    assert set(errors[3]["errors"]) == {"kind", "naic_code"}
    assert "also on row 2" in errors[4]["errors"]["id"][0]
    assert set(errors[5]["errors"]) == {"admitted", "appetite"}
    with db.transaction() as session:
        assert session.scalars(select(Market)).all() == []


def test_a_conflict_found_while_importing_rolls_the_whole_file_back(db, http, auth, markets):
    body = (CSV_HEADER
            + "alpha-mutual,Alpha Mutual,carrier,Alpha Co,12345,true,queue,sim-alpha,,GL,,,\n"
            + f"bravo,Bravo,carrier,Bravo Co,12345,true,queue,carrier-{GOLDEN},,GL,,,\n")
    response = _upload(http, auth, body.encode(), "markets.csv")
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["row"] == 3 and GOLDEN in error["errors"]["_row"][0]
    with db.transaction() as session:
        assert session.get(Market, "alpha-mutual") is None


def test_an_xlsx_workbook_of_markets_is_imported(db, http, auth):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Name", "Kind", "Carrier_Name", "NAIC_Code", "Admitted", "Channel", "Email",
                  "Commission_Percent", "Lines", "Max_Premium", "Appointment_Status", "Appointment_Effective_Date"])
    sheet.append(["delta-mutual", "Delta Mutual", "carrier", "Delta Mutual Co", 23456, True, "email",
                  "uw@delta.example", 12.5, "GL, PROP", 100000, "appointed", date(2026, 7, 1)])
    out = io.BytesIO()
    workbook.save(out)
    response = _upload(http, auth, out.getvalue(), "book.xlsx")
    assert response.status_code == 200, response.get_json()
    with db.transaction() as session:
        delta = session.get(Market, "delta-mutual")
        assert (delta.naic_code, delta.channel, str(delta.commission_percent)) == ("23456", "email", "12.50")
        assert delta.appetite["lines"] == ["GL", "PROP"] and delta.appetite["max_premium"]["amount"] == "100000.00"
        assert (delta.appointment_status, delta.appointment_effective_date) == ("appointed", date(2026, 7, 1))


def test_unreadable_uploads_are_refused(http, auth):
    assert _upload(http, auth, b"id,colour\nx,red\n", "markets.csv").status_code == 422
    assert _upload(http, auth, b"name\nAlpha\n", "markets.csv").status_code == 422
    assert _upload(http, auth, b"PK\x03\x04 not really a workbook", "markets.xlsx").status_code == 422
    assert _upload(http, auth, b"\xff\xfe\x00", "markets.csv").status_code == 422
    assert _upload(http, auth, CSV_HEADER.encode(), "markets.csv").status_code == 422
    assert _upload(http, auth, b"%PDF-1.7", "markets.pdf").status_code == 422
    missing = http.post("/api/v1/markets/import", data={}, content_type="multipart/form-data", headers=auth(**PM))
    assert missing.status_code == 422

"""Surplus lines: the diligent search a non-admitted bind needs (declinations of admitted
markets, count configurable), California surplus line tax and stamping fee from dated
rate data by the policy's effective date, in the comparison and the bind, and the
affidavit's data as JSON and CSV."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from services.marketing import create_app
from services.marketing.domain import surplus_lines
from services.marketing.domain.surplus_lines import Declination, NoRate
from shared.kit.audit import history

from .helpers import AM, PM, PRODUCER, broker_user, deliver, golden_quote, market_body, quote_data, quote_envelope

ADMITTED = ("golden-state-casualty", "sierra-mutual", "valley-national")
SURPLUS = "redwood-excess-specialty"


# -- the rules (pure) ---------------------------------------------------------------------

@pytest.mark.parametrize("effective, fee_percent", [
    (date(2027, 2, 25), "0.18"), (date(2023, 1, 1), "0.18"), (date(2022, 12, 31), "0.25"),
    (date(2020, 1, 1), "0.25"), (date(2019, 12, 31), "0.20"), (date(2013, 1, 1), "0.20"),
])
def test_california_stamping_fee_follows_the_dated_rate_data(effective, fee_percent):
    tax, fee = surplus_lines.charges(Decimal("10000.00"), "CA", effective)
    assert (tax.kind, tax.rate_percent, tax.amount) == ("surplus_lines_tax", Decimal("3.00"), Decimal("300.00"))
    assert "§1775.5" in tax.citation and "§1775.5" in tax.description
    assert (fee.kind, fee.rate_percent) == ("stamping_fee", Decimal(fee_percent))
    assert fee.amount == Decimal("10000.00") * Decimal(fee_percent) / 100


def test_charges_round_half_up_to_the_cent():
    tax, fee = surplus_lines.charges(Decimal("12345.67"), "CA", date(2027, 3, 1))
    assert (tax.amount, fee.amount) == (Decimal("370.37"), Decimal("22.22"))


def test_a_date_the_rate_data_does_not_cover_is_refused_and_other_states_carry_no_charges():
    with pytest.raises(NoRate):
        surplus_lines.charges(Decimal("1000"), "CA", date(2012, 12, 31))
    assert surplus_lines.charges(Decimal("1000"), "NV", date(2027, 1, 1)) == []
    assert surplus_lines.charges(Decimal("1000"), None, date(2027, 1, 1)) == []


def test_the_diligent_search_counts_distinct_declining_markets():
    one = Declination("sierra-mutual", "Sierra Mutual", "Sierra Mutual Co", "12345", date(2027, 1, 5), "Radius")
    assert "sierra-mutual" in surplus_lines.missing_declinations([one, one], 3)
    assert "2 more needed" in surplus_lines.missing_declinations([one], 3)
    assert surplus_lines.missing_declinations([one], 1) is None


def test_carrier_shown_charges_are_not_added_twice():
    fees = [{"kind": "surplus_lines_tax", "description": None, "amount": {"amount": "300.00", "currency": "USD"}}]
    added = surplus_lines.charges(Decimal("10000"), "CA", date(2027, 1, 1))
    assert [f["kind"] for f in surplus_lines.with_charges(fees, added, "USD")] == ["surplus_lines_tax", "stamping_fee"]


# -- through the API ---------------------------------------------------------------------------

@pytest.fixture
def search(db, http, auth, draft):
    """The golden renewal sent to three admitted markets and one non-admitted market."""
    for market_id in ADMITTED[1:]:
        assert http.post("/api/v1/markets", json=market_body(market_id), headers=auth(**PM)).status_code == 201
    body = market_body(SURPLUS, admitted=False, naic_code="34567")
    assert http.post("/api/v1/markets", json=body, headers=auth(**PM)).status_code == 201
    sid = draft["id"]
    http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": [*ADMITTED, SURPLUS]}, headers=auth(**AM))
    http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER))
    assert http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM)).status_code == 200
    data = quote_data(sid, SURPLUS, ref="RES-1", premium="10000.00", admitted=False, carrier_name="Redwood Excess")
    assert deliver(db, quote_envelope(data), user_id=broker_user(SURPLUS)) == "processed"
    quote_id = next(q["id"] for q in http.get(f"/api/v1/submissions/{sid}/quotes", headers=auth(**AM)).get_json()["items"])
    return sid, quote_id


def decline(db, sid, market_id):
    data = golden_quote(1, submission_id=sid, market_id=market_id, carrier_quote_ref=f"{market_id}-D",
                        declination_reason=f"{market_id} does not write long-haul trucking")
    assert deliver(db, quote_envelope(data), user_id=broker_user(market_id)) == "processed"


def test_a_non_admitted_bind_without_the_declinations_is_refused_naming_what_is_missing(db, http, auth, search):
    sid, quote_id = search
    decline(db, sid, "sierra-mutual")
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM))
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    detail = response.get_json()["detail"]
    assert "3 admitted markets" in detail and "sierra-mutual" in detail and "2 more needed" in detail


def test_the_comparison_shows_surplus_lines_tax_and_fee_for_the_non_admitted_option(http, auth, search):
    sid, quote_id = search
    comparison = http.get(f"/api/v1/submissions/{sid}/comparison", headers=auth(**AM)).get_json()
    (option,) = [o for o in comparison["options"] if o["quote_id"] == quote_id]
    fees = {fee["kind"]: fee["amount"]["amount"] for fee in option["taxes_fees"]}
    assert fees == {"policy_fee": "150.00", "surplus_lines_tax": "300.00", "stamping_fee": "18.00"}
    assert option["total_cost"]["amount"] == "10468.00"


def test_with_three_declinations_the_bind_carries_tax_fee_and_the_affidavit_data(db, http, auth, search):
    sid, quote_id = search
    for market_id in ADMITTED:
        decline(db, sid, market_id)
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    bind = response.get_json()
    placement = bind["surplus_lines"]
    assert (placement["home_state"], placement["tax"]["amount"], placement["stamping_fee"]["amount"]) == (
        "CA", "300.00", "18.00")
    assert placement["stamping_fee_rate_percent"] == "0.1800"
    assert [d["market_id"] for d in placement["declinations"]] == list(ADMITTED)
    affidavit = http.get(f"/api/v1/binds/{bind['id']}/surplus-lines-affidavit", headers=auth(**AM)).get_json()
    assert affidavit["insured"]["name"] and affidavit["carrier"]["naic_code"] == "34567"
    assert affidavit["broker"]["license_number"] == "0K12345"
    assert affidavit["gross_premium"] == {"amount": "10000.00", "currency": "USD"}
    assert {d["reason"] for d in affidavit["declinations"]} == {f"{m} does not write long-haul trucking" for m in ADMITTED}
    exported = http.get(f"/api/v1/binds/{bind['id']}/surplus-lines-affidavit?format=csv", headers=auth(**AM))
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["declining_market"] for r in rows] == [m.replace("-", " ").title() for m in ADMITTED]
    assert {(r["surplus_lines_tax"], r["stamping_fee"], r["naic_code"]) for r in rows} == {("300.00", "18.00", "34567")}
    with db.transaction() as session:
        assert "bind.surplus_lines_recorded" in [e["action"] for e in history(session, "bind", bind["id"])]


def test_the_declination_count_is_configurable(db, settings, auth, search, monkeypatch):
    sid, quote_id = search
    decline(db, sid, "valley-national")
    monkeypatch.setenv("SURPLUS_LINES_DECLINATIONS", "1")
    http = create_app(settings).test_client()
    response = http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["surplus_lines"]["declinations_required"] == 1
    monkeypatch.setenv("SURPLUS_LINES_DECLINATIONS", "three")
    with pytest.raises(ValueError):
        create_app(settings)


def test_an_admitted_bind_has_no_affidavit_and_other_programs_see_none(http, auth, answered):
    quote_id = next(q["id"] for q in http.get(f"/api/v1/submissions/{answered['id']}/quotes",
                                              headers=auth(**AM)).get_json()["items"] if q["status"] == "quoted")
    bind = http.post(f"/api/v1/quotes/{quote_id}/bind", json={}, headers=auth(**AM)).get_json()
    assert bind["surplus_lines"] is None
    assert http.get(f"/api/v1/binds/{bind['id']}/surplus-lines-affidavit", headers=auth(**AM)).status_code == 404
    assert http.get(f"/api/v1/binds/{bind['id']}", headers=auth(programs=("pest-control",))).status_code == 404
    bad = http.get(f"/api/v1/binds/{bind['id']}/surplus-lines-affidavit?format=pdf", headers=auth(**AM))
    assert bad.status_code == 422

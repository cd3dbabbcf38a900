"""The renewal golden path end to end, on real processes (gunicorn web servers, workers,
the carrier simulator) talking over the broker: once on the embedded defaults (SQLite,
filesystem transport) and once on RabbitMQ + PostgreSQL."""
import io
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from docx import Document as Docx
from openpyxl import load_workbook

from carrier_simulator.fleet import market_records
from ops import golden_path
from ops.seed import markets_ready_after

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def journey(platform):
    api = golden_path.Platform(urls=platform.urls, settings=platform.settings())
    golden_path.register_markets(api, market_records())
    ready = markets_ready_after(time.monotonic())
    today = date.today()

    def scan(day):
        done = platform.command("-m", "services.accounts", "renewal-scan", "--today", day.isoformat())
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        result = golden_path.run(api, today=today, renewal_scan=scan, markets_ready=ready, timeout=120)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- platform log ---\n{platform.log()}") from None
    result.update(api=api, today=today, scan_again=scan(today))
    return result


def test_renewal_scan_raises_renewal_due_once(journey):
    assert "2 renewals raised" in journey["scan"]
    assert "0 renewals raised" in journey["scan_again"]


def test_quote_and_declination_are_compared_against_expiring_and_specifications(journey):
    comparison = journey["comparison"]
    assert [d["market_id"] for d in comparison["declinations"]] == [golden_path.DECLINING]
    assert comparison["declinations"][0]["reason"]
    (option,) = comparison["options"]
    assert option["market_id"] == golden_path.QUOTING and option["status"] == "quoted"
    assert Decimal(comparison["expiring_premium"]["amount"]) == Decimal("44000.00")
    change = option["change_vs_expiring"]
    assert Decimal(change["amount"]["amount"]) == Decimal(option["total_cost"]["amount"]) - Decimal("44000.00")
    assert Decimal(change["percent"]) > 0
    flags = {(c["line_of_business"], c["code"], f["kind"]) for c in option["coverages"] for f in c["flags"]}
    assert ("GL", "CGL", "higher_deductible") in flags


def test_quote_is_stored_exactly_once(journey):
    api = journey["api"]
    quotes = api.json("GET", "marketing", f"/api/v1/submissions/{journey['submission_id']}/quotes")
    keys = [(q["market_id"], q["carrier_quote_ref"], q["revision"]) for q in quotes["items"]]
    assert len(keys) == len(set(keys)) == 2


def test_comparison_spreadsheet_and_proposal_are_real_documents(journey):
    workbook = load_workbook(io.BytesIO(journey["documents"]["comparison_xlsx"]), data_only=True)
    numbers = [c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, (int, float))]
    assert 44000 in numbers  # the expiring premium, as a number
    text = "\n".join(p.text for p in Docx(io.BytesIO(journey["documents"]["proposal_docx"])).paragraphs)
    assert "Delta Valley Freight LLC" in text


def test_binding_records_the_new_terms_and_renews_the_expiring_ones(journey):
    policies = journey["policies"]
    new = [p for p in policies if p["status"] == "in_force"]
    old = [p for p in policies if p["status"] == "renewed"]
    assert sorted(p["line_of_business"] for p in new) == ["AUTO", "GL"]
    assert sorted(p["line_of_business"] for p in old) == ["AUTO", "GL"]
    renewal_start = (journey["today"] + timedelta(days=90)).isoformat()
    assert all(p["period"]["effective_date"] == renewal_start for p in new)


def test_dmv_filing_is_due_on_the_new_terms_effective_date_and_the_am_has_an_activity(journey):
    (filing,) = journey["filings"]
    assert filing["due_on"] == (journey["today"] + timedelta(days=90)).isoformat()
    assert filing["credential"] == {"kind": "DMV_CA", "number": "CA123456"}
    assert filing["line_of_business"] == "AUTO"
    types = {a["type"] for a in journey["activities"]}
    assert {"request_renewal_info", "filing_due", "review_policy"} <= types

"""The specifications, as Word (python-docx) and as a spreadsheet (openpyxl)."""
import io
from decimal import Decimal

import docx
import openpyxl

from services.documents.domain.render import render
from services.documents.tests.payloads import money, submission_document
from services.documents.tests.test_render_proposal_docx import section, table_after, text_of


def opened(payload):
    rendered = render("specifications", payload)
    assert rendered.extension == "docx"
    return docx.Document(io.BytesIO(rendered.content))


def workbook(payload, data_only=False):
    rendered = render("specifications_xlsx", payload)
    assert rendered.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(rendered.content), data_only=data_only)


def rows(sheet, first=7):
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=first)]


def test_heading_gives_insured_term_and_need_by_date():
    text = text_of(opened(submission_document("specifications")))
    assert "Renewal specifications" in text
    assert "Named insured: Delta Valley Freight LLC dba DVF Trucking" in text
    assert "Policy period: February 25, 2027 to February 25, 2028" in text
    assert "Quotes needed by: January 15, 2027" in text


def test_each_line_lists_every_limit_on_its_own_row_with_deductible_and_forms():
    document = opened(submission_document("specifications"))
    gl = table_after(document, "Expiring premium: $8,400.00")
    assert gl[0] == ["Coverage", "Limit", "Amount", "Deductible / SIR", "Forms"]
    assert gl[1] == ["CGL: Commercial general liability (occurrence)", "Each occurrence", "$1,000,000",
                     "Deductible $1,000", "CG 00 01 04 13"]
    assert gl[2] == ["", "General aggregate", "$2,000,000", "", ""]
    assert [r[1] for r in gl[1:]] == ["Each occurrence", "General aggregate", "Products-completed operations aggregate",
                                     "Damage to rented premises", "Medical expense"]
    wc = table_after(document, "Expiring premium: $41,200.00")
    assert wc[1][1:3] == ["Workers' compensation (statutory)", "Statutory"]
    assert wc[2][1:3] == ["Employers' liability each accident", "$1,000,000"]
    auto = table_after(document, "Expiring premium: $35,600.00")
    assert auto[3] == ["PD: Physical damage, comprehensive and collision", "As per form", "", "Deductible $2,500", ""]


def test_expiring_carrier_changes_and_notes_per_line():
    document = opened(submission_document("specifications"))
    auto = section(document, "Commercial auto")
    assert "Expiring carrier: Sierra Mutual Insurance Company" in auto
    assert "Expiring policy: SMA-2026-118230" in auto
    assert "Physical damage deductible from $1,000 to $2,500" in auto
    assert "Telematics (Samsara) on every power unit since 2024; monthly safety meetings." in auto
    assert "None: quote as expiring." in section(document, "Workers' compensation")


def test_self_insured_retention_is_named_as_such():
    payload = submission_document("specifications")
    payload["lines"][0]["coverages"][0]["deductible"] = {"kind": "self_insured_retention", "amount": money("25000.00")}
    gl = table_after(opened(payload), "Expiring premium: $8,400.00")
    assert gl[1][3] == "Self-insured retention $25,000"


def test_premium_locations_and_loss_summary_with_totals():
    document = opened(submission_document("specifications"))
    premium = table_after(document, "Premium")
    assert premium[-1] == ["Total expiring", "", "$85,200.00"]
    assert "Target premium for the program: $82,000.00." in section(document, "Premium")
    assert table_after(document, "Locations")[2] == ["2", "2250 S Airport Way, Unit B, Stockton, CA 95206",
                                                     "Drop yard, no buildings", "Tenant"]
    losses = table_after(document, "Loss summary")
    assert losses[1] == ["2026", "Commercial auto", "Sierra Mutual Insurance Company", "1", "$4,200.00",
                         "$11,800.00", "$16,000.00"]
    assert losses[-1] == ["Total", "", "", "4", "$165,700.00", "$11,800.00", "$177,500.00"]
    assert section(document, "Underwriting notes") == [
        "Twelve years in business under the same ownership; driver turnover under 10%."]


def test_spreadsheet_has_specification_premium_and_loss_sheets():
    assert workbook(submission_document("specifications_xlsx")).sheetnames == [
        "Specifications", "Premium", "Loss summary"]


def test_spreadsheet_limits_and_deductibles_are_numbers():
    sheet = workbook(submission_document("specifications_xlsx"))["Specifications"]
    assert rows(sheet, first=6)[0][:6] == ["Line of business", "Coverage", "Limit", "Limit amount",
                                           "Deductible / SIR", "Deductible amount"]
    data = rows(sheet)
    assert data[0][:6] == ["General liability", "CGL: Commercial general liability (occurrence)", "Each occurrence",
                           1000000, "Deductible", 1000]
    occurrence = sheet["D7"]
    assert occurrence.data_type == "n" and '"$"#,##0' in occurrence.number_format
    statutory = next(r for r in data if r[2] == "Workers' compensation (statutory)")
    assert statutory[3] == "Statutory"
    assert [r[3] for r in data if r[0] == "Commercial auto"] == [1000000, 30000, None]
    assert len(data) == 12


def test_spreadsheet_totals_are_formulas_with_values_stored():
    formulas = workbook(submission_document("specifications_xlsx"))
    values = workbook(submission_document("specifications_xlsx"), data_only=True)
    premium = rows(formulas["Premium"])
    assert premium[0][:4] == ["General liability", "Sierra Mutual Insurance Company", "SMG-2026-004411", 8400]
    assert premium[3][0] == "Total expiring" and premium[3][3] == "=SUM(D7:D9)"
    assert rows(values["Premium"])[3][3] == 85200
    assert rows(values["Premium"])[5][0::3] == ["Target premium", 82000]
    losses, loss_values = rows(formulas["Loss summary"]), rows(values["Loss summary"])
    assert losses[0][:7] == [2026, "Commercial auto", "Sierra Mutual Insurance Company", 1, 4200, 11800, 16000]
    assert losses[5][3:7] == ["=SUM(D7:D11)", "=SUM(E7:E11)", "=SUM(F7:F11)", "=SUM(G7:G11)"]
    assert loss_values[5][3:7] == [4, 165700, 11800, 177500]
    assert Decimal(str(loss_values[5][4])) == sum(Decimal(str(r[4])) for r in loss_values[:5])


def test_spreadsheet_without_losses_says_so():
    payload = submission_document("specifications_xlsx")
    payload["loss_history"] = []
    assert rows(workbook(payload)["Loss summary"])[0][0] == "No loss history provided."

"""The comparison spreadsheet, opened with openpyxl as a spreadsheet program would."""
import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from services.documents.domain.render import InvalidPayload, render
from services.documents.tests.payloads import full_document, golden_request, money


def workbook(payload, data_only=False):
    rendered = render("comparison_xlsx", payload)
    assert rendered.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(rendered.content), data_only=data_only)


def row_of(sheet, label):
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(f"no row labelled {label!r}")


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_workbook_has_premium_coverage_and_declination_sheets():
    assert workbook(full_document()).sheetnames == ["Premium comparison", "Coverage comparison", "Declinations"]


def test_premiums_are_numeric_cells_in_currency_format():
    sheet = workbook(full_document())["Premium comparison"]
    gl = row_of(sheet, "General liability")
    for column in "DEH":
        cell = sheet[f"{column}{gl}"]
        assert isinstance(cell.value, (int, float)) and cell.data_type == "n"
        assert '"$"#,##0.00' in cell.number_format
    assert sheet[f"D{gl}"].value == 8400 and sheet[f"E{gl}"].value == 9100 and sheet[f"H{gl}"].value == 7000


def test_totals_are_formulas_with_their_values_stored():
    formulas = workbook(full_document())["Premium comparison"]
    values = workbook(full_document(), data_only=True)["Premium comparison"]
    premium, total = row_of(formulas, "Premium"), row_of(formulas, "Total cost")
    assert formulas[f"E{premium}"].value.startswith("=SUM(")
    assert formulas[f"E{total}"].value.startswith("=SUM(")
    assert cents(values[f"D{premium}"].value) == Decimal("44000.00")
    assert cents(values[f"E{premium}"].value) == Decimal("46500.00")
    assert cents(values[f"E{total}"].value) == Decimal("46750.00")
    assert cents(values[f"H{total}"].value) == Decimal("7222.60")


def test_change_against_expiring_in_amount_and_percent():
    formulas = workbook(full_document())["Premium comparison"]
    values = workbook(full_document(), data_only=True)["Premium comparison"]
    total, gl = row_of(formulas, "Total cost"), row_of(formulas, "General liability")
    assert formulas[f"F{total}"].value == f"=E{total}-D{total}"
    assert cents(values[f"F{total}"].value) == Decimal("2750.00")
    assert formulas[f"G{total}"].value == f"=(E{total}-D{total})/D{total}"
    assert round(values[f"G{total}"].value, 4) == 0.0625
    assert "%" in formulas[f"G{total}"].number_format
    assert cents(values[f"F{gl}"].value) == Decimal("700.00")


def test_an_option_quoting_fewer_lines_shows_no_misleading_change():
    sheet = workbook(full_document())["Premium comparison"]
    auto, total = row_of(sheet, "Commercial auto"), row_of(sheet, "Total cost")
    assert sheet[f"H{auto}"].value == "not quoted"
    assert sheet[f"I{total}"].value is None and sheet[f"J{total}"].value is None


def test_taxes_and_fees_have_rows_of_their_own_inside_the_total():
    formulas = workbook(full_document())["Premium comparison"]
    values = workbook(full_document(), data_only=True)["Premium comparison"]
    tax = row_of(values, "Surplus lines tax (CA surplus lines tax 3%)")
    stamping = row_of(values, "Stamping fee (CA stamping fee 0.18%)")
    assert cents(values[f"H{tax}"].value) == Decimal("210.00")
    assert cents(values[f"H{stamping}"].value) == Decimal("12.60")
    premium, total = row_of(formulas, "Premium"), row_of(formulas, "Total cost")
    assert formulas[f"H{total}"].value == f"=SUM(H{premium}:H{total - 1})"
    assert premium < tax < stamping < total


def test_premium_a_quote_does_not_itemise_by_line_keeps_the_total_right():
    payload = golden_request("comparison_xlsx")["payload"]
    formulas = workbook(payload)["Premium comparison"]
    values = workbook(payload, data_only=True)["Premium comparison"]
    unallocated = row_of(values, "Premium not itemised by line")
    assert cents(values[f"E{unallocated}"].value) == Decimal("7500.00")
    premium = row_of(values, "Premium")
    assert cents(values[f"E{premium}"].value) == Decimal("47080.00")
    gl = row_of(formulas, "General liability")
    assert formulas[f"F{gl}"].value is None  # no line change from a partial itemisation


def test_totals_reconcile_with_a_quoted_total_that_includes_other_charges():
    payload = full_document()
    payload["comparison"]["options"][0]["total_cost"] = money("46800.00")
    values = workbook(payload, data_only=True)["Premium comparison"]
    other = row_of(values, "Other charges in the quoted total")
    assert cents(values[f"E{other}"].value) == Decimal("50.00")
    assert cents(values[f"E{row_of(values, 'Total cost')}"].value) == Decimal("46800.00")


def test_coverage_sheet_compares_terms_and_highlights_flagged_differences():
    sheet = workbook(full_document())["Coverage comparison"]
    rows = {(r[1].value, r[2].value): r for r in sheet.iter_rows(min_row=8) if r[2].value}
    occurrence = rows[("CGL: Commercial general liability", "Each occurrence")]
    requested, expiring, admitted, surplus = occurrence[3], occurrence[4], occurrence[5], occurrence[7]
    assert (requested.value, expiring.value, admitted.value, surplus.value) == (1000000, 1000000, 1000000, 500000)
    assert surplus.fill.fill_type == "solid" and admitted.fill.fill_type is None
    assert "lower limit" in occurrence[8].value
    deductible = rows[("CGL: Commercial general liability", "Deductible")]
    assert deductible[7].value == 2500 and deductible[7].fill.fill_type == "solid"
    auto = rows[("LIAB: Auto liability, symbol 1", "Combined single limit")]
    assert auto[7].value == "Not offered"
    assert sheet.freeze_panes == "D8"


def test_declinations_sheet_lists_each_market_and_reason():
    sheet = workbook(full_document())["Declinations"]
    assert [c.value for c in sheet[7]] == ["Pacific Crest Specialty", "pacific-crest", "Fleet radius exceeds appetite"]


def test_header_rows_are_frozen_and_the_sheet_prints_landscape_on_letter():
    sheet = workbook(full_document())["Premium comparison"]
    assert sheet.freeze_panes == "B8"
    assert sheet.print_title_rows == "$6:$7"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 1
    assert sheet.column_dimensions["A"].width > 30
    assert "0K12345" in sheet["A4"].value  # the agency licence on a written price quotation


def test_a_comparison_without_quotes_still_renders():
    payload = full_document()
    payload["comparison"]["options"] = []
    sheet = workbook(payload)["Premium comparison"]
    assert row_of(sheet, "No market offered terms.")


def test_mixed_currencies_are_refused():
    payload = full_document()
    payload["comparison"]["options"][0]["premium"] = {"amount": "46500.00", "currency": "CAD"}
    with pytest.raises(InvalidPayload, match="mixes currencies"):
        render("comparison_xlsx", payload)


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(tmp_path):
    source = tmp_path / "comparison.xlsx"
    source.write_bytes(render("comparison_xlsx", full_document()).content)
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "csv", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    assert "46750" in (tmp_path / "comparison.csv").read_text()

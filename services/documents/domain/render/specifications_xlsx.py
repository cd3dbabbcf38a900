"""The specifications as a spreadsheet, for markets that rate from one: every requested
term on its own row with limits and deductibles as numbers, the expiring premium by line
and the loss summary with totals as formulas (their computed values stored too)."""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from services.documents.domain.render.labels import DEDUCTIBLE_LABELS, line_label
from services.documents.domain.render.submission_facts import (
    SUBMISSION_KIND_LABELS, coverage_name, currency_of, insured_name, loss_totals, loss_years, term_rows,
)
from services.documents.domain.render.xlsx_styles import Styles, num

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPEC_SHEET, PREMIUM_SHEET, LOSS_SHEET = "Specifications", "Premium", "Loss summary"
HEADER_ROW = 5
SPEC_COLUMNS = ("Line of business", "Coverage", "Limit", "Limit amount", "Deductible / SIR", "Deductible amount",
                "Forms", "Exclusions")
SPEC_WIDTHS = (24, 40, 36, 16, 22, 16, 28, 30)


def render_specifications_xlsx(document: dict) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "remove_timezone": True})
    styles = Styles(workbook, currency_of(document))
    workbook.set_properties({
        "title": f"Specifications: {document['insured']['name']}",
        "author": document["account_manager"]["name"], "company": document["agency"]["name"],
        "created": datetime.combine(document["prepared_on"], datetime.min.time()),
    })
    _spec_sheet(workbook.add_worksheet(SPEC_SHEET), styles, document)
    _premium_sheet(workbook.add_worksheet(PREMIUM_SHEET), styles, document)
    _loss_sheet(workbook.add_worksheet(LOSS_SHEET), styles, document)
    workbook.close()
    return buffer.getvalue()


def _title(sheet, styles: Styles, document: dict, heading: str) -> None:
    insured, period, agency = document["insured"], document["period"], document["agency"]
    sheet.write_string(0, 0, f"{SUBMISSION_KIND_LABELS[document['kind']]} {heading.lower()}: {insured_name(insured)}",
                       styles("title"))
    sheet.write_string(1, 0, f"Policy period {period['effective_date'].isoformat()} to "
                             f"{period['expiration_date'].isoformat()}; quotes needed by "
                             f"{document['respond_by'].isoformat()}")
    sheet.write_string(2, 0, f"Prepared by {document['account_manager']['name']} on "
                             f"{document['prepared_on'].isoformat()}")
    sheet.write_string(3, 0, f"{agency['name']}, licence no. {agency['license_number']}")
    sheet.set_landscape()
    sheet.set_paper(1)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW, HEADER_ROW)
    sheet.set_footer(f"&L{agency['name'].replace('&', '&&')[:80]}, licence no. "
                     f"{agency['license_number'].replace('&', '&&')}&CPage &P of &N")


def _amount(sheet, row: int, col: int, money: dict | None, style) -> None:
    if money is None:
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_number(row, col, num(money["amount"]), style)


def _spec_sheet(sheet, styles: Styles, document: dict) -> None:
    _title(sheet, styles, document, SPEC_SHEET)
    sheet.write_row(HEADER_ROW, 0, SPEC_COLUMNS, styles("header"))
    row = HEADER_ROW + 1
    for line in document["lines"]:
        for term in term_rows(line):
            coverage = term.coverage
            sheet.write_string(row, 0, line_label(line["line_of_business"]))
            sheet.write_string(row, 1, coverage_name(coverage), styles("wrap"))
            sheet.write_string(row, 2, term.limit_label)
            if term.limit is not None and term.limit.get("amount") is None:
                sheet.write_string(row, 3, "Statutory")
            else:
                _amount(sheet, row, 3, term.limit["amount"] if term.limit else None, styles("limit"))
            deductible = coverage.get("deductible")
            if deductible:
                sheet.write_string(row, 4, DEDUCTIBLE_LABELS.get(deductible["kind"], "Deductible"))
                _amount(sheet, row, 5, deductible["amount"], styles("limit"))
            sheet.write_string(row, 6, ", ".join(coverage.get("forms", [])), styles("wrap"))
            sheet.write_string(row, 7, "; ".join(coverage.get("exclusions", [])), styles("wrap"))
            row += 1
    for col, width in enumerate(SPEC_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.autofilter(HEADER_ROW, 0, max(row - 1, HEADER_ROW), len(SPEC_COLUMNS) - 1)
    sheet.freeze_panes(HEADER_ROW + 1, 0)


def _premium_sheet(sheet, styles: Styles, document: dict) -> None:
    _title(sheet, styles, document, PREMIUM_SHEET)
    sheet.write_row(HEADER_ROW, 0, ("Line of business", "Expiring carrier", "Expiring policy", "Expiring premium",
                                    "Requested changes", "Notes"), styles("header"))
    first = row = HEADER_ROW + 1
    total = Decimal("0")
    for line in document["lines"]:
        sheet.write_string(row, 0, line_label(line["line_of_business"]))
        sheet.write_string(row, 1, line.get("expiring_carrier") or "")
        sheet.write_string(row, 2, line.get("expiring_policy_number") or "")
        _amount(sheet, row, 3, line.get("expiring_premium"), styles("money"))
        if line.get("expiring_premium"):
            total += line["expiring_premium"]["amount"]
        sheet.write_string(row, 4, "\n".join(line["requested_changes"]), styles("wrap"))
        sheet.write_string(row, 5, line.get("notes") or "", styles("wrap"))
        row += 1
    sheet.write_string(row, 0, "Total expiring", styles("total"))
    for col in (1, 2):
        sheet.write_blank(row, col, None, styles("total"))
    sheet.write_formula(row, 3, f"=SUM({xl_rowcol_to_cell(first, 3)}:{xl_rowcol_to_cell(row - 1, 3)})",
                        styles("money", "total"), num(total))
    if document.get("target_premium"):
        sheet.write_string(row + 2, 0, "Target premium", styles("label"))
        sheet.write_number(row + 2, 3, num(document["target_premium"]["amount"]), styles("money"))
    for col, width in enumerate((24, 34, 20, 16, 50, 50)):
        sheet.set_column(col, col, width)


def _loss_sheet(sheet, styles: Styles, document: dict) -> None:
    _title(sheet, styles, document, LOSS_SHEET)
    sheet.write_row(HEADER_ROW, 0, ("Policy year", "Line of business", "Carrier", "Claims", "Paid", "Reserved",
                                    "Incurred", "Notes"), styles("header"))
    first = row = HEADER_ROW + 1
    for year in loss_years(document):
        sheet.write_number(row, 0, year["policy_year"], styles("integer"))
        sheet.write_string(row, 1, line_label(year["line_of_business"]) if year.get("line_of_business") else "All")
        sheet.write_string(row, 2, year.get("carrier") or "")
        sheet.write_number(row, 3, year["claim_count"])
        for col, name in ((4, "paid"), (5, "reserved"), (6, "incurred")):
            sheet.write_number(row, col, num(year[name]["amount"]), styles("money"))
        sheet.write_string(row, 7, year.get("notes") or "", styles("wrap"))
        row += 1
    if row == first:
        sheet.write_string(row, 0, "No loss history provided.", styles("muted"))
    else:
        totals = loss_totals(document)
        sheet.write_string(row, 0, "Total", styles("total"))
        for col in (1, 2):
            sheet.write_blank(row, col, None, styles("total"))
        values = {3: totals.claim_count, 4: num(totals.paid), 5: num(totals.reserved), 6: num(totals.incurred)}
        for col, value in values.items():
            cells = f"{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(row - 1, col)}"
            sheet.write_formula(row, col, f"=SUM({cells})", styles("total") if col == 3 else styles("money", "total"),
                                value)
    for col, width in enumerate((12, 24, 34, 10, 16, 16, 16, 60)):
        sheet.set_column(col, col, width)

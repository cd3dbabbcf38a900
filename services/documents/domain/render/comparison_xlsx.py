"""The premium comparison spreadsheet: premium by line against expiring, taxes and fees,
totals as formulas with their values stored, coverage by coverage, and declinations.

Totals are formulas so the account manager can adjust a figure and see the total move;
each formula carries its computed value, because XlsxWriter otherwise stores 0 and
LibreOffice, previews and Protected View show that 0."""
from __future__ import annotations

import io
from datetime import datetime

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from services.documents.domain.render.comparison_xlsx_coverage import write_coverage_sheet
from services.documents.domain.render.labels import line_label, recommended_option
from services.documents.domain.render.premiums import OptionPremiums, PremiumSummary, summarise
from services.documents.domain.render.xlsx_styles import Styles, num, print_setup, title_block

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREMIUM_SHEET = "Premium comparison"
DECLINATION_SHEET = "Declinations"
HEAD, COLUMNS, FIRST = 5, 6, 7  # group header row, column header row, first data row
EXPIRING_PREMIUM = 3


def render_comparison_xlsx(document: dict) -> bytes:
    comparison = document["comparison"]
    summary = summarise(comparison)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "remove_timezone": True})
    styles = Styles(workbook, summary.currency)
    workbook.set_properties({
        "title": f"Premium comparison: {comparison['insured_name']}",
        "author": document["prepared_by"], "company": document["agency"]["name"],
        "created": datetime.combine(document["prepared_on"], datetime.min.time()),
    })
    PremiumSheet(workbook.add_worksheet(PREMIUM_SHEET), styles, document, summary).write()
    write_coverage_sheet(workbook.add_worksheet("Coverage comparison"), styles, document)
    write_declination_sheet(workbook.add_worksheet(DECLINATION_SHEET), styles, document)
    workbook.close()
    return buffer.getvalue()


def option_column(index: int) -> int:
    """Each option has three columns: premium, change, change %."""
    return 4 + 3 * index


class PremiumSheet:
    def __init__(self, sheet, styles: Styles, document: dict, summary: PremiumSummary):
        self.sheet, self.styles, self.document, self.summary = sheet, styles, document, summary
        self.row = FIRST

    def write(self) -> None:
        title_block(self.sheet, self.styles, self.document, PREMIUM_SHEET)
        self._headers()
        first_line = self.row
        for line in self.summary.lines:
            self._line_row(line)
        if self._has_unallocated():
            self._unallocated_row()
        subtotal = self._sum_row("Premium", first_line, self.row - 1, [o.premium for o in self.summary.options])
        for key in self.summary.fee_rows:
            self._fee_row(key)
        if any(o.other_charges for o in self.summary.options):
            self._other_charges_row()
        self._sum_row("Total cost", subtotal, self.row - 1, [o.total_cost for o in self.summary.options])
        self._option_details()
        self._notes()
        self._layout()

    # -- header ------------------------------------------------------------------------
    def _headers(self) -> None:
        s = self.styles
        self.sheet.merge_range(HEAD, 0, HEAD, EXPIRING_PREMIUM, "Expiring", s("group"))
        recommended = self._recommended_quote_id()
        for i, premiums in enumerate(self.summary.options):
            option = premiums.option
            label = f"Option {option['rank']}: {option['carrier_name']}"
            if option["quote_id"] == recommended:
                label += " (recommended)"
            col = option_column(i)
            self.sheet.merge_range(HEAD, col, HEAD, col + 2, label, s("group"))
        headers = ["Line of business", "Carrier", "Policy number", "Premium"]
        for _ in self.summary.options:
            headers += ["Premium", "Change", "Change %"]
        self.sheet.write_row(COLUMNS, 0, headers, s("header"))

    def _recommended_quote_id(self) -> str | None:
        option = recommended_option(self.document)
        return option["quote_id"] if option else None

    # -- rows --------------------------------------------------------------------------
    def _line_row(self, line: str) -> None:
        s, row = self.styles, self.row
        expiring = self.summary.expiring_by_line.get(line)
        self.sheet.write_string(row, 0, line_label(line))
        if expiring:
            self.sheet.write_string(row, 1, expiring["carrier_name"])
            self.sheet.write_string(row, 2, expiring["policy_number"])
            self.sheet.write_number(row, EXPIRING_PREMIUM, num(expiring["premium"]["amount"]), s("money"))
        for i, premiums in enumerate(self.summary.options):
            amount = premiums.by_line.get(line)
            col = option_column(i)
            if amount is not None:
                self.sheet.write_number(row, col, num(amount), s("money"))
                if premiums.fully_allocated and expiring:
                    self._change(row, col, expiring["premium"]["amount"], amount, ())
            elif not any(c["line_of_business"] == line and c.get("quoted") for c in premiums.option["coverages"]):
                self.sheet.write_string(row, col, "not quoted", s("muted"))
        self.row += 1

    def _has_unallocated(self) -> bool:
        return bool(self.summary.expiring_unallocated) or any(o.unallocated for o in self.summary.options)

    def _unallocated_row(self) -> None:
        s, row = self.styles, self.row
        self.sheet.write_string(row, 0, "Premium not itemised by line")
        if self.summary.expiring_total is not None:
            self.sheet.write_number(row, EXPIRING_PREMIUM, num(self.summary.expiring_unallocated), s("money"))
        for i, premiums in enumerate(self.summary.options):
            self.sheet.write_number(row, option_column(i), num(premiums.unallocated), s("money"))
        self.row += 1

    def _fee_row(self, key: tuple[str, str]) -> None:
        kind, description = key
        label = kind.replace("_", " ").capitalize() + (f" ({description})" if description else "")
        self.sheet.write_string(self.row, 0, label)
        for i, premiums in enumerate(self.summary.options):
            if key in premiums.fees:
                self.sheet.write_number(self.row, option_column(i), num(premiums.fees[key]), self.styles("money"))
        self.row += 1

    def _other_charges_row(self) -> None:
        self.sheet.write_string(self.row, 0, "Other charges in the quoted total")
        for i, premiums in enumerate(self.summary.options):
            self.sheet.write_number(self.row, option_column(i), num(premiums.other_charges), self.styles("money"))
        self.row += 1

    def _sum_row(self, label: str, first: int, last: int, amounts) -> int:
        """A total row: SUM formulas with the Decimal result stored as their value, and
        the change against expiring where the option quotes the whole program."""
        s, row, expiring = self.styles, self.row, self.summary.expiring_total
        self.sheet.write_string(row, 0, label, s("total"))
        for col in (1, 2):
            self.sheet.write_blank(row, col, None, s("total"))
        if expiring is not None:
            self._sum(row, EXPIRING_PREMIUM, first, last, expiring)
        else:
            self.sheet.write_blank(row, EXPIRING_PREMIUM, None, s("total"))
        for i, (premiums, amount) in enumerate(zip(self.summary.options, amounts)):
            col = option_column(i)
            self._sum(row, col, first, last, amount)
            if self.summary.change(premiums, amount) is not None:
                self._change(row, col, expiring, amount, ("total",))
            else:
                self.sheet.write_blank(row, col + 1, None, s("total"))
                self.sheet.write_blank(row, col + 2, None, s("total"))
        self.row += 1
        return row

    def _sum(self, row: int, col: int, first: int, last: int, value) -> None:
        span = f"{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)}"
        self.sheet.write_formula(row, col, f"=SUM({span})", self.styles("money", "total"), num(value))

    def _change(self, row: int, col: int, expiring, amount, extra: tuple[str, ...]) -> None:
        """Change in amount and percent against the expiring premium in column D."""
        new, old = xl_rowcol_to_cell(row, col), xl_rowcol_to_cell(row, EXPIRING_PREMIUM)
        self.sheet.write_formula(row, col + 1, f"={new}-{old}", self.styles("money", *extra), num(amount - expiring))
        if expiring:
            self.sheet.write_formula(row, col + 2, f"=({new}-{old})/{old}", self.styles("percent", *extra),
                                     num((amount - expiring) / expiring))
        else:
            self.sheet.write_blank(row, col + 2, None, self.styles(*extra))

    # -- option details and notes --------------------------------------------------------
    def _option_details(self) -> None:
        if not self.summary.options:
            self.row += 1
            self.sheet.write_string(self.row, 0, "No market offered terms.", self.styles("label"))
            self.row += 1
            return
        self.row += 1
        self.sheet.write_string(self.row, 0, "Option details", self.styles("label"))
        self.row += 1
        for label, write in _DETAILS:
            self.sheet.write_string(self.row, 0, label)
            for i, premiums in enumerate(self.summary.options):
                write(self, self.row, option_column(i), premiums)
            self.row += 1

    def merged(self, row: int, col: int, text: str, *names: str) -> None:
        self.sheet.merge_range(row, col, row, col + 2, text, self.styles("wrap", *names))

    def _notes(self) -> None:
        self.row += 1
        for note in (
            "Change compares each option with the expiring premium: in total only where the option quotes every line, "
            "by line only where the quote itemises its premium by line.",
            "Expiring taxes and fees are not included in the expiring figures.",
        ):
            self.sheet.write_string(self.row, 0, note, self.styles("note"))
            self.row += 1

    def _layout(self) -> None:
        self.sheet.set_column(0, 0, 34)
        self.sheet.set_column(1, 1, 32)
        self.sheet.set_column(2, 2, 18)
        self.sheet.set_column(3, 3, 14)
        for i, _ in enumerate(self.summary.options):
            col = option_column(i)
            self.sheet.set_column(col, col, 14)
            self.sheet.set_column(col + 1, col + 1, 13)
            self.sheet.set_column(col + 2, col + 2, 10)
        self.sheet.set_row(HEAD, 30)
        self.sheet.freeze_panes(FIRST, 1)
        print_setup(self.sheet, self.document, PREMIUM_SHEET, (HEAD, COLUMNS))


def _detail_text(getter):
    def write(sheet: PremiumSheet, row: int, col: int, premiums: OptionPremiums) -> None:
        sheet.merged(row, col, getter(premiums.option))
    return write


def _valid_until(sheet: PremiumSheet, row: int, col: int, premiums: OptionPremiums) -> None:
    valid_until = premiums.option.get("valid_until")
    if valid_until is None:
        sheet.merged(row, col, "not stated", "muted")
    else:
        sheet.sheet.merge_range(row, col, row, col + 2, None, sheet.styles("date"))
        sheet.sheet.write_datetime(row, col, valid_until, sheet.styles("date"))


def _flag_count(sheet: PremiumSheet, row: int, col: int, premiums: OptionPremiums) -> None:
    sheet.sheet.merge_range(row, col, row, col + 2, None, sheet.styles("integer"))
    sheet.sheet.write_number(row, col, premiums.option["flag_count"], sheet.styles("integer"))


_DETAILS = (
    ("Market", _detail_text(lambda o: o["market_name"])),
    ("Quote status", _detail_text(lambda o: o["status"])),
    ("A.M. Best rating", _detail_text(lambda o: o.get("am_best_rating") or "not rated")),
    ("Admitted", _detail_text(lambda o: "Admitted" if o["admitted"] else "Non-admitted (surplus lines)")),
    ("Quote valid until", _valid_until),
    ("Coverage differences flagged", _flag_count),
    ("Subjectivities", _detail_text(lambda o: "\n".join(o["subjectivities"]) or "none")),
)


def write_declination_sheet(sheet, styles: Styles, document: dict) -> None:
    title_block(sheet, styles, document, DECLINATION_SHEET)
    sheet.write_row(HEAD, 0, ["Market", "Market id", "Reason"], styles("header"))
    row = HEAD + 1
    for declination in document["comparison"]["declinations"]:
        sheet.write_string(row, 0, declination["market_name"], styles("wrap"))
        sheet.write_string(row, 1, declination["market_id"], styles("wrap"))
        sheet.write_string(row, 2, declination["reason"], styles("wrap"))
        row += 1
    if row == HEAD + 1:
        sheet.write_string(row, 0, "No market declined.", styles("muted"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 70)
    sheet.freeze_panes(HEAD + 1, 0)
    print_setup(sheet, document, DECLINATION_SHEET, (HEAD, HEAD))

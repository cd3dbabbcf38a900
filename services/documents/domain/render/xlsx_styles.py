"""Cell formats and the page furniture every sheet of a spreadsheet shares: the title
block (insured, period, preparer, agency licence), print setup, and numbers written as
numbers."""
from __future__ import annotations

from decimal import Decimal

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from services.documents.domain.render.labels import CURRENCY_SYMBOLS

_BASE = {
    "title": {"bold": True, "font_size": 14},
    "note": {"italic": True, "font_color": "#595959"},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "text_wrap": True,
               "valign": "top", "border": 1},
    "group": {"bold": True, "bg_color": "#D9E1F2", "align": "center", "border": 1},
    "label": {"bold": True},
    "wrap": {"text_wrap": True, "valign": "top"},
    "total": {"bold": True, "top": 1},
    "percent": {"num_format": "0.00%;[Red]-0.00%"},
    "date": {"num_format": "yyyy-mm-dd", "align": "left"},
    "integer": {"num_format": "0", "align": "left"},
    "muted": {"italic": True, "font_color": "#808080"},
    "info": {"bg_color": "#DDEBF7"},
    "warning": {"bg_color": "#FFE699"},
    "critical": {"bg_color": "#F8CBAD", "font_color": "#9C0006", "bold": True},
}


def money_format(currency: str, places: int = 2) -> str:
    figure = "#,##0" + ("." + "0" * places if places else "")
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol:
        return f'"{symbol}"{figure};[Red]-"{symbol}"{figure}'
    return f'{figure} "{currency}";[Red]-{figure} "{currency}"'


def num(value: Decimal) -> float:
    """xlsx stores numbers as IEEE doubles; amounts in cents keep every digit."""
    return float(value)


class Styles:
    """``styles("money", "total")`` merges named formats once and reuses the result."""

    def __init__(self, workbook: Workbook, currency: str):
        self.workbook = workbook
        self.named = dict(_BASE, money={"num_format": money_format(currency)},
                          limit={"num_format": money_format(currency, places=0)})
        self._cache: dict[tuple[str, ...], object] = {}

    def __call__(self, *names: str):
        key = tuple(n for n in names if n)
        if key not in self._cache:
            merged: dict = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
            for name in key:
                merged.update(self.named[name])
            self._cache[key] = self.workbook.add_format(merged)
        return self._cache[key]


def title_block(sheet: Worksheet, styles: Styles, document: dict, heading: str) -> None:
    """Rows 0-3: what, for whom, for which term, by whom (with the agency licence,
    which California wants on every written price quotation)."""
    comparison, agency = document["comparison"], document["agency"]
    sheet.write_string(0, 0, f"{heading}: {comparison['insured_name']}", styles("title"))
    sheet.write_string(1, 0, f"Policy period {comparison['effective_date'].isoformat()} to "
                             f"{comparison['expiration_date'].isoformat()}")
    sheet.write_string(2, 0, f"Prepared by {document['prepared_by']} on {document['prepared_on'].isoformat()}")
    contact = ", ".join(p for p in (agency.get("address"), agency.get("phone")) if p)
    sheet.write_string(3, 0, f"{agency['name']}, licence no. {agency['license_number']}"
                             + (f", {contact}" if contact else ""))


def print_setup(sheet: Worksheet, document: dict, heading: str, header_rows: tuple[int, int]) -> None:
    comparison, agency = document["comparison"], document["agency"]
    sheet.set_landscape()
    sheet.set_paper(1)  # US letter
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.repeat_rows(*header_rows)
    sheet.set_header(f"&L&B{_escape(comparison['insured_name'])}&R{_escape(heading)}")
    sheet.set_footer(f"&L{_escape(agency['name'])}, licence no. {_escape(agency['license_number'])}"
                     f"&CPage &P of &N&R{document['prepared_on'].isoformat()}")


def _escape(text: str) -> str:
    return text.replace("&", "&&")[:80]

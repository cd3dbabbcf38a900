"""The "Coverage comparison" sheet: coverage by coverage and term by term, the requested
and expiring terms beside each option's, with the differences marketing flagged
highlighted in the option's cells and spelled out in its flags column."""
from __future__ import annotations

from services.documents.domain.render.labels import (
    DEDUCTIBLE_LABELS, coverage_catalogue, coverage_key, limit_label, limit_order, line_label,
    option_coverage, options_in_rank_order,
)
from services.documents.domain.render.xlsx_styles import Styles, num, print_setup, title_block

SHEET = "Coverage comparison"
HEAD, COLUMNS, FIRST = 5, 6, 7
REQUESTED, EXPIRING = 3, 4
SEVERITY_ORDER = ("info", "warning", "critical")
# Which flags concern which kind of term (a flagged term is highlighted where it differs).
TERM_FLAGS = {
    "limit": {"lower_limit", "higher_limit", "missing_limit"},
    "deductible": {"higher_deductible", "lower_deductible"},
    "exclusions": {"new_exclusion"},
    "premium": set(),
}


def option_column(index: int) -> int:
    """Each option has two columns: its terms and its flags."""
    return 5 + 2 * index


def write_coverage_sheet(sheet, styles: Styles, document: dict) -> None:
    comparison = document["comparison"]
    options = options_in_rank_order(comparison)
    title_block(sheet, styles, document, SHEET)
    _headers(sheet, styles, options)
    row = FIRST
    for coverage in coverage_catalogue(comparison):
        row = _write_coverage(sheet, styles, coverage, options, row)
    if row == FIRST:
        sheet.write_string(row, 0, "No market offered terms.", styles("muted"))
    _layout(sheet, document, options, max(row - 1, COLUMNS))


def _headers(sheet, styles: Styles, options: list[dict]) -> None:
    sheet.merge_range(HEAD, 0, HEAD, EXPIRING, "Specifications and expiring", styles("group"))
    headers = ["Line of business", "Coverage", "Term", "Requested", "Expiring"]
    for i, option in enumerate(options):
        col = option_column(i)
        sheet.merge_range(HEAD, col, HEAD, col + 1, f"Option {option['rank']}: {option['carrier_name']}",
                          styles("group"))
        headers += ["Quoted", "Flags"]
    sheet.write_row(COLUMNS, 0, headers, styles("header"))


def _write_coverage(sheet, styles: Styles, coverage: dict, options: list[dict], row: int) -> int:
    offered = [option_coverage(option, coverage_key(coverage)) for option in options]
    terms = _terms(coverage, offered)
    name = coverage["code"] + (f": {coverage['description']}" if coverage.get("description") else "")
    first = row
    for term in terms:
        sheet.write_string(row, 0, line_label(coverage["line_of_business"]))
        sheet.write_string(row, 1, name, styles("wrap"))
        sheet.write_string(row, 2, term.label)
        reference = term.value(coverage.get("requested")) or term.value(coverage.get("expiring"))
        _cell(sheet, styles, row, REQUESTED, term, term.value(coverage.get("requested")))
        _cell(sheet, styles, row, EXPIRING, term, term.value(coverage.get("expiring")))
        for i, option_cov in enumerate(offered):
            _option_cell(sheet, styles, row, option_column(i), term, option_cov, reference)
        row += 1
    for i, option_cov in enumerate(offered):
        _flags_cell(sheet, styles, first, option_column(i) + 1, option_cov)
    return row


class Term:
    """One row of a coverage: a limit, the deductible, the premium or the exclusions."""

    def __init__(self, label: str, group: str, value):
        self.label, self.group, self.value = label, group, value


def _terms(coverage: dict, offered: list[dict | None]) -> list[Term]:
    all_terms = [coverage.get("requested"), coverage.get("expiring")]
    all_terms += [c.get("quoted") for c in offered if c]
    all_terms = [t for t in all_terms if t]
    kinds = sorted({l["kind"] for t in all_terms for l in t["limits"]}, key=limit_order)
    terms = [Term(limit_label(kind), "limit", _limit_getter(kind)) for kind in kinds]
    deductibles = [t["deductible"] for t in all_terms if t.get("deductible")]
    if deductibles:
        terms.append(Term(DEDUCTIBLE_LABELS.get(deductibles[0]["kind"], "Deductible"), "deductible",
                          lambda t: t and t.get("deductible") and t["deductible"]["amount"]))
    if any(t.get("premium") for t in all_terms):
        terms.append(Term("Premium", "premium", lambda t: t and t.get("premium")))
    if any(t.get("exclusions") for t in all_terms):
        terms.append(Term("Exclusions", "exclusions", lambda t: t and "\n".join(t.get("exclusions") or [])))
    return terms or [Term("Coverage", "limit", lambda t: None)]


def _limit_getter(kind: str):
    def value(terms):
        for limit in (terms or {}).get("limits", []):
            if limit["kind"] == kind:
                return limit["amount"] or "Statutory"
        return None
    return value


def _cell(sheet, styles: Styles, row: int, col: int, term: Term, value, *names: str) -> None:
    if isinstance(value, dict):
        whole = term.group != "premium" and value["amount"] == value["amount"].to_integral_value()
        sheet.write_number(row, col, num(value["amount"]), styles("limit" if whole else "money", *names))
    elif value:
        sheet.write_string(row, col, value, styles("wrap", *names))
    elif names:
        sheet.write_blank(row, col, None, styles(*names))


def _option_cell(sheet, styles: Styles, row: int, col: int, term: Term, offered: dict | None, reference) -> None:
    quoted = (offered or {}).get("quoted")
    if quoted is None:
        severity = _worst(offered, {"missing_coverage"}) or ("warning" if reference else None)
        sheet.write_string(row, col, "Not offered", styles("muted", severity))
        return
    value = term.value(quoted)
    severity = _worst(offered, TERM_FLAGS[term.group]) if value != reference else None
    _cell(sheet, styles, row, col, term, value, *(n for n in (severity,) if n))


def _flags_cell(sheet, styles: Styles, row: int, col: int, offered: dict | None) -> None:
    flags = (offered or {}).get("flags") or []
    if flags:
        text = "\n".join(f"{f['kind'].replace('_', ' ')}: {f['detail']}" for f in flags)
        sheet.write_string(row, col, text, styles("wrap", _worst(offered, {f["kind"] for f in flags})))


def _worst(offered: dict | None, kinds: set[str]) -> str | None:
    severities = [f["severity"] for f in (offered or {}).get("flags", []) if f["kind"] in kinds]
    return max(severities, key=SEVERITY_ORDER.index) if severities else None


def _layout(sheet, document: dict, options: list[dict], last_row: int) -> None:
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 2, 30)
    sheet.set_column(REQUESTED, EXPIRING, 15)
    for i, _ in enumerate(options):
        col = option_column(i)
        sheet.set_column(col, col, 15)
        sheet.set_column(col + 1, col + 1, 36)
    sheet.set_row(HEAD, 30)
    sheet.freeze_panes(FIRST, 3)
    sheet.autofilter(COLUMNS, 0, last_row, 4 + 2 * len(options))
    print_setup(sheet, document, SHEET, (HEAD, COLUMNS))

"""The commercial insurance application, as a PDF: the data of an ACORD 125 in the
platform's own layout (ACORD's forms are licensed; their data is not).  Agency and
market, transaction (new or renewal) and proposed term; lines requested with their
limits and deductibles; the applicant (name, DBA, entity, FEIN, NAICS/SIC, contacts,
operating authority); premises; nature of business; prior carriers; loss history by
year with totals; remarks; signatures.

Text stays text (core PDF fonts, no images), so underwriters' systems can extract it.
The core fonts are Latin-1: typographic punctuation is mapped to its ASCII twin and
anything else outside Latin-1 becomes ``?`` rather than failing the document."""
from __future__ import annotations

from datetime import datetime, timezone

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from services.documents.domain.render.docx_kit import long_date
from services.documents.domain.render.labels import line_label, money_text
from services.documents.domain.render.submission_facts import (
    SUBMISSION_KIND_LABELS, address_text, coverage_name, credentials_text, currency_of, deductible_label,
    deductible_value, full_fein, loss_totals, loss_years, money, term_rows,
)

MEDIA_TYPE = "application/pdf"
FONT = "Helvetica"
HEADING_FILL = (31, 78, 120)
LABEL_FILL = (217, 225, 242)
MAX_CELL_LINES = 24
CLIPPED = " [...]"
_ASCII = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "*",
})


def latin1(text: object) -> str:
    return str(text).translate(_ASCII).encode("latin-1", "replace").decode("latin-1")


class ApplicationPdf(FPDF):
    def __init__(self, document: dict):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.document = document
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        agency = document["agency"]
        self.set_title(latin1(f"Commercial insurance application: {document['insured']['name']}"))
        self.set_author(latin1(document["account_manager"]["name"]))
        self.set_subject(latin1(f"{agency['name']}, licence no. {agency['license_number']}"))
        self.set_creator("carrier-marketing-platform documents service")
        self.set_creation_date(datetime.combine(document["prepared_on"], datetime.min.time(), tzinfo=timezone.utc))

    def header(self) -> None:
        insured = self.document["insured"]
        self.set_font(FONT, "B", 9)
        self.cell(0, 5, latin1(f"COMMERCIAL INSURANCE APPLICATION - {insured['name']}"), align="L",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*HEADING_FILL)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def footer(self) -> None:
        agency = self.document["agency"]
        self.set_y(-13)
        self.set_font(FONT, "", 7.5)
        self.cell(0, 4, latin1(f"{agency['name']}, licence no. {agency['license_number']}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    # -- building blocks ----------------------------------------------------------------
    def section(self, title: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.ln(2)
        self.set_font(FONT, "B", 10)
        self.set_fill_color(*HEADING_FILL)
        self.set_text_color(255, 255, 255)
        self.cell(0, 6, latin1(title.upper()), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_fill_color(255, 255, 255)
        self.ln(1)

    def fields(self, pairs: list[tuple[str, str]], columns: int = 2) -> None:
        """Label / value boxes, ``columns`` pairs to a row, as an application form reads."""
        width = (self.w - self.l_margin - self.r_margin) / columns
        pairs = list(pairs)
        for start in range(0, len(pairs), columns):
            chunk = pairs[start:start + columns]
            with self.table(col_widths=[width] * len(chunk), first_row_as_headings=False, line_height=4.2, text_align="LEFT",
                            width=width * len(chunk), align="LEFT", padding=1) as grid:
                labels, values = grid.row(), grid.row()
                self.set_font(FONT, "", 9)
                for label, _ in chunk:
                    labels.cell(latin1(label), style=FontFace(emphasis="BOLD", size_pt=7, fill_color=LABEL_FILL))
                for _, value in chunk:
                    values.cell(self.clip(value or "-", width))
        self.ln(1)

    def grid(self, headings: list[str], rows: list[list[str]], widths: list[float], *,
             right_from: int | None = None, bold_last: bool = False) -> None:
        self.set_font(FONT, "", 8.5)
        align = ["LEFT" if right_from is None or i < right_from else "RIGHT" for i in range(len(headings))]
        with self.table(col_widths=widths, text_align=align, line_height=4.2, padding=1, repeat_headings=1,
                        headings_style=FontFace(emphasis="BOLD", size_pt=8, fill_color=LABEL_FILL)) as grid:
            heading = grid.row()
            for text in headings:
                heading.cell(latin1(text))
            for index, values in enumerate(rows):
                row = grid.row()
                bold = bold_last and index == len(rows) - 1
                for text, width in zip(values, widths):
                    row.cell(self.clip(text, width), style=FontFace(emphasis="BOLD") if bold else None)
        self.ln(1)

    def clip(self, text: str, width: float) -> str:
        """The text of a table cell, cut (marked ``[...]``) where it would run past
        :data:`MAX_CELL_LINES` lines: a table row must fit on one page."""
        text = latin1(text)
        if len(text) <= 80 or self._lines(text, width) <= MAX_CELL_LINES:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest prefix that still fits
            middle = (low + high + 1) // 2
            if self._lines(text[:middle] + CLIPPED, width) <= MAX_CELL_LINES:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + CLIPPED

    def _lines(self, text: str, width: float) -> int:
        return len(self.multi_cell(width - 2, 4.2, text, dry_run=True, output="LINES"))

    def signature_lines(self, boxes: list[tuple[str, str]]) -> None:
        """Lines to sign on, side by side (the first box twice as wide), each labelled below."""
        if self.will_page_break(18):
            self.add_page()
        usable = self.w - self.l_margin - self.r_margin
        widths = [usable * 2 / (len(boxes) + 1)] + [usable / (len(boxes) + 1)] * (len(boxes) - 1)
        top = self.get_y() + 10
        x = self.l_margin
        self.set_draw_color(0, 0, 0)
        for (label, note), width in zip(boxes, widths):
            self.line(x, top, x + width - 6, top)
            self.set_xy(x, top + 0.5)
            self.set_font(FONT, "B", 7.5)
            self.cell(width - 6, 3.5, latin1(label))
            if note:
                self.set_xy(x, top + 4)
                self.set_font(FONT, "", 7.5)
                self.cell(width - 6, 3.5, latin1(note))
            x += width
        self.set_xy(self.l_margin, top + 9)

    def paragraph(self, text: str) -> None:
        self.set_font(FONT, "", 9)
        self.multi_cell(0, 4.5, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)


def render_application_pdf(document: dict) -> bytes:
    pdf = ApplicationPdf(document)
    pdf.add_page()
    _agency(pdf, document)
    _lines(pdf, document)
    _applicant(pdf, document)
    _premises(pdf, document)
    _nature_of_business(pdf, document)
    _prior_carriers(pdf, document)
    _loss_history(pdf, document)
    _remarks(pdf, document)
    _signatures(pdf, document)
    return bytes(pdf.output())


def _agency(pdf: ApplicationPdf, document: dict) -> None:
    agency, manager, market = document["agency"], document["account_manager"], document.get("market")
    period = document["period"]
    pdf.section("Agency and transaction")
    producer = document.get("producer")
    pdf.fields([
        ("Agency", agency["name"]),
        ("Agency licence no.", agency["license_number"]),
        ("Agency address", agency.get("address") or ""),
        ("Agency phone / email", " / ".join(p for p in (agency.get("phone"), agency.get("email")) if p)),
        ("Contact (account manager)", ", ".join(p for p in (manager["name"], manager.get("phone"),
                                                             manager.get("email")) if p)),
        ("Producer", producer["name"] if producer else ""),
        ("Company / market", (market.get("carrier_name") or market["name"]) if market else "All markets"),
        ("Underwriter", (market.get("underwriter_name") or "") if market else ""),
        ("Transaction", SUBMISSION_KIND_LABELS[document["kind"]]),
        ("Date of application", long_date(document["prepared_on"])),
        ("Proposed effective date", long_date(period["effective_date"])),
        ("Proposed expiration date", long_date(period["expiration_date"])),
    ])


def _lines(pdf: ApplicationPdf, document: dict) -> None:
    pdf.section("Lines of business requested")
    rows = []
    for line in document["lines"]:
        for index, term in enumerate(term_rows(line)):
            coverage = term.coverage
            rows.append([
                line_label(line["line_of_business"]) if index == 0 else "",
                coverage_name(coverage) if term.first else "",
                term.limit_label,
                term.limit_text,
                f"{deductible_label(coverage)} {deductible_value(coverage)}".strip() if term.first else "",
            ])
    pdf.grid(["Line of business", "Coverage", "Limit", "Amount", "Deductible / SIR"], rows, [32, 48, 50, 25, 31],
             right_from=3)
    if document.get("target_premium"):
        pdf.paragraph(f"Target premium for the program: {money_text(document['target_premium'])}.")


def _applicant(pdf: ApplicationPdf, document: dict) -> None:
    insured = document["insured"]
    pdf.section("Applicant information")
    pdf.fields([
        ("Named insured (applicant)", insured["name"]),
        ("Doing business as (DBA)", insured.get("dba") or ""),
        ("Mailing address", address_text(insured.get("address"))),
        ("Entity type", insured.get("entity_type") or ""),
        ("FEIN", full_fein(insured.get("fein"))),
        ("Website", insured.get("website") or ""),
        ("Phone", insured.get("phone") or ""),
        ("NAICS / SIC", " / ".join(p for p in (insured.get("naics"), insured.get("sic")) if p)),
        ("Years in business", "" if insured.get("years_in_business") is None else str(insured["years_in_business"])),
        ("Employees", "" if insured.get("employee_count") is None else str(insured["employee_count"])),
        ("Annual revenue", money_text(insured.get("annual_revenue"), cents=False)),
        ("Operating authority / licences", "; ".join(credentials_text(insured))),
    ])


def _premises(pdf: ApplicationPdf, document: dict) -> None:
    pdf.section("Premises information")
    locations = sorted(document["locations"], key=lambda l: l["number"])
    if not locations:
        insured_address = document["insured"].get("address")
        rows = [["1", address_text(insured_address) or "not stated", "Mailing address", ""]]
    else:
        rows = [[str(l["number"]), address_text(l["address"]), l.get("description") or "",
                 (l.get("interest") or "").capitalize()] for l in locations]
    pdf.grid(["Loc.", "Address", "Description / occupancy", "Interest"], rows, [12, 80, 70, 24])


def _nature_of_business(pdf: ApplicationPdf, document: dict) -> None:
    pdf.section("Nature of business / description of operations")
    pdf.paragraph(document["insured"].get("operations") or "Not stated.")


def _prior_carriers(pdf: ApplicationPdf, document: dict) -> None:
    pdf.section("Prior carrier information")
    rows = [[line_label(line["line_of_business"]), line.get("expiring_carrier") or "None",
             line.get("expiring_policy_number") or "", money_text(line.get("expiring_premium"))]
            for line in document["lines"]]
    pdf.grid(["Line", "Carrier", "Policy number", "Expiring premium"], rows, [42, 72, 42, 30], right_from=3)
    by_year = {}
    for year in loss_years(document):
        if year.get("carrier"):
            by_year.setdefault(year["policy_year"], set()).add(year["carrier"])
    if by_year:
        pdf.grid(["Policy year", "Carrier(s)"], [[str(y), ", ".join(sorted(c))] for y, c in by_year.items()], [30, 156])


def _loss_history(pdf: ApplicationPdf, document: dict) -> None:
    pdf.section("Loss history (by policy year)")
    if not document["loss_history"]:
        pdf.paragraph("No losses reported for the years requested. Loss runs to follow.")
        return
    currency = currency_of(document)
    rows = [[str(y["policy_year"]), line_label(y["line_of_business"]) if y.get("line_of_business") else "All lines",
             str(y["claim_count"]), money_text(y["paid"]), money_text(y["reserved"]), money_text(y["incurred"])]
            for y in loss_years(document)]
    totals = loss_totals(document)
    rows.append(["Total", f"{totals.years} years", str(totals.claim_count), money(totals.paid, currency),
                 money(totals.reserved, currency), money(totals.incurred, currency)])
    pdf.grid(["Policy year", "Line", "Claims", "Paid", "Reserved", "Incurred"], rows, [24, 46, 18, 33, 33, 32],
             right_from=2, bold_last=True)
    notes = [f"{y['policy_year']}: {y['notes']}" for y in loss_years(document) if y.get("notes")]
    if notes:
        pdf.paragraph("Loss descriptions: " + " ".join(notes))


def _remarks(pdf: ApplicationPdf, document: dict) -> None:
    remarks = [document.get("underwriting_notes")]
    remarks += [f"{line_label(l['line_of_business'])}: {c}" for l in document["lines"] for c in l["requested_changes"]]
    remarks = [r for r in remarks if r]
    pdf.section("Remarks")
    pdf.paragraph("\n".join(remarks) if remarks else "None.")


def _signatures(pdf: ApplicationPdf, document: dict) -> None:
    pdf.section("Signatures")
    pdf.paragraph("The applicant states that the information in this application is true and complete to the best "
                  "of the applicant's knowledge, and will tell the agency of any material change before the "
                  "proposed effective date. Signing this application does not bind coverage.")
    manager = document["account_manager"]
    producer = ", ".join(p for p in (manager["name"], manager.get("license_number")) if p)
    pdf.signature_lines([("Applicant's signature", "Title"), ("Date", "")])
    pdf.signature_lines([("Producer's signature", f"Producer: {producer}"), ("Date", "")])

"""Small python-docx helpers: page setup with the agency footer, headed tables, bullets,
dates in words."""
from __future__ import annotations

from datetime import date

from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

BODY_FONT = "Calibri"


def long_date(value: date | None) -> str:
    return "" if value is None else f"{value:%B} {value.day}, {value.year}"


def page_setup(doc: DocxDocument, agency: dict) -> None:
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(10.5)
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(0.9))
    footer = section.footer.paragraphs[0]
    contact = " | ".join(p for p in (agency.get("address"), agency.get("phone")) if p)
    footer.text = f"{agency['name']}, licence no. {agency['license_number']}" + (f" | {contact}" if contact else "")
    footer.add_run(" | Page ")
    _page_number(footer)
    for run in footer.runs:
        run.font.size = Pt(8)


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def table(doc: DocxDocument, headers: list[str], rows: list[list[str]], *, bold_last: bool = False,
          right_align_from: int | None = None):
    """A bordered table with a bold header row (repeated on each page it spans)."""
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(grid.rows[0].cells, headers):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(grid.rows[0])
    for index, values in enumerate(rows):
        cells = grid.add_row().cells
        for col, (cell, value) in enumerate(zip(cells, values)):
            cell.text = ""
            run = cell.paragraphs[0].add_run(value)
            run.bold = bold_last and index == len(rows) - 1
            if right_align_from is not None and col >= right_align_from:
                cell.paragraphs[0].alignment = 2  # right: figures line up
    doc.add_paragraph()
    return grid


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def facts(doc: DocxDocument, pairs: list[tuple[str, str]]) -> None:
    """Label: value lines, the label in bold."""
    for label, value in pairs:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    doc.add_paragraph()


def bullets(doc: DocxDocument, items: list[str], empty: str) -> None:
    for item in items or [empty]:
        doc.add_paragraph(item, style="List Bullet")

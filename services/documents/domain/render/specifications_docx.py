"""The specifications: what the agency asks every market to quote, line by line.  Per
line the requested coverages with every limit on its own row (each occurrence,
aggregates, CSL, statutory), the deductible or SIR, forms, the expiring carrier, policy
and premium, the changes requested from expiring and the underwriting notes; then the
locations, the loss summary and the target premium."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from docx import Document

from services.documents.domain.render.docx_kit import bullets, facts, long_date, page_setup, table
from services.documents.domain.render.labels import line_label, money_text
from services.documents.domain.render.submission_facts import (
    SUBMISSION_KIND_LABELS, address_text, coverage_name, currency_of, deductible_label, deductible_value,
    expiring_total, insured_name, lines_text, loss_totals, loss_years, money, period_text, term_rows,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_specifications_docx(document: dict) -> bytes:
    doc = Document()
    page_setup(doc, document["agency"])
    props = doc.core_properties
    props.title = f"Specifications: {document['insured']['name']}"[:255]
    props.author = document["account_manager"]["name"][:255]
    props.created = datetime.combine(document["prepared_on"], datetime.min.time(), tzinfo=timezone.utc)
    _heading(doc, document)
    for line in document["lines"]:
        _line(doc, line)
    _premium(doc, document)
    _locations(doc, document)
    _losses(doc, document)
    if document.get("underwriting_notes"):
        doc.add_heading("Underwriting notes", level=1)
        doc.add_paragraph(document["underwriting_notes"])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _heading(doc, document: dict) -> None:
    insured = document["insured"]
    doc.add_heading(f"{SUBMISSION_KIND_LABELS[document['kind']]} specifications", level=0)
    pairs = [
        ("Named insured", insured_name(insured)),
        ("Address", address_text(insured.get("address")) or "not stated"),
        ("Policy period", period_text(document["period"])),
        ("Lines", lines_text(document)),
        ("Quotes needed by", long_date(document["respond_by"])),
        ("Prepared by", f"{document['account_manager']['name']}, {document['agency']['name']}"),
        ("Prepared on", long_date(document["prepared_on"])),
    ]
    if document.get("market"):
        pairs.insert(0, ("Market", document["market"]["name"]))
    facts(doc, pairs)


def _line(doc, line: dict) -> None:
    doc.add_heading(line_label(line["line_of_business"]), level=1)
    facts(doc, [
        ("Expiring carrier", line.get("expiring_carrier") or "none (new line)"),
        ("Expiring policy", line.get("expiring_policy_number") or "n/a"),
        ("Expiring premium", money_text(line.get("expiring_premium")) or "n/a"),
    ])
    rows = []
    for term in term_rows(line):
        coverage = term.coverage
        rows.append([
            coverage_name(coverage) if term.first else "",
            term.limit_label,
            term.limit_text,
            f"{deductible_label(coverage)} {deductible_value(coverage)}".strip() if term.first else "",
            ", ".join(coverage.get("forms", [])) if term.first else "",
        ])
    table(doc, ["Coverage", "Limit", "Amount", "Deductible / SIR", "Forms"], rows)
    exclusions = [f"{c['code']}: {e}" for c in line["coverages"] for e in c.get("exclusions", [])]
    if exclusions:
        doc.add_paragraph("Exclusions accepted on the expiring policy:")
        bullets(doc, exclusions, "")
    doc.add_heading("Changes requested from expiring", level=2)
    bullets(doc, line["requested_changes"], "None: quote as expiring.")
    if line.get("notes"):
        doc.add_heading("Notes", level=2)
        doc.add_paragraph(line["notes"])


def _premium(doc, document: dict) -> None:
    doc.add_heading("Premium", level=1)
    currency = currency_of(document)
    rows = [[line_label(line["line_of_business"]), line.get("expiring_carrier") or "",
             money_text(line.get("expiring_premium"))] for line in document["lines"]]
    total = expiring_total(document)
    rows.append(["Total expiring", "", money(total, currency) if total is not None else "n/a"])
    table(doc, ["Line", "Expiring carrier", "Expiring premium"], rows, bold_last=True, right_align_from=2)
    if document.get("target_premium"):
        doc.add_paragraph(f"Target premium for the program: {money_text(document['target_premium'])}.")


def _locations(doc, document: dict) -> None:
    if not document["locations"]:
        return
    doc.add_heading("Locations", level=1)
    rows = [[str(loc["number"]), address_text(loc["address"]), loc.get("description") or "",
             (loc.get("interest") or "").capitalize()] for loc in sorted(document["locations"], key=lambda l: l["number"])]
    table(doc, ["No.", "Address", "Description", "Interest"], rows)


def _losses(doc, document: dict) -> None:
    doc.add_heading("Loss summary", level=1)
    if not document["loss_history"]:
        doc.add_paragraph("No loss history provided; currently valued loss runs to follow.")
        return
    currency = currency_of(document)
    rows = [[str(y["policy_year"]), line_label(y["line_of_business"]) if y.get("line_of_business") else "All",
             y.get("carrier") or "", str(y["claim_count"]), money_text(y["paid"]), money_text(y["reserved"]),
             money_text(y["incurred"])] for y in loss_years(document)]
    totals = loss_totals(document)
    rows.append(["Total", "", "", str(totals.claim_count), money(totals.paid, currency),
                 money(totals.reserved, currency), money(totals.incurred, currency)])
    table(doc, ["Year", "Line", "Carrier", "Claims", "Paid", "Reserved", "Incurred"], rows, bold_last=True,
          right_align_from=3)
    notes = [f"{y['policy_year']}: {y['notes']}" for y in loss_years(document) if y.get("notes")]
    if notes:
        bullets(doc, notes, "")

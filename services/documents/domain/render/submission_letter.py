"""The submission letter: the agency's cover letter to one market's underwriter.  It
introduces the insured (legal name, DBA, address, FEIN masked, operations), says which
lines for which term at what target premium and by when we need an answer, why the
account is being marketed, the loss record with its large losses explained, the risk's
strengths, and what is enclosed; signed by the account manager."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from docx import Document
from docx.shared import Pt

from services.documents.domain.render.docx_kit import bullets, long_date, page_setup, table
from services.documents.domain.render.labels import line_label, money_text
from services.documents.domain.render.submission_facts import (
    SUBMISSION_KIND_LABELS, address_lines, credentials_text, currency_of, deductibles_summary, enclosures,
    expiring_total, insured_name, limits_summary, lines_text, loss_totals, loss_years, masked_fein, money,
    period_text, sender_lines,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_submission_letter(document: dict) -> bytes:
    doc = Document()
    page_setup(doc, document["agency"])
    _properties(doc, document)
    _letterhead(doc, document)
    _addressee(doc, document)
    _subject(doc, document)
    _opening(doc, document)
    _insured(doc, document)
    _lines(doc, document)
    _losses(doc, document)
    _strengths(doc, document)
    _enclosures(doc, document)
    _closing(doc, document)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _properties(doc, document: dict) -> None:
    props = doc.core_properties
    props.title = f"Submission: {document['insured']['name']} to {document['market']['name']}"[:255]
    props.author = document["account_manager"]["name"][:255]
    props.created = datetime.combine(document["prepared_on"], datetime.min.time(), tzinfo=timezone.utc)


def _tight(doc, text: str, *, bold: bool = False, size: float | None = None):
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return paragraph


def _letterhead(doc, document: dict) -> None:
    agency = document["agency"]
    _tight(doc, agency["name"], bold=True, size=14)
    for line in (agency.get("address"), " | ".join(p for p in (agency.get("phone"), agency.get("email")) if p)):
        if line:
            _tight(doc, line)
    # The licence number as large as the address (Cal. Ins. Code 1725.5).
    _tight(doc, f"Licence no. {agency['license_number']}")
    doc.add_paragraph()
    doc.add_paragraph(long_date(document["prepared_on"]))


def _addressee(doc, document: dict) -> None:
    market = document["market"]
    lines = [market.get("underwriter_name"), market["name"]]
    if market.get("carrier_name") and market["carrier_name"] != market["name"]:
        lines.append(market["carrier_name"])
    lines.append(market.get("underwriter_email"))
    for line in lines:
        if line:
            _tight(doc, line)
    doc.add_paragraph()


def _subject(doc, document: dict) -> None:
    insured = document["insured"]
    kind = SUBMISSION_KIND_LABELS[document["kind"]]
    paragraph = doc.add_paragraph()
    paragraph.add_run("Re: ").bold = True
    paragraph.add_run(f"{kind} submission: {insured_name(insured)}; {lines_text(document)}; "
                      f"effective {long_date(document['period']['effective_date'])}. ").bold = True
    paragraph.add_run(f"Response requested by {long_date(document['respond_by'])}.").bold = True


def _salutation(market: dict) -> str:
    name = (market.get("underwriter_name") or "").strip()
    return f"Dear {name.split()[0]}," if name else "Dear Underwriter,"


def _opening(doc, document: dict) -> None:
    insured, period = document["insured"], document["period"]
    doc.add_paragraph(_salutation(document["market"]))
    verb = "renewal" if document["kind"] == "renewal" else "new business"
    text = (f"On behalf of {insured_name(insured)}, we are pleased to submit this {verb} account for your "
            f"consideration: {lines_text(document)} for the policy period {period_text(period)}.")
    if document.get("target_premium"):
        text += f" Our target premium for the program is {money_text(document['target_premium'])}."
    text += (f" We need your quote or indication by {long_date(document['respond_by'])} to present terms to the "
             f"insured ahead of the effective date.")
    doc.add_paragraph(text)
    if document.get("reason_for_marketing"):
        paragraph = doc.add_paragraph()
        paragraph.add_run("Why this account is being marketed: ").bold = True
        paragraph.add_run(document["reason_for_marketing"])


def _insured(doc, document: dict) -> None:
    insured = document["insured"]
    doc.add_heading("The insured", level=2)
    pairs = [("Named insured", insured["name"])]
    if insured.get("dba"):
        pairs.append(("DBA", insured["dba"]))
    if insured.get("entity_type"):
        pairs.append(("Entity", insured["entity_type"]))
    if insured.get("address"):
        pairs.append(("Address", ", ".join(address_lines(insured["address"]))))
    if insured.get("fein"):
        pairs.append(("FEIN", masked_fein(insured["fein"])))
    if insured.get("website"):
        pairs.append(("Website", insured["website"]))
    classes = ", ".join(p for p in (f"NAICS {insured['naics']}" if insured.get("naics") else None,
                                    f"SIC {insured['sic']}" if insured.get("sic") else None) if p)
    if classes:
        pairs.append(("Classification", classes))
    if insured.get("years_in_business") is not None:
        pairs.append(("Years in business", str(insured["years_in_business"])))
    if insured.get("employee_count") is not None:
        pairs.append(("Employees", str(insured["employee_count"])))
    if insured.get("annual_revenue"):
        pairs.append(("Annual revenue", money_text(insured["annual_revenue"], cents=False)))
    credentials = credentials_text(insured)
    if credentials:
        pairs.append(("Operating authority", "; ".join(credentials)))
    for label, value in pairs:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if insured.get("operations"):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.add_run("Operations: ").bold = True
        paragraph.add_run(insured["operations"])


def _lines(doc, document: dict) -> None:
    doc.add_heading("Coverage requested", level=2)
    rows = [[line_label(line["line_of_business"]), limits_summary(line) or "As per specifications",
             deductibles_summary(line) or "None", line.get("expiring_carrier") or "New",
             money_text(line.get("expiring_premium")) or ""]
            for line in document["lines"]]
    total = expiring_total(document)
    if total is not None and len(document["lines"]) > 1:
        rows.append(["Total expiring", "", "", "", money(total, currency_of(document))])
    table(doc, ["Line", "Limits", "Deductible / SIR", "Expiring carrier", "Expiring premium"], rows,
          bold_last=total is not None and len(document["lines"]) > 1, right_align_from=4)
    changes = [f"{line_label(line['line_of_business'])}: {change}"
               for line in document["lines"] for change in line["requested_changes"]]
    if changes:
        doc.add_paragraph("Changes requested from the expiring program:")
        bullets(doc, changes, "")
    doc.add_paragraph("Full terms, forms and per-line notes are in the enclosed specifications.")


def _losses(doc, document: dict) -> None:
    doc.add_heading("Loss history", level=2)
    if not document["loss_history"]:
        doc.add_paragraph("No loss history is enclosed with this submission; loss runs will follow.")
        return
    totals = loss_totals(document)
    currency = currency_of(document)
    text = (f"Over {totals.years} policy year{'s' if totals.years != 1 else ''} the insured reported "
            f"{totals.claim_count} claim{'s' if totals.claim_count != 1 else ''}, "
            f"{money(totals.incurred, currency)} incurred ({money(totals.paid, currency)} paid, "
            f"{money(totals.reserved, currency)} reserved).")
    doc.add_paragraph(text)
    explained = [f"{year['policy_year']}: {money_text(year['incurred'])} incurred. {year['notes']}"
                 for year in loss_years(document) if year.get("notes")]
    if explained:
        doc.add_paragraph("About the losses:")
        bullets(doc, explained, "")


def _strengths(doc, document: dict) -> None:
    notes = [document.get("underwriting_notes")] + [
        f"{line_label(line['line_of_business'])}: {line['notes']}" for line in document["lines"] if line.get("notes")]
    notes = [n for n in notes if n]
    if not notes:
        return
    doc.add_heading("Underwriting highlights", level=2)
    bullets(doc, notes, "")


def _enclosures(doc, document: dict) -> None:
    doc.add_heading("Enclosures", level=2)
    bullets(doc, enclosures(document), "")


def _closing(doc, document: dict) -> None:
    doc.add_paragraph(
        f"Thank you for considering this account. Please send your quote, indication or declination "
        f"(with its reason) by {long_date(document['respond_by'])}, and call me with any question.")
    doc.add_paragraph("Sincerely,")
    doc.add_paragraph()
    for line in sender_lines(document["account_manager"], document["agency"]):
        _tight(doc, line)
    producer = document.get("producer")
    if producer:
        doc.add_paragraph()
        _tight(doc, f"cc: {producer['name']}" + (f", {producer['title']}" if producer.get("title") else ""))

"""The proposal to the client: cover, executive summary and recommendation, each option
coverage by coverage, premium summary against expiring, subjectivities, declinations,
the statement that the policy governs, and a signed acceptance listing the coverages
accepted and declined.  Every figure comes from the comparison's coverage records, the
same ones the quote and binder hold; nothing is retyped."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Pt

from services.documents.domain.render.docx_kit import bullets, facts, long_date, page_setup, table
from services.documents.domain.render.labels import (
    DISCLAIMER, deductible_text, limits_text, line_label, money_text, options_in_rank_order,
    percent_text, recommended_option,
)
from services.documents.domain.render.premiums import PremiumSummary, summarise
from services.documents.domain.render.proposal_acceptance import write_acceptance

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_proposal_docx(document: dict) -> bytes:
    comparison = document["comparison"]
    summary = summarise(comparison)
    recommended = recommended_option(document)
    doc = Document()
    page_setup(doc, document["agency"])
    _properties(doc, document)
    _cover(doc, document)
    _executive_summary(doc, document, summary, recommended)
    _expiring_program(doc, comparison)
    for option in options_in_rank_order(comparison):
        _option(doc, option, recommended)
    _premium_summary(doc, summary)
    _subjectivities(doc, comparison)
    _declinations(doc, comparison)
    doc.add_heading("The policy governs", level=1)
    doc.add_paragraph(DISCLAIMER)
    write_acceptance(doc, document, recommended)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _properties(doc, document: dict) -> None:
    props = doc.core_properties
    props.title = f"Insurance proposal: {document['comparison']['insured_name']}"[:255]
    props.author = document["prepared_by"][:255]
    props.created = datetime.combine(document["prepared_on"], datetime.min.time(), tzinfo=timezone.utc)


def _cover(doc, document: dict) -> None:
    comparison, agency = document["comparison"], document["agency"]
    heading = "Renewal insurance proposal" if comparison["expiring"] else "Insurance proposal"
    doc.add_heading(heading, level=0)
    insured = doc.add_paragraph()
    run = insured.add_run(comparison["insured_name"])
    run.bold, run.font.size = True, Pt(20)
    valid = [o["valid_until"] for o in comparison["options"] if o.get("valid_until")]
    pairs = [
        ("Named insured", comparison["insured_name"]),
        ("Policy period", f"{long_date(comparison['effective_date'])} to {long_date(comparison['expiration_date'])}"),
        ("Lines of coverage", ", ".join(line_label(line) for line in comparison["lines"])),
    ]
    if valid:
        pairs.append(("Terms valid through", long_date(min(valid))))
    pairs += [("Prepared by", document["prepared_by"]), ("Prepared on", long_date(document["prepared_on"]))]
    facts(doc, pairs)
    # The licence number in type as large as the address (Cal. Ins. Code 1725.5).
    for line in (agency["name"], agency.get("address"), agency.get("phone"),
                 f"Licence no. {agency['license_number']}"):
        if line:
            paragraph = doc.add_paragraph(line)
            paragraph.paragraph_format.space_after = Pt(0)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _executive_summary(doc, document: dict, summary: PremiumSummary, recommended: dict | None) -> None:
    comparison = document["comparison"]
    doc.add_heading("Executive summary and recommendation", level=1)
    asked = len(comparison["options"]) + len(comparison["declinations"])
    text = (f"We approached {asked} market{'s' if asked != 1 else ''} for the "
            f"{', '.join(line_label(l) for l in comparison['lines'])} coverage of {comparison['insured_name']} "
            f"for {long_date(comparison['effective_date'])} to {long_date(comparison['expiration_date'])}: "
            f"{len(comparison['options'])} offered terms and {len(comparison['declinations'])} declined.")
    if summary.expiring_total is not None:
        text += f" The expiring premium is {money_text({'amount': summary.expiring_total, 'currency': summary.currency})}."
    doc.add_paragraph(text)
    if recommended is None:
        doc.add_paragraph("No market offered terms. The declinations and their reasons are listed below; "
                          "we will discuss the alternatives with you.")
        return
    paragraph = doc.add_paragraph()
    paragraph.add_run("Our recommendation: ").bold = True
    paragraph.add_run(
        f"Option {recommended['rank']}, {recommended['carrier_name']} through {recommended['market_name']}"
        f"{_rating(recommended)}, at a total cost of {money_text(recommended['total_cost'])} including taxes and fees"
        f"{_change_text(recommended, summary)}.")
    concerns = [f["detail"] for c in recommended["coverages"] for f in c["flags"] if f["kind"] != "subjectivity"]
    if concerns:
        doc.add_paragraph("Please note where the recommended terms differ from what was requested or expiring:")
        bullets(doc, concerns, "")


def _rating(option: dict) -> str:
    rating = f", rated {option['am_best_rating']} by A.M. Best" if option.get("am_best_rating") else ""
    return rating + ("" if option["admitted"] else ", a non-admitted (surplus lines) insurer")


def _change_text(option: dict, summary: PremiumSummary) -> str:
    change = option.get("change_vs_expiring")
    if change is not None:
        amount, percent = change["amount"], change.get("percent")
    else:
        premiums = next(p for p in summary.options if p.option is option)
        computed = summary.change(premiums, option["total_cost"]["amount"])
        if computed is None:
            return ""
        amount = {"amount": computed[0], "currency": summary.currency}
        percent = computed[1]
    sign = "+" if amount["amount"] > 0 else ""
    return (f", a change of {sign}{money_text(amount)}"
            + (f" ({percent_text(percent)})" if percent is not None else "") + " against expiring")


def _expiring_program(doc, comparison: dict) -> None:
    if not comparison["expiring"]:
        return
    doc.add_heading("Expiring program", level=1)
    rows = [[line_label(e["line_of_business"]), e["carrier_name"], e["policy_number"], money_text(e["premium"])]
            for e in comparison["expiring"]]
    table(doc, ["Line", "Carrier", "Policy number", "Premium"], rows, right_align_from=3)


def _option(doc, option: dict, recommended: dict | None) -> None:
    mark = " (recommended)" if recommended and option["quote_id"] == recommended["quote_id"] else ""
    doc.add_heading(f"Option {option['rank']}: {option['carrier_name']}{mark}", level=1)
    facts(doc, [
        ("Insurer", option["carrier_name"]),
        ("Through", option["market_name"]),
        ("A.M. Best rating", option.get("am_best_rating") or "not rated"),
        ("Status", "admitted" if option["admitted"] else "non-admitted (surplus lines)"),
        ("Quote", f"{option['status']}, revision {option['revision']}"),
        ("Valid until", long_date(option.get("valid_until")) or "not stated"),
    ])
    rows = []
    for coverage in option["coverages"]:
        quoted = coverage.get("quoted")
        rows.append([
            line_label(coverage["line_of_business"]),
            coverage["code"] + (f": {coverage['description']}" if coverage.get("description") else ""),
            limits_text(coverage.get("expiring")),
            limits_text(quoted) if quoted else "Not offered",
            deductible_text(quoted),
            money_text((quoted or {}).get("premium")),
        ])
    table(doc, ["Line", "Coverage", "Expiring limits", "Quoted limits", "Deductible", "Premium"], rows,
          right_align_from=5)
    charges = [["Premium", money_text(option["premium"])]]
    charges += [[fee.get("description") or fee["kind"].replace("_", " ").capitalize(), money_text(fee["amount"])]
                for fee in option["taxes_fees"]]
    charges.append(["Total cost", money_text(option["total_cost"])])
    table(doc, ["Charge", "Amount"], charges, bold_last=True, right_align_from=1)
    notes = [f"{c['code']}: {f['detail']}" for c in option["coverages"] for f in c["flags"]
             if f["kind"] != "subjectivity"]
    notes += [f"{c['code']} exclusion: {e}" for c in option["coverages"] for e in (c.get("quoted") or {}).get("exclusions", [])]
    doc.add_heading("Highlights, limitations and exclusions", level=2)
    bullets(doc, notes, "The quoted terms match the specifications and the expiring policy.")


def _premium_summary(doc, summary: PremiumSummary) -> None:
    doc.add_heading("Premium summary", level=1)
    currency = summary.currency
    rows = []
    if summary.expiring_total is not None:
        expiring = money_text({"amount": summary.expiring_total, "currency": currency})
        rows.append(["Expiring", "", expiring, "", expiring, "", ""])
    for premiums in summary.options:
        option = premiums.option
        fees = premiums.total_cost - premiums.premium
        change = summary.change(premiums, premiums.total_cost)
        rows.append([
            f"Option {option['rank']}", option["carrier_name"], money_text(option["premium"]),
            money_text({"amount": fees, "currency": currency}), money_text(option["total_cost"]),
            money_text({"amount": change[0], "currency": currency}) if change else "not comparable",
            percent_text(change[1]) if change else "",
        ])
    table(doc, ["", "Carrier", "Premium", "Taxes and fees", "Total cost", "Change", "Change %"], rows,
          right_align_from=2)
    doc.add_paragraph("Change compares each option's total cost with the expiring premium; an option that "
                      "does not quote every expiring line is not comparable in total.")


def _subjectivities(doc, comparison: dict) -> None:
    doc.add_heading("Subjectivities", level=1)
    doc.add_paragraph("Each insurer binds only when its conditions below are met:")
    for option in options_in_rank_order(comparison):
        doc.add_heading(f"Option {option['rank']}: {option['carrier_name']}", level=2)
        bullets(doc, option["subjectivities"], "No subjectivities.")


def _declinations(doc, comparison: dict) -> None:
    doc.add_heading("Markets that declined", level=1)
    if not comparison["declinations"]:
        doc.add_paragraph("No market declined.")
        return
    table(doc, ["Market", "Reason"], [[d["market_name"], d["reason"]] for d in comparison["declinations"]])

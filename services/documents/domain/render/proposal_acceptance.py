"""The proposal's signed acceptance: the coverages the client accepts (the recommended
option's) and every coverage offered and not taken, which is recorded as declined."""
from __future__ import annotations

from services.documents.domain.render.docx_kit import table
from services.documents.domain.render.labels import (
    coverage_key, deductible_text, limits_text, line_label, options_in_rank_order,
)


def declined_coverages(comparison: dict, accepted: dict | None) -> list[dict]:
    """Coverages some market offered that the accepted option does not include."""
    taken = {coverage_key(c) for c in (accepted or {}).get("coverages", []) if c.get("quoted")}
    declined: dict[tuple[str, str], dict] = {}
    for option in options_in_rank_order(comparison):
        for coverage in option["coverages"]:
            key = coverage_key(coverage)
            if coverage.get("quoted") and key not in taken:
                entry = declined.setdefault(key, {**coverage, "offered_by": []})
                entry["offered_by"].append(f"Option {option['rank']}: {option['carrier_name']}")
    return list(declined.values())


def write_acceptance(doc, document: dict, accepted: dict | None) -> None:
    comparison = document["comparison"]
    doc.add_heading("Acceptance", level=1)
    if accepted is None:
        doc.add_paragraph("No terms were offered, so there is nothing to accept. Please sign below to "
                          "acknowledge the declinations listed above.")
        _signature(doc, comparison["insured_name"])
        return
    doc.add_paragraph(
        f"I have read this proposal and instruct {document['agency']['name']} to bind Option {accepted['rank']}, "
        f"{accepted['carrier_name']}, with the coverages accepted below. I understand that every coverage "
        "offered and not accepted is declined, and that a declined coverage will not respond to a claim.")
    doc.add_heading("Coverages accepted", level=2)
    rows = [[line_label(c["line_of_business"]), _name(c), limits_text(c["quoted"]), deductible_text(c["quoted"])]
            for c in accepted["coverages"] if c.get("quoted")]
    table(doc, ["Line", "Coverage", "Limits", "Deductible"], rows)
    doc.add_heading("Coverages declined", level=2)
    declined = declined_coverages(comparison, accepted)
    if declined:
        table(doc, ["Line", "Coverage", "Offered by"],
              [[line_label(c["line_of_business"]), _name(c), "; ".join(c["offered_by"])] for c in declined])
    else:
        doc.add_paragraph("None: every coverage offered is accepted.")
    doc.add_paragraph("To accept a different option instead, write its number here: ________")
    _signature(doc, comparison["insured_name"])


def _name(coverage: dict) -> str:
    return coverage["code"] + (f": {coverage['description']}" if coverage.get("description") else "")


def _signature(doc, insured_name: str) -> None:
    table(doc, ["For the insured", ""], [
        ["Insured", insured_name],
        ["Signature", ""],
        ["Name and title", ""],
        ["Date", ""],
    ])

"""The proposal, opened with python-docx: what a client reads and signs."""
import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from services.documents.domain.render import render
from services.documents.domain.render.labels import DISCLAIMER
from services.documents.tests.payloads import full_document, golden_request


def opened(payload):
    rendered = render("proposal_docx", payload)
    assert rendered.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return docx.Document(io.BytesIO(rendered.content))


def text_of(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def section(document, heading: str, until_level: str = "Heading 1") -> list[str]:
    """Paragraph texts after ``heading`` up to the next heading of ``until_level``."""
    texts, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.text == heading:
            inside = True
            continue
        if inside and paragraph.style.name == until_level:
            break
        if inside:
            texts.append(paragraph.text)
    return texts


def table_after(document, heading: str):
    """The first table following the paragraph ``heading``."""
    body = document.element.body
    found = False
    for element in body.iterchildren():
        if element.tag.endswith("}p") and Paragraph(element, document).text == heading:
            found = True
        elif found and element.tag.endswith("}tbl"):
            return [[cell.text for cell in row.cells] for row in Table(element, document).rows]
    raise AssertionError(f"no table after {heading!r}")


def test_golden_proposal_names_insured_carrier_premiums_and_disclaimer():
    document = opened(golden_request("proposal_docx")["payload"])
    text = text_of(document)
    assert "Delta Valley Freight LLC" in text
    assert "Golden State Casualty Company" in text
    assert "$47,080.00" in text and "$47,330.00" in text and "$44,000.00" in text
    assert DISCLAIMER in text
    assert "the policy governs" in text


def test_cover_shows_period_validity_preparer_and_agency_licence():
    cover = [p.text for p in opened(full_document()).paragraphs[:14]]
    assert "Policy period: February 25, 2027 to February 25, 2028" in cover
    assert "Terms valid through: February 15, 2027" in cover
    assert "Prepared by: am.garcia" in cover and "Prepared on: November 27, 2026" in cover
    assert "Licence no. 0K12345" in cover


def test_every_option_shows_its_carrier_and_premium():
    text = text_of(opened(full_document()))
    for carrier, premium in (("Golden State Casualty Company", "$46,500.00"),
                             ("Lexington Specialty Insurance Company", "$7,000.00")):
        assert f"Insurer: {carrier}" in text
        assert premium in text


def test_recommendation_defaults_to_the_best_ranked_option():
    summary = section(opened(full_document()), "Executive summary and recommendation")
    assert any(t.startswith("Our recommendation: Option 1, Golden State Casualty Company") for t in summary)
    assert any("+$2,750.00 (+6.25%)" in t for t in summary)


def test_recommendation_follows_the_quote_the_account_manager_named():
    document = opened(full_document(recommended_quote_id="q-surplus"))
    summary = section(document, "Executive summary and recommendation")
    assert any(t.startswith("Our recommendation: Option 2, Lexington Specialty Insurance Company") for t in summary)
    assert any("non-admitted (surplus lines)" in t for t in summary)
    assert "Each occurrence 500,000 against 1,000,000 requested" in summary


def test_option_table_lists_coverages_with_expiring_and_quoted_limits_deductible_and_premium():
    rows = table_after(opened(full_document()), "Valid until: February 15, 2027")
    assert rows[0] == ["Line", "Coverage", "Expiring limits", "Quoted limits", "Deductible", "Premium"]
    gl = rows[1]
    assert gl[2] == "Each occurrence $1,000,000; General aggregate $2,000,000"
    assert gl[3] == "Each occurrence $500,000; General aggregate $1,000,000"
    assert gl[4] == "Deductible $2,500" and gl[5] == "$7,000.00"
    assert rows[2][3] == "Not offered"


def test_premium_summary_shows_taxes_fees_and_change_against_expiring():
    rows = table_after(opened(full_document()), "Premium summary")
    assert rows[1] == ["Expiring", "", "$44,000.00", "", "$44,000.00", "", ""]
    assert rows[2] == ["Option 1", "Golden State Casualty Company", "$46,500.00", "$250.00", "$46,750.00",
                       "$2,750.00", "+6.25%"]
    assert rows[3][3] == "$222.60" and rows[3][5] == "not comparable"


def test_subjectivities_and_declinations_are_listed():
    document = opened(full_document())
    subjectivities = section(document, "Subjectivities")
    assert "Loss runs for 5 years" in subjectivities and "Signed D-1 statement" in subjectivities
    assert table_after(document, "Markets that declined")[1] == ["Pacific Crest Specialty", "Fleet radius exceeds appetite"]


def test_acceptance_lists_coverages_accepted_and_offered_coverages_declined():
    document = opened(full_document(recommended_quote_id="q-surplus"))
    accepted = table_after(document, "Coverages accepted")
    assert [r[1] for r in accepted[1:]] == ["CGL: Commercial general liability"]
    declined = table_after(document, "Coverages declined")
    assert declined[1] == ["Commercial auto", "LIAB: Auto liability, symbol 1",
                           "Option 1: Golden State Casualty Company"]
    assert table_after(document, "To accept a different option instead, write its number here: ________")[1] == [
        "Insured", "Delta Valley Freight LLC"]


def test_proposal_without_offers_says_so_and_offers_nothing_to_accept():
    payload = full_document()
    payload["comparison"]["options"] = []
    text = text_of(opened(payload))
    assert "No market offered terms." in text
    assert "there is nothing to accept" in text

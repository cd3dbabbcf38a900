"""The submission letter, opened with python-docx: what an underwriter reads first."""
import io

import docx
import pytest

from services.documents.domain.render import InvalidPayload, render
from services.documents.tests.payloads import money, submission_document
from services.documents.tests.test_render_proposal_docx import section, table_after, text_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def opened(payload):
    rendered = render("submission_letter", payload)
    assert rendered.media_type == DOCX and rendered.extension == "docx"
    return docx.Document(io.BytesIO(rendered.content))


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_letter_is_from_the_agency_dated_and_addressed_to_the_underwriter():
    texts = paragraphs(opened(submission_document()))
    assert texts[:4] == ["Sacramento Programs Insurance Services", "1 Capitol Mall, Sacramento, CA 95814",
                         "916-555-0100 | submissions@sacprograms.example", "Licence no. 0K12345"]
    assert "November 27, 2026" in texts
    start = texts.index("Dana Whitfield")
    assert texts[start:start + 4] == ["Dana Whitfield", "Golden State Casualty", "Golden State Casualty Company",
                                      "dwhitfield@goldenstatecas.example"]
    assert "Dear Dana," in texts


def test_subject_names_insured_lines_effective_date_and_need_by_date():
    [subject] = [t for t in paragraphs(opened(submission_document())) if t.startswith("Re: ")]
    assert subject == ("Re: Renewal submission: Delta Valley Freight LLC dba DVF Trucking; General liability, "
                       "Commercial auto, Workers' compensation; effective February 25, 2027. "
                       "Response requested by January 15, 2027.")


def test_opening_states_term_target_premium_and_why_the_account_is_marketed():
    text = "\n".join(paragraphs(opened(submission_document())))
    assert "for the policy period February 25, 2027 to February 25, 2028" in text
    assert "Our target premium for the program is $82,000.00." in text
    assert "Why this account is being marketed: The incumbent has taken a 14% auto rate increase" in text


def test_insured_block_shows_identity_operations_and_a_masked_fein():
    document = opened(submission_document())
    insured = section(document, "The insured", until_level="Heading 2")
    assert "Named insured: Delta Valley Freight LLC" in insured and "DBA: DVF Trucking" in insured
    assert "Address: 4100 Power Inn Rd, Sacramento, CA 95826" in insured
    assert "FEIN: **-***6789" in insured
    assert "Classification: NAICS 484121, SIC 4213" in insured
    assert any(t.startswith("Operations: General freight trucking") for t in insured)
    assert "943216789" not in text_of(document) and "94-3216789" not in text_of(document)


def test_coverage_table_lists_each_line_with_limits_deductible_and_expiring_premium():
    rows = table_after(opened(submission_document()), "Coverage requested")
    assert rows[0] == ["Line", "Limits", "Deductible / SIR", "Expiring carrier", "Expiring premium"]
    assert rows[1][0] == "General liability" and rows[1][1].startswith("Each occurrence $1,000,000; General aggregate $2,000,000")
    assert rows[1][2] == "CGL deductible $1,000" and rows[1][4] == "$8,400.00"
    assert rows[2][1] == "Combined single limit $1,000,000; Uninsured/underinsured motorist $30,000"
    assert rows[3][1].startswith("Workers' compensation (statutory); Employers' liability each accident $1,000,000")
    assert rows[4] == ["Total expiring", "", "", "", "$85,200.00"]


def test_losses_are_summarised_and_large_ones_explained():
    losses = section(opened(submission_document()), "Loss history", until_level="Heading 2")
    assert losses[0] == ("Over 5 policy years the insured reported 4 claims, $177,500.00 incurred "
                         "($165,700.00 paid, $11,800.00 reserved).")
    assert any(t.startswith("2023: $138,000.00 incurred. Cargo shift rollover") for t in losses)


def test_enclosures_are_derived_when_not_given_and_listed_as_given_otherwise():
    derived = section(opened(submission_document()), "Enclosures", until_level="Heading 2")
    assert derived[:4] == ["Commercial insurance application",
                           "Specifications (General liability, Commercial auto, Workers' compensation)",
                           "Loss summary, policy years 2022-2026", "Schedule of locations (2)"]
    payload = submission_document()
    payload["enclosures"] = ["ACORD 125", "Driver list with MVRs"]
    given = section(opened(payload), "Enclosures", until_level="Heading 2")
    assert given[:2] == ["ACORD 125", "Driver list with MVRs"] and "Commercial insurance application" not in given


def test_letter_is_signed_by_the_account_manager_with_licence():
    texts = paragraphs(opened(submission_document()))
    start = texts.index("Sincerely,")
    block = [t for t in texts[start + 1:] if t]
    assert block[:6] == ["Maria Garcia", "Account Manager, Transportation", "Sacramento Programs Insurance Services",
                         "916-555-0107", "mgarcia@sacprograms.example", "Licence no. 0H98765"]
    assert block[-1] == "cc: Tom Reyes, Producer"


def test_a_sparse_new_business_letter_still_reads():
    payload = submission_document()
    payload.update(kind="new_business", loss_history=[], locations=[], target_premium=None,
                   reason_for_marketing=None, underwriting_notes=None, producer=None)
    payload["market"] = {"name": "Pacific E&S Brokers"}
    payload["insured"] = {k: payload["insured"][k] for k in ("client_id", "program", "name")}
    payload["lines"] = [{"line_of_business": "GL", "coverages": [{"code": "CGL"}]}]
    document = opened(payload)
    text = text_of(document)
    assert "Dear Underwriter," in text and "Re: New business submission: Delta Valley Freight LLC; " in text
    assert "No loss history is enclosed with this submission; loss runs will follow." in text
    assert table_after(document, "Coverage requested")[1] == ["General liability", "As per specifications", "None",
                                                              "New", ""]
    assert "target premium" not in text and "FEIN" not in text


def test_a_letter_needs_its_market():
    payload = submission_document()
    payload["market"] = None
    with pytest.raises(InvalidPayload, match="payload.market"):
        render("submission_letter", payload)


def test_a_fein_must_be_nine_digits_and_money_a_decimal_string():
    payload = submission_document()
    payload["insured"]["fein"] = "94-3216789"
    with pytest.raises(InvalidPayload, match="payload.insured.fein"):
        render("submission_letter", payload)
    payload = submission_document()
    payload["target_premium"] = {"amount": 82000.0, "currency": "USD"}
    with pytest.raises(InvalidPayload, match="payload.target_premium.amount"):
        render("submission_letter", payload)
    payload["target_premium"] = money("82000.00")
    assert render("submission_letter", payload).content.startswith(b"PK")

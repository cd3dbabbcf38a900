"""The application PDF, read back with pypdf: a real PDF whose text an underwriter's
system can extract."""
import io

import pypdf

from services.documents.domain.render import render
from services.documents.domain.render.application_pdf import latin1
from services.documents.tests.payloads import submission_document


def read(payload) -> pypdf.PdfReader:
    rendered = render("application", payload)
    assert rendered.media_type == "application/pdf" and rendered.extension == "pdf"
    assert rendered.content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(rendered.content))


def text(payload) -> str:
    return "\n".join(page.extract_text() for page in read(payload).pages)


def lines(payload) -> list[str]:
    return text(payload).splitlines()


def test_application_is_a_paged_pdf_with_metadata():
    reader = read(submission_document("application"))
    assert len(reader.pages) >= 2
    assert reader.metadata.title == "Commercial insurance application: Delta Valley Freight LLC"
    assert reader.metadata.author == "Maria Garcia"
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in reader.pages[-1].extract_text()
    assert "Sacramento Programs Insurance Services, licence no. 0K12345" in reader.pages[0].extract_text()


def test_agency_transaction_and_term():
    body = lines(submission_document("application"))
    assert "Sacramento Programs Insurance Services 0K12345" in body
    assert "Renewal November 27, 2026" in body
    assert "February 25, 2027 February 25, 2028" in body


def test_applicant_information_with_fein_and_classification():
    body = text(submission_document("application"))
    assert "APPLICANT INFORMATION" in body
    assert "Delta Valley Freight LLC DVF Trucking" in body
    assert "94-3216789" in body
    assert "484121 / 4213" in body
    assert "USDOT number: 3141592" in body


def test_lines_requested_list_every_limit_and_deductible():
    body = lines(submission_document("application"))
    assert "General liability CGL: Commercial general liability (occurrence) Each occurrence $1,000,000 Deductible $1,000" \
        in body
    assert "Commercial auto LIAB: Auto liability, symbol 1 Combined single limit $1,000,000" in body
    assert "EL disease policy limit $1,000,000" in body
    assert "Target premium for the program: $82,000.00." in body


def test_premises_nature_of_business_and_prior_carriers():
    body = lines(submission_document("application"))
    assert "1 4100 Power Inn Rd, Sacramento, CA 95826 Office, truck terminal and fenced yard Tenant" in body
    assert "NATURE OF BUSINESS / DESCRIPTION OF OPERATIONS" in body
    assert any(line.startswith("General freight trucking, long-distance truckload") for line in body)
    assert "Workers' compensation State Compensation Insurance Fund 9123456-2026 $41,200.00" in body
    assert "2023 Great Plains Casualty" in body


def test_loss_history_by_year_with_counts_paid_reserved_incurred_and_totals():
    body = lines(submission_document("application"))
    assert "Policy year Line Claims Paid Reserved Incurred" in body
    assert "2026 Commercial auto 1 $4,200.00 $11,800.00 $16,000.00" in body
    assert "2024 All lines 0 $0.00 $0.00 $0.00" in body
    assert "Total 5 years 4 $165,700.00 $11,800.00 $177,500.00" in body


def test_remarks_and_signature_lines():
    body = text(submission_document("application"))
    assert "Twelve years in business under the same ownership" in body
    assert "Commercial auto: Add two 2025 tractors (schedule attached)" in body
    assert "Applicant's signature" in body and "Producer: Maria Garcia, 0H98765" in body


def test_sparse_application_without_losses_or_locations():
    payload = submission_document("application")
    payload.update(loss_history=[], locations=[], market=None, producer=None, underwriting_notes=None)
    payload["lines"][0]["requested_changes"] = payload["lines"][1]["requested_changes"] = []
    body = text(payload)
    assert "No losses reported for the years requested. Loss runs to follow." in body
    assert "1 4100 Power Inn Rd, Sacramento, CA 95826 Mailing address" in body
    assert "All markets" in body


def test_text_outside_latin1_is_kept_readable_not_fatal():
    assert latin1("Smith\u2019s \u201cyard\u201d \u2014 ok \u4e2d") == "Smith's \"yard\" - ok ?"
    payload = submission_document("application")
    payload["insured"]["operations"] = "Owner\u2019s trucks \u2014 caf\u00e9 deliveries \u2603"
    assert "Owner's trucks - caf\u00e9 deliveries ?" in text(payload)


def test_a_long_loss_history_spans_pages_with_headings_repeated():
    payload = submission_document("application")
    year = payload["loss_history"][0]
    payload["loss_history"] = [dict(year, policy_year=2026 - i, notes=None) for i in range(60)]
    reader = read(payload)
    assert len(reader.pages) >= 3
    pages = [page.extract_text() for page in reader.pages]
    assert sum("Policy year Line Claims Paid Reserved Incurred" in page for page in pages) >= 2
    assert "Total 60 years 60 $252,000.00 $708,000.00 $960,000.00" in "\n".join(pages)


def test_a_table_cell_too_long_for_a_page_is_clipped_and_marked():
    payload = submission_document("application")
    payload["locations"][0]["description"] = "Yard " * 2000
    body = text(payload)
    assert "Yard Yard" in body and "[...]" in body
    assert "2 2250 S Airport Way, Unit B, Stockton, CA 95206 Drop yard, no buildings Tenant" in body

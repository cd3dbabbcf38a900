"""Payload validation before rendering: the shared contract, tolerant of added fields,
with reasons a requester can act on."""
import pytest

from services.documents.domain.render import RENDERERS, InvalidPayload, load_payload, render
from services.documents.tests.payloads import full_document, submission_document
from shared.contracts.comparison import DOCUMENT_PAYLOADS


def test_every_document_kind_of_the_contract_has_a_renderer():
    assert set(RENDERERS) == set(DOCUMENT_PAYLOADS)


def test_missing_section_is_reported_by_its_path():
    payload = full_document()
    del payload["comparison"]["options"][0]["premium"]
    with pytest.raises(InvalidPayload) as error:
        load_payload("proposal_docx", payload)
    assert error.value.reason == "payload.comparison.options.0.premium: missing"


def test_money_as_a_json_float_is_refused():
    payload = full_document()
    payload["comparison"]["expiring_premium"]["amount"] = 44000.0
    with pytest.raises(InvalidPayload, match="expiring_premium.amount"):
        load_payload("comparison_xlsx", payload)


def test_fields_added_by_a_newer_producer_are_ignored():
    payload = full_document()
    payload["comparison"]["options"][0]["broker_commission"] = "10"
    payload["cover_letter"] = "Dear client"
    assert render("comparison_xlsx", payload).content.startswith(b"PK")


@pytest.mark.parametrize("payload", [None, [], "text"])
def test_a_payload_that_is_not_an_object_is_refused(payload):
    with pytest.raises(InvalidPayload, match="must be a JSON object"):
        load_payload("comparison_xlsx", payload)


def test_an_unknown_kind_is_refused():
    with pytest.raises(InvalidPayload, match="binder_pdf"):
        render("binder_pdf", full_document())


@pytest.mark.parametrize("kind", ["submission_letter", "specifications", "specifications_xlsx", "application"])
def test_submission_payloads_load_to_decimals_and_dates(kind):
    data = load_payload(kind, submission_document(kind))
    assert str(data["target_premium"]["amount"]) == "82000.00"
    assert data["respond_by"].isoformat() == "2027-01-15"
    assert data["loss_history"][0]["incurred"]["amount"].as_tuple().exponent == -2


def test_a_submission_payload_needs_at_least_one_line():
    payload = submission_document("specifications")
    payload["lines"] = []
    with pytest.raises(InvalidPayload, match="payload.lines"):
        load_payload("specifications", payload)


def test_a_submission_payload_term_must_end_after_it_starts():
    payload = submission_document("application")
    payload["period"]["expiration_date"] = payload["period"]["effective_date"]
    with pytest.raises(InvalidPayload, match="payload.period.expiration_date"):
        load_payload("application", payload)


HOSTILE = ["A\x01B\x00C\x0b\ud800D", "W" * 3000, "\u4e2d\u6587 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \U0001F69A",
           "tab\there\r\nnew line", "&<>\"'%s{}"]


@pytest.mark.parametrize("text", HOSTILE, ids=["controls", "long", "non-latin", "whitespace", "markup"])
@pytest.mark.parametrize("kind", sorted(DOCUMENT_PAYLOADS))
def test_any_text_a_payload_may_carry_renders(kind, text):
    """Control characters are dropped, long and non-Latin text kept: never a renderer error."""
    if kind in ("comparison_xlsx", "proposal_docx"):
        payload = full_document()
        payload["comparison"]["insured_name"] = text
        payload["prepared_by"] = text
        payload["comparison"]["options"][0]["subjectivities"] = [text]
    else:
        payload = submission_document(kind)
        payload["insured"]["name"] = payload["insured"]["operations"] = text
        payload["agency"]["name"] = payload["account_manager"]["name"] = text[:200]  # their maximum
        payload["lines"][0]["requested_changes"] = [text]
        payload["loss_history"][0]["notes"] = payload["underwriting_notes"] = text
        payload["locations"][0]["description"] = text
    rendered = render(kind, payload)
    assert rendered.content[:4] in (b"PK\x03\x04", b"%PDF")


def test_control_characters_are_dropped_from_loaded_strings():
    payload = submission_document("application")
    payload["insured"]["name"] = "Delta\x00 Valley\x1f Freight\tLLC"
    assert load_payload("application", payload)["insured"]["name"] == "Delta Valley Freight\tLLC"

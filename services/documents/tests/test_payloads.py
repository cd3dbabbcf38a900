"""Payload validation before rendering: the shared contract, tolerant of added fields,
with reasons a requester can act on."""
import pytest

from services.documents.domain.render import RENDERERS, InvalidPayload, load_payload, render
from services.documents.tests.payloads import full_document
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

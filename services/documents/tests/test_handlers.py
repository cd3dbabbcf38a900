"""documents.document.requested, delivered as the consumer delivers it: every golden
example renders once, and a request that cannot be rendered is answered, not dropped."""
import copy
import hashlib
import uuid

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from services.documents.domain.render import RENDERERS
from services.documents.models import Document
from services.documents.tests.helpers import outbox_events
from services.documents.tests.payloads import request_envelope
from shared import testing
from shared.contracts.registry import contract
from shared.kit.audit import history

EXAMPLES = testing.examples("documents.document.requested")


def documents(db) -> list[Document]:
    with db.transaction() as session:
        return list(session.scalars(select(Document).order_by(Document.created_at)))


@pytest.mark.parametrize("envelope", EXAMPLES, ids=[e["data"]["kind"] for e in EXAMPLES])
def test_golden_request_renders_stores_and_announces_the_document(db, handlers, store, envelope):
    assert testing.deliver(db, handlers, envelope) == "processed"
    [document] = documents(db)
    assert (document.status, document.kind, document.request_id) == (
        "generated", envelope["data"]["kind"], envelope["data"]["request_id"])
    with store.open(document.storage_key) as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == document.sha256 and len(content) == document.size_bytes
    expected_names = {
        "comparison_xlsx": "renewal-premium-comparison-2027.xlsx", "proposal_docx": "renewal-proposal-2027.docx",
        "submission_letter": "submission-letter-golden-state-casualty-2027.docx",
        "specifications": "renewal-specifications-2027.docx", "specifications_xlsx": "renewal-specifications-2027.xlsx",
        "application": "commercial-insurance-application-2027.pdf",
    }
    assert document.filename == expected_names[document.kind]
    assert document.media_type == RENDERERS[document.kind].media_type
    [event] = outbox_events(db, "documents.document.generated")
    data = contract("documents.document.generated", 1).load_strict(event["data"])
    assert data["document_id"] == document.id and data["sha256"] == document.sha256
    assert data["download_path"] == f"/api/v1/documents/{document.id}/content"
    assert event["subject"] == envelope["data"]["client_id"]
    assert event["correlationid"] == envelope["correlationid"] and event["causationid"] == envelope["id"]
    with db.transaction() as session:
        [entry] = history(session, "document", document.id)
    assert entry["actor"] == f"service:{envelope['source']}" and entry["action"] == "document.generated"


@pytest.mark.parametrize("envelope", EXAMPLES, ids=[e["data"]["kind"] for e in EXAMPLES])
def test_duplicate_delivery_renders_once(db, handlers, envelope):
    kind = {"kind": envelope["data"]["kind"]}
    renders_before = REGISTRY.get_sample_value("document_render_seconds_count", kind) or 0
    assert testing.deliver(db, handlers, envelope) == "processed"
    assert testing.deliver(db, handlers, envelope) == "duplicate"
    assert REGISTRY.get_sample_value("document_render_seconds_count", kind) == renders_before + 1
    assert len(documents(db)) == 1
    assert len(outbox_events(db, "documents.document.generated")) == 1


def test_the_same_request_resent_as_a_new_message_renders_once(db, handlers):
    first = EXAMPLES[0]
    again = copy.deepcopy(first)
    again["id"] = str(uuid.uuid4())
    assert testing.deliver(db, handlers, first) == "processed"
    assert testing.deliver(db, handlers, again) == "processed"
    assert len(documents(db)) == 1
    assert len(outbox_events(db, "documents.document.generated")) == 1


def test_an_invalid_payload_is_answered_with_document_failed(db, handlers, store):
    data = copy.deepcopy(EXAMPLES[1]["data"])
    data["request_id"] = "d0c00000-0000-4000-8000-000000000003"
    del data["payload"]["comparison"]["insured_name"]
    assert testing.deliver(db, handlers, request_envelope(data)) == "processed"
    [document] = documents(db)
    assert document.status == "failed" and document.storage_key is None
    assert document.failure_reason == "payload.comparison.insured_name: missing"
    assert outbox_events(db, "documents.document.generated") == []
    [event] = outbox_events(db, "documents.document.failed")
    expected = testing.examples("documents.document.failed")[0]["data"]
    expected["reason"] = "payload.comparison.insured_name: missing"
    assert contract("documents.document.failed", 1).load_strict(event["data"]) == expected


def test_an_invalid_request_sent_again_is_answered_once(db, handlers):
    data = copy.deepcopy(EXAMPLES[0]["data"])
    data["payload"]["comparison"]["options"][0]["premium"]["amount"] = "not money"
    assert testing.deliver(db, handlers, request_envelope(data)) == "processed"
    assert testing.deliver(db, handlers, request_envelope(data)) == "processed"
    assert len(outbox_events(db, "documents.document.failed")) == 1


def test_a_payload_about_another_client_is_not_filed_under_this_one(db, handlers):
    data = copy.deepcopy(EXAMPLES[0]["data"])
    data["client_id"] = "someone-else"
    assert testing.deliver(db, handlers, request_envelope(data)) == "processed"
    [event] = outbox_events(db, "documents.document.failed")
    assert "client_id" in event["data"]["reason"]


def test_a_request_breaking_the_envelope_contract_is_dead_lettered(db, handlers):
    data = copy.deepcopy(EXAMPLES[0]["data"])
    data["kind"] = "tarot_reading"
    outcome = testing.deliver(db, handlers, request_envelope(data))
    assert outcome.kind == "schema_violation"
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_valid_requests_interleaved_with_invalid_ones_are_all_answered(db, handlers):
    answers = []
    for index in range(4):
        data = copy.deepcopy(EXAMPLES[index % 2]["data"])
        data["request_id"] = f"req-{index}"
        if index % 2:
            data["payload"] = {"comparison": "garbled"}
        answers.append(testing.deliver(db, handlers, request_envelope(data)))
    assert answers == ["processed"] * 4
    assert len(outbox_events(db, "documents.document.generated")) == 2
    assert len(outbox_events(db, "documents.document.failed")) == 2


def test_a_submission_payload_about_another_client_is_not_filed_under_this_one(db, handlers):
    [letter] = [e for e in EXAMPLES if e["data"]["kind"] == "submission_letter"]
    data = copy.deepcopy(letter["data"])
    data["payload"]["insured"]["client_id"] = "someone-else"
    assert testing.deliver(db, handlers, request_envelope(data)) == "processed"
    [event] = outbox_events(db, "documents.document.failed")
    assert event["data"]["reason"] == ("payload client_id 'someone-else' differs from the request's "
                                       "'3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c'")
    assert outbox_events(db, "documents.document.generated") == []


def test_a_submission_letter_without_its_market_is_answered_with_the_reason(db, handlers):
    [letter] = [e for e in EXAMPLES if e["data"]["kind"] == "submission_letter"]
    data = copy.deepcopy(letter["data"])
    del data["payload"]["market"]
    assert testing.deliver(db, handlers, request_envelope(data)) == "processed"
    [event] = outbox_events(db, "documents.document.failed")
    assert event["data"]["kind"] == "submission_letter" and event["data"]["reason"] == "payload.market: missing"

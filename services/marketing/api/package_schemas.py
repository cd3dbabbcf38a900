"""Response schemas of a submission's package: the loss history it carries, the documents
asked of documents and the emails to email-channel markets."""
from __future__ import annotations

from marshmallow import fields

from shared.contracts.base import ContractSchema
from shared.contracts.carrier import LossYearSchema


class PackageDocumentViewSchema(ContractSchema):
    request_id = fields.String()
    kind = fields.String()
    market_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "requested | generated | failed"})
    document_id = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    media_type = fields.String(allow_none=True)
    size_bytes = fields.Integer(allow_none=True)
    download_path = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    requested_at = fields.AwareDateTime()
    settled_at = fields.AwareDateTime(allow_none=True)


class PackageEmailSchema(ContractSchema):
    market_id = fields.String()
    market_name = fields.String()
    recipient = fields.String()
    subject = fields.String()
    message_id = fields.String()
    status = fields.String(metadata={"description": "waiting | ready | sent | failed"})
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)


class SubmissionPackageSchema(ContractSchema):
    submission_id = fields.String()
    losses_as_of = fields.Date(allow_none=True)
    loss_history = fields.List(fields.Nested(LossYearSchema))
    documents = fields.List(fields.Nested(PackageDocumentViewSchema))
    emails = fields.List(fields.Nested(PackageEmailSchema))

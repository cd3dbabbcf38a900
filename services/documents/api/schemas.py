"""Request and response bodies of the documents API (unknown fields are refused)."""
from __future__ import annotations

from marshmallow import fields, validate

from services.documents.domain.render import RENDERERS
from services.documents.models import DOCUMENT_STATUSES
from shared.contracts.base import ContractSchema
from shared.contracts.pagination import PageArgsSchema, page_schema

KINDS = validate.OneOf(tuple(RENDERERS))


class DocumentSchema(ContractSchema):
    id = fields.String(dump_only=True)
    request_id = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    client_id = fields.String(dump_only=True)
    program = fields.String(dump_only=True)
    subject_type = fields.String(dump_only=True)
    subject_id = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(DOCUMENT_STATUSES)})
    filename = fields.String(dump_only=True, allow_none=True)
    media_type = fields.String(dump_only=True, allow_none=True)
    size_bytes = fields.Integer(dump_only=True, allow_none=True)
    sha256 = fields.String(dump_only=True, allow_none=True)
    failure_reason = fields.String(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    download_path = fields.String(dump_only=True, allow_none=True)


DocumentPageSchema = page_schema(DocumentSchema, "DocumentPageSchema")


class DocumentListArgsSchema(PageArgsSchema):
    subject_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    client_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    kind = fields.String(load_default=None, validate=KINDS)
    status = fields.String(load_default=None, validate=validate.OneOf(DOCUMENT_STATUSES))


class RenderRequestSchema(ContractSchema):
    """A synchronous render for the portals.  ``request_id`` (optional) makes a retried
    POST return the document the first one made."""

    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=KINDS)
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    program = fields.String(required=True, validate=validate.Length(min=1, max=80))
    subject_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    subject_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    payload = fields.Dict(required=True)

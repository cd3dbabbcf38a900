"""Request and response schemas of the accounts API.  Requests subclass ContractSchema,
so unknown fields are refused (422)."""
from __future__ import annotations

from marshmallow import fields, validate

from services.accounts.domain.activities import ACTIVITY_TYPES, PRIORITIES, STATUSES
from services.accounts.domain.clients import CLIENT_STATUSES
from services.accounts.domain.policies import POLICY_STATUSES
from shared.contracts.base import ContractSchema
from shared.contracts.pagination import PageArgsSchema, page_schema
from shared.contracts.types import (
    LINES_OF_BUSINESS, AddressSchema, CoverageSchema, CredentialSchema, MarketRefSchema, MoneySchema,
    NonNegativeMoneySchema, PeriodSchema,
)

ENTITY_TYPES = ("individual", "sole_proprietor", "partnership", "llc", "corporation", "s_corporation",
                "joint_venture", "nonprofit", "trust", "government", "other")
PROGRAM = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,59}$", error="A program code: lower-case letters, digits, - and _.")
USER = validate.Length(min=1, max=120)


def _optional_text(max_length: int, **kwargs):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


# -- clients ----------------------------------------------------------------------------

class ClientChangesSchema(ContractSchema):
    """Every field optional: what PATCH changes.  ``credentials`` replaces the whole list."""

    program = fields.String(validate=PROGRAM)
    name = fields.String(validate=validate.Length(min=1, max=200))
    dba = _optional_text(200)
    entity_type = fields.String(allow_none=True, validate=validate.OneOf(ENTITY_TYPES))
    fein = fields.String(allow_none=True, metadata={"description": "nine digits, 12-3456789"})
    naics = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{2,6}$"))
    status = fields.String(validate=validate.OneOf(CLIENT_STATUSES))
    address = fields.Nested(AddressSchema, allow_none=True)
    account_manager = fields.String(allow_none=True, validate=USER)
    producer = fields.String(allow_none=True, validate=USER)
    assistant = fields.String(allow_none=True, validate=USER)
    credentials = fields.List(fields.Nested(CredentialSchema), validate=validate.Length(max=50))


class ClientCreateSchema(ClientChangesSchema):
    program = fields.String(required=True, validate=PROGRAM)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(load_default="prospect", validate=validate.OneOf(CLIENT_STATUSES))
    credentials = fields.List(fields.Nested(CredentialSchema), load_default=list, validate=validate.Length(max=50))


class ClientListArgsSchema(PageArgsSchema):
    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "name prefix"})
    credential_number = fields.String(validate=validate.Length(min=1, max=40))
    policy_number = fields.String(validate=validate.Length(min=1, max=60))
    fein = fields.String(validate=validate.Length(min=9, max=11))
    status = fields.String(validate=validate.OneOf(CLIENT_STATUSES))
    account_manager = fields.String(validate=USER)
    program = fields.String(validate=PROGRAM)


class CredentialOutSchema(ContractSchema):
    kind = fields.String()
    number = fields.String()
    expires_on = fields.Date(allow_none=True)


class PolicyOutSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    program = fields.String()
    line_of_business = fields.String()
    policy_number = fields.String()
    market = fields.Nested(MarketRefSchema)
    period = fields.Nested(PeriodSchema)
    status = fields.String()
    premium = fields.Nested(MoneySchema)
    coverages = fields.List(fields.Nested(CoverageSchema))
    replaces_policy_id = fields.String(allow_none=True)
    bind_id = fields.String(allow_none=True)
    bound_quote_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ClientSummarySchema(ContractSchema):
    id = fields.String()
    program = fields.String()
    name = fields.String()
    dba = fields.String(allow_none=True)
    status = fields.String()
    fein = fields.String(allow_none=True,
                         metadata={"description": "masked (**-***1234) except for admin and account managers"})
    account_manager = fields.String(allow_none=True)
    producer = fields.String(allow_none=True)
    assistant = fields.String(allow_none=True)
    credentials = fields.List(fields.Nested(CredentialOutSchema))


class ClientSchema(ClientSummarySchema):
    entity_type = fields.String(allow_none=True)
    naics = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    policies = fields.List(fields.Nested(PolicyOutSchema))


ClientPageSchema = page_schema(ClientSummarySchema, "ClientPageSchema")


# -- policies ---------------------------------------------------------------------------

class PolicyCreateSchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    policy_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    market = fields.Nested(MarketRefSchema, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    status = fields.String(load_default="in_force", validate=validate.OneOf(POLICY_STATUSES))
    premium = fields.Nested(NonNegativeMoneySchema, required=True)
    coverages = fields.List(fields.Nested(CoverageSchema), load_default=list, validate=validate.Length(max=100))
    replaces_policy_id = fields.String(load_default=None, allow_none=True)


PolicyPageSchema = page_schema(PolicyOutSchema, "PolicyPageSchema")


# -- activities -------------------------------------------------------------------------

class ActivityCreateSchema(ContractSchema):
    client_id = fields.String(required=True)
    policy_id = fields.String(load_default=None, allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(tuple(ACTIVITY_TYPES)))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=300))
    details = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    due_on = fields.Date(required=True)
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    assignee = fields.String(load_default=None, allow_none=True, validate=USER,
                             metadata={"description": "defaults to the caller"})


class ActivityCompleteSchema(ContractSchema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ActivityListArgsSchema(PageArgsSchema):
    assignee = fields.String(validate=USER, metadata={"description": '"me" or a user id'})
    status = fields.String(validate=validate.OneOf(STATUSES))
    client_id = fields.String()
    due_before = fields.Date(metadata={"description": "due on or before this date"})


class ActivitySchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    policy_id = fields.String(allow_none=True)
    type = fields.String()
    subject = fields.String()
    details = fields.String(allow_none=True)
    due_on = fields.Date()
    priority = fields.String()
    assignee = fields.String(allow_none=True)
    status = fields.String()
    outcome = fields.String(allow_none=True)
    source_key = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    completed_by = fields.String(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)


ActivityPageSchema = page_schema(ActivitySchema, "ActivityPageSchema")


# -- documents --------------------------------------------------------------------------

class AccountDocumentSchema(ContractSchema):
    document_id = fields.String()
    request_id = fields.String()
    kind = fields.String()
    title = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size_bytes = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.String()
    download_path = fields.String()
    created_at = fields.AwareDateTime()


AccountDocumentPageSchema = page_schema(AccountDocumentSchema, "AccountDocumentPageSchema")

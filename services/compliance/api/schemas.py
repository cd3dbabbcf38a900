"""Request and response schemas of the compliance API (unknown fields are refused)."""
from __future__ import annotations

from marshmallow import fields, validate

from services.compliance.domain.filings import STATUSES, TRANSITIONS
from services.compliance.domain.rule_schema import BODIES, TRIGGERS
from shared.contracts.base import ContractSchema
from shared.contracts.pagination import PageArgsSchema, page_schema
from shared.contracts.types import CREDENTIAL_KINDS, LINES_OF_BUSINESS


class CredentialRefSchema(ContractSchema):
    kind = fields.String(required=True)
    number = fields.String(required=True)
    expires_on = fields.String(allow_none=True)


class FilingEventSchema(ContractSchema):
    at = fields.AwareDateTime()
    actor = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    note = fields.String(allow_none=True)


class FilingSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    program = fields.String()
    body = fields.String()
    form = fields.String()
    rule_id = fields.String()
    trigger = fields.String()
    credential = fields.Function(lambda f: {"kind": f.credential_kind, "number": f.credential_number})
    policy_number = fields.String()
    line_of_business = fields.String()
    carrier_name = fields.String(allow_none=True)
    policy_effective_date = fields.Date()
    policy_expiration_date = fields.Date()
    notice_date = fields.Date(allow_none=True)
    cancellation_effective_on = fields.Date(allow_none=True)
    due_on = fields.Date()
    status = fields.String()
    overdue = fields.Boolean()
    overdue_announced_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "when compliance.filing.overdue was raised for this filing (once per filing)"})
    allowed_transitions = fields.Function(lambda f: sorted(TRANSITIONS[f.status]))
    reason = fields.String()
    account_manager = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class FilingDetailSchema(FilingSchema):
    history = fields.List(fields.Nested(FilingEventSchema))


FilingPageSchema = page_schema(FilingSchema, "FilingPageSchema")


class FilingListArgsSchema(PageArgsSchema):
    client_id = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    body = fields.String(validate=validate.OneOf(BODIES))
    due_before = fields.Date()
    overdue = fields.Boolean()


class TransitionSchema(ContractSchema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    effective_on = fields.Date(load_default=None, allow_none=True,
                               metadata={"description": "for cancel_pending: when the cancellation takes effect"})


class DueRuleOutSchema(ContractSchema):
    anchor = fields.String()
    offset_days = fields.Integer()
    offset_months = fields.Integer()


class MinimumLimitOutSchema(ContractSchema):
    kind = fields.String()
    amount = fields.Dict()
    applies_to = fields.String(allow_none=True)
    verified = fields.Boolean()


class RuleOutSchema(ContractSchema):
    id = fields.String()
    body = fields.String()
    title = fields.String()
    credential_kind = fields.String()
    lines_of_business = fields.List(fields.String())
    entity_types = fields.List(fields.String())
    form = fields.String()
    former_forms = fields.List(fields.String())
    who_files = fields.String()
    filing_method = fields.String(allow_none=True)
    triggers = fields.List(fields.String())
    due = fields.Nested(DueRuleOutSchema)
    notice_period_days = fields.Integer(allow_none=True)
    notice_counted_from = fields.String(allow_none=True)
    notice_period_days_by_reason = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "notice periods that depend on the cancellation's reason (others use notice_period_days)"})
    filing_basis = fields.String()
    minimum_limits = fields.List(fields.Nested(MinimumLimitOutSchema))
    citation = fields.String()
    verified = fields.Boolean()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)


class RuleListSchema(ContractSchema):
    items = fields.List(fields.Nested(RuleOutSchema))


class RuleListArgsSchema(ContractSchema):
    body = fields.String(validate=validate.OneOf(BODIES))
    credential_kind = fields.String(validate=validate.OneOf(tuple(CREDENTIAL_KINDS)))
    line_of_business = fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    trigger = fields.String(validate=validate.OneOf(TRIGGERS))


class RequirementSchema(ContractSchema):
    rule_id = fields.String()
    body = fields.String()
    form = fields.String()
    citation = fields.String()
    verified = fields.Boolean()
    policy_number = fields.String()
    line_of_business = fields.String()
    policy_effective_date = fields.Date()
    policy_expiration_date = fields.Date()
    due_on = fields.Date()
    state = fields.String()
    filing_id = fields.String(allow_none=True)
    filing_status = fields.String(allow_none=True)


class UncoveredSchema(ContractSchema):
    rule_id = fields.String()
    body = fields.String()
    form = fields.String()
    lines_of_business = fields.List(fields.String())


class CredentialObligationsSchema(ContractSchema):
    credential = fields.Nested(CredentialRefSchema)
    standing = fields.String(metadata={"description": "in_good_standing, at_risk, suspended or no_requirements"})
    requirements = fields.List(fields.Nested(RequirementSchema))
    uncovered = fields.List(fields.Nested(UncoveredSchema))


class ObligationsSchema(ContractSchema):
    client_id = fields.String()
    program = fields.String()
    name = fields.String()
    as_of = fields.Date()
    credentials = fields.List(fields.Nested(CredentialObligationsSchema))

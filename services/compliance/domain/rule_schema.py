"""The shape of a rule file (``services/compliance/rules/<body>.json``), validated at load."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.base import ContractSchema
from shared.contracts.events import CANCELLATION_REASONS
from shared.contracts.types import CREDENTIAL_KINDS, LIMIT_KINDS, LINES_OF_BUSINESS, MoneySchema

BODIES = ("DMV", "CPUC", "BHGS", "CSLB", "SPCB", "DPR", "WCIRB", "FMCSA")
TRIGGERS = ("policy_bound", "policy_renewed", "policy_cancelled")
ANCHORS = ("effective_date", "expiration_date", "notice_date")
WHO_FILES = ("insurer", "agent", "business", "surety")
FILING_BASES = ("until_cancelled", "per_term", "per_event")
COUNTED_FROM = ("mailing", "receipt")


class DueRuleSchema(ContractSchema):
    anchor = fields.String(required=True, validate=validate.OneOf(ANCHORS))
    offset_days = fields.Integer(load_default=0, validate=validate.Range(min=-366, max=366))
    offset_months = fields.Integer(load_default=0, validate=validate.Range(min=0, max=60))


class MinimumLimitSchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(LIMIT_KINDS))
    amount = fields.Nested(MoneySchema, required=True)
    applies_to = fields.String(load_default=None, allow_none=True)
    verified = fields.Boolean(required=True, truthy={True}, falsy={False})


class RuleSchema(ContractSchema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"))
    title = fields.String(required=True, validate=validate.Length(min=1))
    credential_kind = fields.String(required=True, validate=validate.OneOf(tuple(CREDENTIAL_KINDS)))
    lines_of_business = fields.List(fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))),
                                    required=True, validate=validate.Length(min=1))
    entity_types = fields.List(fields.String(), load_default=list)
    form = fields.String(required=True, validate=validate.Length(min=1))
    former_forms = fields.List(fields.String(), load_default=list)
    who_files = fields.String(required=True, validate=validate.OneOf(WHO_FILES))
    filing_method = fields.String(load_default=None, allow_none=True)
    triggers = fields.List(fields.String(validate=validate.OneOf(TRIGGERS)), required=True,
                           validate=validate.Length(min=1))
    due = fields.Nested(DueRuleSchema, required=True)
    notice_period_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=365))
    notice_counted_from = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(COUNTED_FROM))
    # A period that depends on why the policy was cancelled (e.g. Ins. Code §676.8: 10 days
    # for non-payment instead of 30); reasons not listed use notice_period_days.
    notice_period_days_by_reason = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CANCELLATION_REASONS)),
        values=fields.Integer(strict=True, validate=validate.Range(min=1, max=365)), load_default=dict)
    filing_basis = fields.String(required=True, validate=validate.OneOf(FILING_BASES))
    minimum_limits = fields.List(fields.Nested(MinimumLimitSchema), load_default=list)
    citation = fields.String(required=True, validate=validate.Length(min=3))
    verified = fields.Boolean(required=True, truthy={True}, falsy={False})
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _consistent(self, data, **_kwargs):
        if data.get("effective_to") and data["effective_to"] <= data["effective_from"]:
            raise ValidationError("effective_to must follow effective_from.", "effective_to")
        cancelling = "policy_cancelled" in data.get("triggers", [])
        if cancelling and len(data["triggers"]) > 1:
            raise ValidationError("A cancellation rule has no other trigger.", "triggers")
        if cancelling != (data.get("due", {}).get("anchor") == "notice_date"):
            raise ValidationError("Cancellation rules, and only they, count from the notice date.", "due")
        if cancelling and not (data.get("notice_period_days") and data.get("notice_counted_from")):
            raise ValidationError("A cancellation rule needs its notice period and how it is counted.",
                                  "notice_period_days")
        if data.get("notice_period_days_by_reason") and not cancelling:
            raise ValidationError("Only a cancellation rule has notice periods by reason.",
                                  "notice_period_days_by_reason")


class RuleFileSchema(ContractSchema):
    body = fields.String(required=True, validate=validate.OneOf(BODIES))
    name = fields.String(required=True)
    rules = fields.List(fields.Nested(RuleSchema), required=True, validate=validate.Length(min=1))

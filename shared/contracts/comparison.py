"""The coverage-by-coverage comparison: marketing computes it, its API shows it, and the
documents service renders it (the comparison spreadsheet and the proposal).  A document
request carries it whole, so documents never calls back for data."""
from __future__ import annotations

from marshmallow import fields, validate

from shared.contracts.base import ContractSchema, DecimalString
from shared.contracts.submission_documents import SUBMISSION_DOCUMENT_PAYLOADS
from shared.contracts.types import (
    LINES_OF_BUSINESS, DeductibleSchema, LimitSchema, MoneySchema, NonNegativeMoneySchema,
)

FLAG_KINDS = (
    "lower_limit", "higher_limit", "missing_limit", "higher_deductible", "lower_deductible",
    "missing_coverage", "new_exclusion", "subjectivity", "not_requested",
)
QUOTE_STATUSES = ("quoted", "indication", "referred", "declined")


class TermsSchema(ContractSchema):
    limits = fields.List(fields.Nested(LimitSchema), load_default=list)
    deductible = fields.Nested(DeductibleSchema, load_default=None, allow_none=True)
    premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    exclusions = fields.List(fields.String(), load_default=list)


class FlagSchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(FLAG_KINDS))
    detail = fields.String(required=True)
    severity = fields.String(load_default="warning", validate=validate.OneOf(("info", "warning", "critical")))


class CoverageComparisonSchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    code = fields.String(required=True)
    description = fields.String(load_default=None, allow_none=True)
    requested = fields.Nested(TermsSchema, load_default=None, allow_none=True)
    expiring = fields.Nested(TermsSchema, load_default=None, allow_none=True)
    quoted = fields.Nested(TermsSchema, load_default=None, allow_none=True)
    flags = fields.List(fields.Nested(FlagSchema), load_default=list)


class ChangeSchema(ContractSchema):
    amount = fields.Nested(MoneySchema, required=True)
    percent = DecimalString(places=2, load_default=None, allow_none=True)


class FeeSchema(ContractSchema):
    kind = fields.String(required=True)
    description = fields.String(load_default=None, allow_none=True)
    amount = fields.Nested(NonNegativeMoneySchema, required=True)


class OptionSchema(ContractSchema):
    quote_id = fields.String(required=True)
    market_id = fields.String(required=True)
    market_name = fields.String(required=True)
    carrier_name = fields.String(required=True)
    admitted = fields.Boolean(load_default=True)
    am_best_rating = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(QUOTE_STATUSES))
    revision = fields.Integer(load_default=1)
    premium = fields.Nested(NonNegativeMoneySchema, required=True)
    taxes_fees = fields.List(fields.Nested(FeeSchema), load_default=list)
    total_cost = fields.Nested(NonNegativeMoneySchema, required=True)
    change_vs_expiring = fields.Nested(ChangeSchema, load_default=None, allow_none=True)
    valid_until = fields.Date(load_default=None, allow_none=True)
    subjectivities = fields.List(fields.String(), load_default=list)
    rank = fields.Integer(required=True)
    flag_count = fields.Integer(load_default=0)
    coverages = fields.List(fields.Nested(CoverageComparisonSchema), load_default=list)


class DeclinationSchema(ContractSchema):
    market_id = fields.String(required=True)
    market_name = fields.String(required=True)
    reason = fields.String(required=True)


class ExpiringLineSchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    policy_id = fields.String(load_default=None, allow_none=True)
    policy_number = fields.String(required=True)
    carrier_name = fields.String(required=True)
    premium = fields.Nested(NonNegativeMoneySchema, required=True)


class ComparisonSchema(ContractSchema):
    submission_id = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    insured_name = fields.String(required=True)
    effective_date = fields.Date(required=True)
    expiration_date = fields.Date(required=True)
    lines = fields.List(fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))), required=True)
    expiring = fields.List(fields.Nested(ExpiringLineSchema), load_default=list)
    expiring_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    options = fields.List(fields.Nested(OptionSchema), load_default=list)
    declinations = fields.List(fields.Nested(DeclinationSchema), load_default=list)
    generated_at = fields.AwareDateTime(required=True)


class AgencySchema(ContractSchema):
    name = fields.String(required=True)
    license_number = fields.String(required=True)
    address = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)


class ComparisonDocumentSchema(ContractSchema):
    """Payload of the comparison spreadsheet and proposal document requests."""

    comparison = fields.Nested(ComparisonSchema, required=True)
    agency = fields.Nested(AgencySchema, required=True)
    prepared_by = fields.String(required=True)
    prepared_on = fields.Date(required=True)
    recommended_quote_id = fields.String(load_default=None, allow_none=True)


DOCUMENT_PAYLOADS = {
    "comparison_xlsx": ComparisonDocumentSchema,
    "proposal_docx": ComparisonDocumentSchema,
    **SUBMISSION_DOCUMENT_PAYLOADS,
}

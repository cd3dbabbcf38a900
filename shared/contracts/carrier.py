"""The public carrier contract: what the platform sends a market, what a carrier or
wholesaler publishes back, and the reply it gets.  Exported as JSON Schema under
``shared/contracts/jsonschema/`` for carriers not written in Python (see
``docs/carrier-integration.md``).

Version rules: within a major version changes are additive only (new optional fields);
consumers ignore fields they do not know.  A breaking change is a new major version,
published beside the old one.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.base import ContractSchema, DecimalString, json_form_agnostic
from shared.contracts.comparison import FeeSchema, QUOTE_STATUSES
from shared.contracts.registry import event
from shared.contracts.types import (
    LINES_OF_BUSINESS, NAIC_CODE, NAIC_CODE_ERROR, CoverageSchema, InsuredSchema, NonNegativeMoneySchema,
    PeriodSchema,
)

INTAKE_TYPE = "carrier.quote.submitted"
REPLY_TYPE = "carrier.quote.replied"
OUTBOUND_TYPE = "carrier.submission.requested"


class RequestedLineSchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    coverages = fields.List(fields.Nested(CoverageSchema), required=True)
    expiring_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    expiring_carrier = fields.String(load_default=None, allow_none=True)


class LossYearSchema(ContractSchema):
    """One policy year of the insured's loss summary (all lines together)."""

    policy_year = fields.Integer(required=True)
    claim_count = fields.Integer(required=True, validate=validate.Range(min=0))
    paid = fields.Nested(NonNegativeMoneySchema, required=True)
    reserved = fields.Nested(NonNegativeMoneySchema, required=True)
    incurred = fields.Nested(NonNegativeMoneySchema, required=True)
    # Optional additions (v1): open claims, earned premium, loss ratio (incurred / earned
    # premium, percent; null without earned premium) and the lines the year covers.
    open_claim_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    earned_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    loss_ratio_percent = DecimalString(places=2, load_default=None, allow_none=True, validate=validate.Range(min=0))
    lines = fields.List(fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))), load_default=list)


PACKAGE_DOCUMENT_KINDS = ("application", "specifications", "submission_letter")


class PackageDocumentSchema(ContractSchema):
    """A document of the submission package (rendered by the platform's documents service)."""

    # Today application, specifications or submission_letter; more kinds may be added
    # within v1, so accept any.
    kind = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "application | specifications | submission_letter (open list)"})
    document_id = fields.String(required=True)
    filename = fields.String(required=True)


class ReplyToSchema(ContractSchema):
    exchange = fields.String(required=True)
    routing_key = fields.String(required=True)


@event(OUTBOUND_TYPE, 1, "The platform asks a market to quote (sent to the market's own queue).")
class SubmissionRequestedV1(ContractSchema):
    submission_id = fields.String(required=True)
    market_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("renewal", "new_business", "requote")))
    insured = fields.Nested(InsuredSchema, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    lines = fields.List(fields.Nested(RequestedLineSchema), required=True, validate=validate.Length(min=1))
    target_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    loss_history = fields.List(fields.Nested(LossYearSchema), load_default=list)
    underwriting_notes = fields.String(load_default=None, allow_none=True)
    respond_by = fields.Date(required=True)
    reply_to = fields.Nested(ReplyToSchema, required=True)
    # Optional additions (v1): the day the loss history was summarised (null: no loss
    # information on file), and the package documents already rendered when the message
    # was sent (empty on a first request, whose package renders after it).
    losses_as_of = fields.Date(load_default=None, allow_none=True)
    documents = fields.List(fields.Nested(PackageDocumentSchema), load_default=list)


class QuotedLineSchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    coverages = fields.List(fields.Nested(CoverageSchema), required=True)
    premium = fields.Nested(NonNegativeMoneySchema, required=True)


class PaymentPlanSchema(ContractSchema):
    name = fields.String(required=True)
    deposit_percent = DecimalString(places=2, required=True, validate=validate.Range(min=0, max=100))
    installments = fields.Integer(required=True, validate=validate.Range(min=0, max=12))


@event(INTAKE_TYPE, 1, "A carrier or wholesaler answers a submission: quote, indication, referral or declination.")
class QuoteSubmittedV1(ContractSchema):
    market_id = fields.String(required=True, validate=validate.Length(min=1, max=80))
    submission_id = fields.String(required=True, validate=validate.Length(min=1, max=80))
    carrier_quote_ref = fields.String(required=True, validate=validate.Length(min=1, max=80))
    revision = fields.Integer(load_default=1, validate=validate.Range(min=1, max=999))
    status = fields.String(required=True, validate=validate.OneOf(QUOTE_STATUSES))
    declination_reason = fields.String(load_default=None, allow_none=True)
    carrier_name = fields.String(load_default=None, allow_none=True)
    naic_code = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(NAIC_CODE, error=NAIC_CODE_ERROR))
    admitted = fields.Boolean(load_default=True)
    period = fields.Nested(PeriodSchema, load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(QuotedLineSchema), load_default=list)
    taxes_fees = fields.List(fields.Nested(FeeSchema), load_default=list)
    commission_percent = DecimalString(places=2, load_default=None, allow_none=True,
                                       validate=validate.Range(min=0, max=100))
    payment_plans = fields.List(fields.Nested(PaymentPlanSchema), load_default=list)
    forms = fields.List(fields.String(), load_default=list)
    exclusions = fields.List(fields.String(), load_default=list)
    subjectivities = fields.List(fields.String(), load_default=list)
    valid_until = fields.Date(load_default=None, allow_none=True)
    underwriter = fields.String(load_default=None, allow_none=True)

    @validates_schema
    @json_form_agnostic
    def _consistent(self, data, **_kwargs):
        if data.get("status") == "declined":
            if not data.get("declination_reason"):
                raise ValidationError("A declination needs its reason.", "declination_reason")
        elif not data.get("lines"):
            raise ValidationError("A quote, indication or referral needs at least one quoted line.", "lines")


@event(REPLY_TYPE, 1, "The platform's answer to a carrier's message: accepted, duplicate or rejected with reasons.")
class QuoteRepliedV1(ContractSchema):
    in_reply_to = fields.String(required=True)
    market_id = fields.String(load_default=None, allow_none=True)
    carrier_quote_ref = fields.String(load_default=None, allow_none=True)
    revision = fields.Integer(load_default=None, allow_none=True)
    outcome = fields.String(required=True, validate=validate.OneOf(("accepted", "duplicate", "rejected")))
    reasons = fields.List(fields.String(), load_default=list)
    quote_id = fields.String(load_default=None, allow_none=True)

"""Response and query schemas of the premium summary, the premium breakdown and the
negotiation (counter-offers and the revision chain)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate

from shared.contracts.base import ContractSchema, DecimalString
from shared.contracts.types import MoneySchema, NonNegativeMoneySchema

CENT = Decimal("0.01")
MAX_PREMIUM = Decimal("999999999999.99")  # what a premium column holds
SECTIONS = ("premium", "tax", "fee", "surplus_lines", "broker_fee")


def _refuse(message: str):
    raise ValidationError(message)


class PremiumChangeSchema(ContractSchema):
    amount = fields.Nested(MoneySchema)
    percent = DecimalString(places=2, allow_none=True)


class SummaryOptionSchema(ContractSchema):
    quote_id = fields.String()
    market_id = fields.String()
    market_name = fields.String()
    carrier_name = fields.String()
    admitted = fields.Boolean()
    status = fields.String()
    revision = fields.Integer()


class ExpiringLinePremiumSchema(ContractSchema):
    carrier_name = fields.String()
    policy_number = fields.String()
    premium = fields.Nested(NonNegativeMoneySchema)


class LineCellSchema(ContractSchema):
    quote_id = fields.String()
    premium = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    change = fields.Nested(PremiumChangeSchema, allow_none=True)


class SummaryLineSchema(ContractSchema):
    line_of_business = fields.String()
    expiring = fields.Nested(ExpiringLinePremiumSchema, allow_none=True)
    options = fields.List(fields.Nested(LineCellSchema))


class FeeCellSchema(ContractSchema):
    quote_id = fields.String()
    amount = fields.Nested(NonNegativeMoneySchema, allow_none=True)


class SummaryFeeSchema(ContractSchema):
    kind = fields.String()
    section = fields.String(validate=validate.OneOf(SECTIONS))
    description = fields.String(allow_none=True)
    options = fields.List(fields.Nested(FeeCellSchema))


class TotalCellSchema(ContractSchema):
    quote_id = fields.String()
    premium = fields.Nested(NonNegativeMoneySchema)
    taxes_fees = fields.Nested(NonNegativeMoneySchema)
    total_cost = fields.Nested(NonNegativeMoneySchema)
    expiring_premium_of_lines_quoted = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    premium_change = fields.Nested(PremiumChangeSchema, allow_none=True)
    total_cost_change = fields.Nested(PremiumChangeSchema, allow_none=True)


class SummaryTotalsSchema(ContractSchema):
    expiring_premium = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    options = fields.List(fields.Nested(TotalCellSchema))


class PremiumSummarySchema(ContractSchema):
    submission_id = fields.String()
    insured_name = fields.String()
    effective_date = fields.Date()
    expiration_date = fields.Date()
    currency = fields.String()
    options = fields.List(fields.Nested(SummaryOptionSchema))
    lines = fields.List(fields.Nested(SummaryLineSchema))
    taxes_fees = fields.List(fields.Nested(SummaryFeeSchema))
    totals = fields.Nested(SummaryTotalsSchema)


class BreakdownQuerySchema(ContractSchema):
    broker_fee = DecimalString(load_default=None, allow_none=True, validate=[
        validate.Range(min=0, max=1_000_000),
        validate.Predicate("is_finite", error="Not a finite amount."),
        lambda value: value == value.quantize(CENT) or _refuse("A broker fee is given in whole cents.")])


class BreakdownCoverageSchema(ContractSchema):
    code = fields.String()
    description = fields.String(allow_none=True)
    premium = fields.Nested(NonNegativeMoneySchema, allow_none=True)


class BreakdownLineSchema(ContractSchema):
    line_of_business = fields.String()
    premium = fields.Nested(NonNegativeMoneySchema)
    coverages = fields.List(fields.Nested(BreakdownCoverageSchema))
    unallocated_premium = fields.Nested(MoneySchema)


class BreakdownRowSchema(ContractSchema):
    section = fields.String(validate=validate.OneOf(SECTIONS))
    kind = fields.String()
    line_of_business = fields.String(allow_none=True)
    coverage_code = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    amount = fields.Nested(MoneySchema)
    added_by_broker = fields.Boolean()


class PremiumBreakdownSchema(ContractSchema):
    quote_id = fields.String()
    submission_id = fields.String()
    market_id = fields.String()
    market_name = fields.String()
    carrier_name = fields.String()
    admitted = fields.Boolean()
    status = fields.String()
    revision = fields.Integer()
    currency = fields.String()
    lines = fields.List(fields.Nested(BreakdownLineSchema))
    rows = fields.List(fields.Nested(BreakdownRowSchema))
    premium = fields.Nested(NonNegativeMoneySchema)
    taxes = fields.Nested(NonNegativeMoneySchema)
    fees = fields.Nested(NonNegativeMoneySchema)
    surplus_lines = fields.Nested(NonNegativeMoneySchema)
    broker_fee = fields.Nested(NonNegativeMoneySchema)
    quote_total_cost = fields.Nested(NonNegativeMoneySchema)
    total = fields.Nested(NonNegativeMoneySchema)


# -- negotiation ------------------------------------------------------------------------

class TargetPremiumSchema(NonNegativeMoneySchema):
    amount = DecimalString(places=2, required=True, validate=validate.Range(min=0, max=MAX_PREMIUM))


class CounterOfferSchema(ContractSchema):
    target_premium = fields.Nested(TargetPremiumSchema, required=True)
    requested_changes = fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                                    load_default=list, validate=validate.Length(max=20))
    respond_by = fields.Date(required=True)


class NegotiationRoundSchema(ContractSchema):
    id = fields.String()
    round_number = fields.Integer()
    quote_id = fields.String()
    carrier_quote_ref = fields.String()
    revision = fields.Integer()
    quoted_premium = fields.Nested(NonNegativeMoneySchema)
    target_premium = fields.Nested(NonNegativeMoneySchema)
    requested_changes = fields.List(fields.String())
    respond_by = fields.Date()
    requested_by = fields.String()
    requested_at = fields.AwareDateTime()
    answered_by_quote_id = fields.String(allow_none=True)


class RevisionSchema(ContractSchema):
    quote_id = fields.String()
    carrier_quote_ref = fields.String()
    revision = fields.Integer()
    status = fields.String()
    is_current = fields.Boolean()
    supersedes_id = fields.String(allow_none=True)
    premium = fields.Nested(NonNegativeMoneySchema)
    total_cost = fields.Nested(NonNegativeMoneySchema)
    received_at = fields.AwareDateTime()
    change_from_previous = fields.Nested(PremiumChangeSchema, allow_none=True)


class DriftSchema(ContractSchema):
    indication = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    quote = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    bound = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    indication_to_quote = fields.Nested(PremiumChangeSchema, allow_none=True)
    quote_to_bound = fields.Nested(PremiumChangeSchema, allow_none=True)
    indication_to_bound = fields.Nested(PremiumChangeSchema, allow_none=True)


class MarketNegotiationSchema(ContractSchema):
    market_id = fields.String()
    market_name = fields.String()
    status = fields.String()
    rounds = fields.List(fields.Nested(NegotiationRoundSchema))
    revisions = fields.List(fields.Nested(RevisionSchema))
    drift = fields.Nested(DriftSchema)


class NegotiationSchema(ContractSchema):
    submission_id = fields.String()
    markets = fields.List(fields.Nested(MarketNegotiationSchema))

"""Request and response schemas of marketing's HTTP API (unknown fields are refused)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.base import ContractSchema, DecimalString
from shared.contracts.carrier import PaymentPlanSchema, QuotedLineSchema
from shared.contracts.comparison import FeeSchema, QUOTE_STATUSES
from shared.contracts.pagination import PageArgsSchema, page_schema
from shared.contracts.types import (
    LINES_OF_BUSINESS, NAIC_CODE, NAIC_CODE_ERROR, CoverageSchema, NonNegativeMoneySchema, PeriodSchema,
)

LINE = validate.OneOf(tuple(LINES_OF_BUSINESS))
MARKET_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,78}[a-z0-9]$",
                            error="A market id is a short slug: lower-case letters, digits and hyphens.")
NAICS_PREFIX = validate.Regexp(r"^\d{2,6}$", error="A NAICS code or prefix has 2 to 6 digits.")
CLASS_CODE = validate.Regexp(r"^\d{4,5}$", error="A class code has 4 (WC) or 5 (GL) digits.")
APPOINTMENT_STATUSES = ("appointed", "pending", "terminated", "not_appointed")


def _class_codes(**kwargs) -> fields.Dict:
    """Class codes per line: {"WC": ["8810", "7219"], "GL": ["91111"]}."""
    return fields.Dict(keys=fields.String(validate=LINE),
                       values=fields.List(fields.String(validate=CLASS_CODE), validate=validate.Length(max=200)),
                       **kwargs)


# -- markets ---------------------------------------------------------------------------

class AppetiteSchema(ContractSchema):
    lines = fields.List(fields.String(validate=LINE), load_default=list)
    states = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")), load_default=list)
    min_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    max_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    # Optional: the programs it writes, the NAICS classes (prefixes) it writes and those it excludes.
    programs = fields.List(fields.String(validate=validate.Length(min=1, max=80)))
    naics = fields.List(fields.String(validate=NAICS_PREFIX))
    excluded_naics = fields.List(fields.String(validate=NAICS_PREFIX))
    # Optional, beyond NAICS: class codes written and excluded per line, the largest limit
    # written per line (or coverage), and operations excluded (keywords matched against the
    # insured's operations and name; a 2-6 digit entry is a NAICS prefix).
    class_codes = _class_codes()
    excluded_class_codes = _class_codes()
    limit_bands = fields.List(fields.Nested(lambda: LimitBandSchema()), validate=validate.Length(max=100))
    exclusions = fields.List(fields.String(validate=validate.Length(min=2, max=200)), validate=validate.Length(max=200))

    @validates_schema
    def _range(self, data, **_kwargs):
        low, high = data.get("min_premium"), data.get("max_premium")
        if low and high and low["amount"] > high["amount"]:
            raise ValidationError("The minimum premium is above the maximum.", "min_premium")


class LimitBandSchema(ContractSchema):
    line = fields.String(required=True, validate=LINE)
    coverage = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40))
    max_limit = fields.Nested(NonNegativeMoneySchema, required=True)


class MarketFieldsSchema(ContractSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(("carrier", "wholesaler")))
    carrier_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    naic_code = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(NAIC_CODE, error=NAIC_CODE_ERROR))
    admitted = fields.Boolean(load_default=True)
    am_best_rating = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10))
    channel = fields.String(required=True, validate=validate.OneOf(("queue", "email")))
    broker_user = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(load_default=None, allow_none=True)
    appetite = fields.Nested(AppetiteSchema, load_default=dict)
    commission_percent = DecimalString(places=2, load_default=None, allow_none=True,
                                       validate=validate.Range(min=0, max=100))
    active = fields.Boolean(load_default=True)
    appointment_status = fields.String(load_default="appointed", validate=validate.OneOf(APPOINTMENT_STATUSES))
    appointment_effective_date = fields.Date(load_default=None, allow_none=True)


class MarketCreateSchema(MarketFieldsSchema):
    id = fields.String(required=True, validate=MARKET_ID)


class MarketSchema(MarketCreateSchema):
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class MarketQuerySchema(PageArgsSchema):
    active = fields.Boolean(load_default=None, allow_none=True)
    line = fields.String(load_default=None, validate=LINE)
    kind = fields.String(load_default=None, validate=validate.OneOf(("carrier", "wholesaler")))


MarketPageSchema = page_schema(MarketSchema, "MarketPageSchema")


class ReachFieldsSchema(ContractSchema):
    """A carrier a wholesaler or MGA reaches (lines empty = every line)."""

    carrier_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    naic_code = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(NAIC_CODE, error=NAIC_CODE_ERROR))
    admitted = fields.Boolean(required=True)
    lines = fields.List(fields.String(validate=LINE), load_default=list, validate=validate.Length(max=20))


class ReachCreateSchema(ReachFieldsSchema):
    """A new reachable carrier (every field of ReachFieldsSchema, admitted required)."""


class ReachSchema(ReachFieldsSchema):
    id = fields.Integer()
    market_id = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ReachListSchema(ContractSchema):
    market_id = fields.String()
    items = fields.List(fields.Nested(ReachSchema))


# -- submissions -------------------------------------------------------------------------

class LineSpecificationSchema(ContractSchema):
    coverages = fields.List(fields.Nested(CoverageSchema), required=True, validate=validate.Length(min=1))


class SubmissionCreateSchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("renewal", "new_business")))
    expiring_policy_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None)
    client_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    effective_date = fields.Date(load_default=None)
    expiration_date = fields.Date(load_default=None)
    specifications = fields.Dict(keys=fields.String(validate=LINE), values=fields.Nested(LineSpecificationSchema),
                                 load_default=None)
    target_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    underwriting_notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    class_codes = _class_codes(load_default=None, allow_none=True)
    operations = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _by_kind(self, data, **_kwargs):
        if data.get("kind") == "renewal":
            if not data.get("expiring_policy_ids"):
                raise ValidationError("A renewal names the expiring policies it renews.", "expiring_policy_ids")
            stray = [name for name in ("client_id", "effective_date", "expiration_date", "specifications")
                     if data.get(name) is not None]
            if stray:
                raise ValidationError(f"A renewal takes these from its expiring policies: {', '.join(stray)}.")
        elif data.get("kind") == "new_business":
            missing = {name: ["Missing data for required field."] for name in
                       ("client_id", "effective_date", "expiration_date", "specifications") if data.get(name) is None}
            if missing:
                raise ValidationError(missing)


class SpecificationsSchema(ContractSchema):
    specifications = fields.Dict(keys=fields.String(validate=LINE), values=fields.Nested(LineSpecificationSchema),
                                 required=True, validate=validate.Length(min=1))


class RiskDetailsSchema(ContractSchema):
    """What a market's appetite is matched against beyond NAICS (partial updates)."""

    class_codes = _class_codes(allow_none=True)
    operations = fields.String(allow_none=True, validate=validate.Length(max=2000))


class MarketListSchema(ContractSchema):
    market_ids = fields.List(fields.String(validate=validate.Length(min=1, max=80)), required=True,
                             validate=validate.Length(min=1, error="Choose at least one market."))


class SendSchema(ContractSchema):
    respond_by = fields.Date(load_default=None, allow_none=True)
    underwriting_notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class SubmissionMarketSchema(ContractSchema):
    market_id = fields.String()
    market_name = fields.String()
    channel = fields.String()
    status = fields.String()
    sent_at = fields.AwareDateTime(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    carrier_submission_ref = fields.String(allow_none=True)
    status_changed_at = fields.AwareDateTime(allow_none=True)


class ExpiringPolicySchema(ContractSchema):
    policy_id = fields.String()
    line_of_business = fields.String()
    policy_number = fields.String()
    carrier_name = fields.String()
    naic_code = fields.String(allow_none=True)
    premium = fields.Nested(NonNegativeMoneySchema)
    coverages = fields.List(fields.Nested(CoverageSchema))


class SubmissionDocumentSchema(ContractSchema):
    document_id = fields.String()
    kind = fields.String()
    title = fields.String()
    filename = fields.String()
    download_path = fields.String()
    generated_at = fields.AwareDateTime()


class SubmissionSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    program = fields.String()
    insured_name = fields.String()
    kind = fields.String()
    status = fields.String()
    effective_date = fields.Date()
    expiration_date = fields.Date()
    lines = fields.List(fields.String())
    specifications = fields.Dict(keys=fields.String(), values=fields.Nested(LineSpecificationSchema))
    expiring = fields.List(fields.Nested(ExpiringPolicySchema))
    expiring_policy_ids = fields.List(fields.String())
    target_premium = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    underwriting_notes = fields.String(allow_none=True)
    account_manager = fields.String(allow_none=True)
    markets = fields.List(fields.Nested(SubmissionMarketSchema))
    markets_approved_by = fields.String(allow_none=True)
    markets_approved_at = fields.AwareDateTime(allow_none=True)
    program_business = fields.Boolean()
    program_manager_approved_by = fields.String(allow_none=True)
    program_manager_approved_at = fields.AwareDateTime(allow_none=True)
    approvals_pending = fields.List(fields.String())
    class_codes = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), allow_none=True)
    operations = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    respond_by = fields.Date(allow_none=True)
    comparison_ready_at = fields.AwareDateTime(allow_none=True)
    documents = fields.List(fields.Nested(SubmissionDocumentSchema))
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class SubmissionQuerySchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("draft", "approved", "sent", "quoted", "bind_requested", "bound", "closed")))
    client_id = fields.String(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(("renewal", "new_business")))


SubmissionPageSchema = page_schema(SubmissionSchema, "SubmissionPageSchema")


class RankingReasonSchema(ContractSchema):
    criterion = fields.String()
    points = DecimalString(places=2)
    max_points = DecimalString(places=2)
    hard_miss = fields.Boolean()
    detail = fields.String()
    effect = fields.String(validate=validate.OneOf(("fit", "partial", "neutral", "penalty", "miss", "exclusion")))


class MarketHistorySchema(ContractSchema):
    sent = fields.Integer()
    quoted = fields.Integer()
    bound = fields.Integer()
    quote_ratio = DecimalString(places=4, allow_none=True)
    bind_ratio = DecimalString(places=4, allow_none=True)
    median_turnaround_days = DecimalString(places=1, allow_none=True)


class RankedMarketSchema(ContractSchema):
    market_id = fields.String()
    market_name = fields.String()
    admitted = fields.Boolean()
    rank = fields.Integer()
    eligible = fields.Boolean()
    score = DecimalString(places=2)
    appetite_fit = DecimalString(places=2)
    history_score = DecimalString(places=2)
    reasons = fields.List(fields.Nested(RankingReasonSchema))
    history = fields.Nested(MarketHistorySchema)
    kind = fields.String()
    appointment_status = fields.String()
    reachable_carriers = fields.List(fields.Nested(ReachSchema))
    reached_through = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))


class MarketRankingSchema(ContractSchema):
    submission_id = fields.String()
    premium_basis = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    premium_basis_source = fields.String(allow_none=True)
    markets = fields.List(fields.Nested(RankedMarketSchema))


# -- quotes ------------------------------------------------------------------------------

class QuoteSchema(ContractSchema):
    id = fields.String()
    submission_id = fields.String()
    market_id = fields.String()
    market_name = fields.String()
    carrier_quote_ref = fields.String()
    revision = fields.Integer()
    status = fields.String(validate=validate.OneOf(QUOTE_STATUSES))
    declination_reason = fields.String(allow_none=True)
    is_current = fields.Boolean()
    supersedes_id = fields.String(allow_none=True)
    carrier_name = fields.String(allow_none=True)
    naic_code = fields.String(allow_none=True)
    admitted = fields.Boolean()
    effective_date = fields.Date(allow_none=True)
    expiration_date = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(QuotedLineSchema))
    premium = fields.Nested(NonNegativeMoneySchema)
    taxes_fees = fields.List(fields.Nested(FeeSchema))
    total_cost = fields.Nested(NonNegativeMoneySchema)
    commission_percent = DecimalString(places=2, allow_none=True)
    payment_plans = fields.List(fields.Nested(PaymentPlanSchema))
    subjectivities = fields.List(fields.String())
    exclusions = fields.List(fields.String())
    forms = fields.List(fields.String())
    valid_until = fields.Date(allow_none=True)
    underwriter = fields.String(allow_none=True)
    channel = fields.String()
    received_by = fields.String()
    received_at = fields.AwareDateTime()
    expired_at = fields.AwareDateTime(allow_none=True)
    bind_id = fields.String(allow_none=True)


QuotePageSchema = page_schema(QuoteSchema, "QuotePageSchema")


class BindRequestSchema(ContractSchema):
    policy_numbers = fields.Dict(keys=fields.String(validate=LINE),
                                 values=fields.String(validate=validate.Length(min=1, max=80)), load_default=dict)
    payment_plan = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    instructions = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class SurplusLinesChargeSchema(ContractSchema):
    kind = fields.String()
    description = fields.String()
    rate_percent = DecimalString(places=4)
    amount = fields.Nested(NonNegativeMoneySchema)
    citation = fields.String()


class RecordedDeclinationSchema(ContractSchema):
    market_id = fields.String()
    market_name = fields.String()
    carrier_name = fields.String()
    naic_code = fields.String(allow_none=True)
    declined_on = fields.Date()
    reason = fields.String()


class SurplusLinesSchema(ContractSchema):
    home_state = fields.String(allow_none=True)
    effective_date = fields.Date()
    gross_premium = fields.Nested(NonNegativeMoneySchema)
    tax = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    tax_rate_percent = DecimalString(places=4, allow_none=True)
    stamping_fee = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    stamping_fee_rate_percent = DecimalString(places=4, allow_none=True)
    charges = fields.List(fields.Nested(SurplusLinesChargeSchema))
    declinations_required = fields.Integer()
    declinations = fields.List(fields.Nested(RecordedDeclinationSchema))
    broker_license = fields.String()


class BindSubjectivitySchema(ContractSchema):
    id = fields.Integer()
    position = fields.Integer()
    text = fields.String()
    status = fields.String()
    note = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)


class BindSchema(ContractSchema):
    """``bound_by``/``bound_at``: who ordered the bind and when; the market's confirmation
    is ``binder_number``, ``effective_date``, ``changes``, ``confirmed_by``/``confirmed_at``."""

    id = fields.String()
    quote_id = fields.String()
    submission_id = fields.String()
    market_id = fields.String()
    status = fields.String(validate=validate.OneOf(("awaiting_subjectivities", "requested", "bound", "declined",
                                                    "cancelled")))
    policy_numbers = fields.Dict(keys=fields.String(), values=fields.String())
    bound_by = fields.String()
    bound_at = fields.AwareDateTime()
    payment_plan = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    requested_at = fields.AwareDateTime(allow_none=True)
    binder_number = fields.String(allow_none=True)
    effective_date = fields.Date(allow_none=True)
    expiration_date = fields.Date(allow_none=True)
    changes = fields.List(fields.String())
    confirmed_by = fields.String(allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    confirmation_channel = fields.String(allow_none=True)
    ended_reason = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    subjectivities = fields.List(fields.Nested(BindSubjectivitySchema))
    surplus_lines = fields.Nested(SurplusLinesSchema, allow_none=True)


class AffidavitPartySchema(ContractSchema):
    name = fields.String()
    dba = fields.String(allow_none=True)
    address = fields.Dict(allow_none=True)


class AffidavitCarrierSchema(ContractSchema):
    market_id = fields.String()
    market_name = fields.String()
    carrier_name = fields.String()
    naic_code = fields.String(allow_none=True)


class AffidavitBrokerSchema(ContractSchema):
    name = fields.String()
    license_number = fields.String()


class SurplusLinesAffidavitSchema(ContractSchema):
    bind_id = fields.String()
    submission_id = fields.String()
    insured = fields.Nested(AffidavitPartySchema)
    carrier = fields.Nested(AffidavitCarrierSchema)
    policy_numbers = fields.Dict(keys=fields.String(), values=fields.String())
    effective_date = fields.Date()
    expiration_date = fields.Date()
    home_state = fields.String(allow_none=True)
    gross_premium = fields.Nested(NonNegativeMoneySchema)
    tax = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    stamping_fee = fields.Nested(NonNegativeMoneySchema, allow_none=True)
    charges = fields.List(fields.Nested(SurplusLinesChargeSchema))
    declinations_required = fields.Integer()
    declinations = fields.List(fields.Nested(RecordedDeclinationSchema))
    broker = fields.Nested(AffidavitBrokerSchema)


class IssuedPolicySchema(ContractSchema):
    """The issued policy as keyed in: the quote's coverage model."""

    lines = fields.List(fields.Nested(QuotedLineSchema), required=True, validate=validate.Length(min=1))
    forms = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)
    exclusions = fields.List(fields.String(validate=validate.Length(min=1, max=300)), load_default=list)
    policy_numbers = fields.Dict(keys=fields.String(validate=LINE),
                                 values=fields.String(validate=validate.Length(min=1, max=80)), load_default=dict)
    period = fields.Nested(PeriodSchema, load_default=None, allow_none=True,
                           metadata={"description": "The term printed on the policy; checked against the binder's."})


class DiscrepancySchema(ContractSchema):
    kind = fields.String()
    line_of_business = fields.String(allow_none=True)
    coverage_code = fields.String(allow_none=True)
    expected = fields.String(allow_none=True)
    found = fields.String(allow_none=True)
    detail = fields.String()


class PolicyCheckSchema(ContractSchema):
    id = fields.String()
    bind_id = fields.String()
    policy_numbers = fields.Dict(keys=fields.String(), values=fields.String())
    premium = fields.Nested(NonNegativeMoneySchema)
    discrepancy_count = fields.Integer()
    discrepancies = fields.List(fields.Nested(DiscrepancySchema))
    period = fields.Nested(PeriodSchema, allow_none=True)
    checked_by = fields.String()
    checked_at = fields.AwareDateTime()


class AffidavitQuerySchema(ContractSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class DocumentRequestsSchema(ContractSchema):
    request_ids = fields.List(fields.String())

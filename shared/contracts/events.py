"""Every domain event between the services, one schema per type and version.

Routing key = ``type``.  Naming: ``<service>.<entity>.<past-tense verb>``.
"""
from __future__ import annotations

from marshmallow import fields, validate

from shared.contracts.base import ContractSchema, DecimalString
from shared.contracts.comparison import DOCUMENT_PAYLOADS, QUOTE_STATUSES
from shared.contracts.registry import event
from shared.contracts.types import (
    LINES_OF_BUSINESS, AddressSchema, CoverageSchema, CredentialSchema, InsuredSchema,
    MarketRefSchema, NonNegativeMoneySchema, PeriodSchema, PolicySnapshotSchema,
)

# ---------------------------------------------------------------- accounts


class ClientContactSchema(ContractSchema):
    """A person at the client (roles such as owner, officer, safety_manager, billing, claims,
    certificate_holder_contact)."""

    contact_id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(load_default=None, allow_none=True)
    roles = fields.List(fields.String(), load_default=list)
    email = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    preferred_channel = fields.String(load_default=None, allow_none=True,
                                      validate=validate.OneOf(("email", "phone", "mail", "text")))
    primary = fields.Boolean(load_default=False)


class ClientLocationValuesSchema(ContractSchema):
    building = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    contents = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    business_income = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)


class ClientLocationSchema(ContractSchema):
    """A premises of the client, numbered as applications and schedules number them."""

    location_id = fields.String(required=True)
    number = fields.Integer(required=True, validate=validate.Range(min=1))
    address = fields.Nested(AddressSchema, required=True)
    description = fields.String(load_default=None, allow_none=True)
    occupancy = fields.String(load_default=None, allow_none=True)
    values = fields.Nested(ClientLocationValuesSchema, load_default=None, allow_none=True)
    employee_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    primary = fields.Boolean(load_default=False)
    mailing = fields.Boolean(load_default=False)


class CredentialClassificationsSchema(ContractSchema):
    """The classifications a credential carries (a CSLB licence's B, C-10, C-61/D-49 …),
    kept beside ``credentials`` so the shared credential shape is unchanged."""

    kind = fields.String(required=True)
    number = fields.String(required=True)
    codes = fields.List(fields.String(), required=True)


class ClientSnapshotSchema(ContractSchema):
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    name = fields.String(required=True)
    dba = fields.String(load_default=None, allow_none=True)
    entity_type = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(("prospect", "client", "former")))
    naics = fields.String(load_default=None, allow_none=True)
    sic = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}$"))
    address = fields.Nested(AddressSchema, load_default=None, allow_none=True)
    account_manager = fields.String(load_default=None, allow_none=True)
    producer = fields.String(load_default=None, allow_none=True)
    credentials = fields.List(fields.Nested(CredentialSchema), load_default=list)
    classifications = fields.List(fields.Nested(CredentialClassificationsSchema), load_default=list,
                                  metadata={"description": "per credential that has them (CSLB licence)"})
    contacts = fields.List(fields.Nested(ClientContactSchema), load_default=list)
    locations = fields.List(fields.Nested(ClientLocationSchema), load_default=list)


@event("accounts.client.registered", 1, "A client or prospect was created.")
class ClientRegisteredV1(ClientSnapshotSchema):
    pass


@event("accounts.client.updated", 1, "A client's details or regulatory credentials changed; carries the whole snapshot.")
class ClientUpdatedV1(ClientSnapshotSchema):
    changed = fields.List(fields.String(), load_default=list, metadata={
        "description": "what changed: field names such as credentials, classifications, status, contacts"})


@event("accounts.policy.recorded", 1, "A policy term was recorded (new, renewal, or bound through marketing).")
class PolicyRecordedV1(ContractSchema):
    policy = fields.Nested(PolicySnapshotSchema, required=True)
    insured = fields.Nested(InsuredSchema, required=True)
    bound_quote_id = fields.String(load_default=None, allow_none=True)


CANCELLATION_REASONS = ("non_payment", "insured_request", "underwriting", "carrier_withdrawal", "other")
CANCELLATION_REQUESTERS = ("insured", "carrier", "agency")


@event("accounts.policy.cancelled", 1, "A policy term was cancelled: why, who asked, the notice date and the date "
                                       "coverage ends.  accounts.policy.recorded with status cancelled accompanies it.")
class PolicyCancelledV1(ContractSchema):
    policy = fields.Nested(PolicySnapshotSchema, required=True)
    insured = fields.Nested(InsuredSchema, required=True)
    reason = fields.String(required=True, validate=validate.OneOf(CANCELLATION_REASONS))
    requested_by = fields.String(required=True, validate=validate.OneOf(CANCELLATION_REQUESTERS))
    notice_date = fields.Date(required=True)
    effective_date = fields.Date(required=True)


@event("accounts.renewal.due", 1, "A policy term reached a renewal lead time (raised once per term and lead time).")
class RenewalDueV1(ContractSchema):
    policy = fields.Nested(PolicySnapshotSchema, required=True)
    insured = fields.Nested(InsuredSchema, required=True)
    lead_days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    expiration_date = fields.Date(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)


class LossFiguresSchema(ContractSchema):
    """Claims and premium over a period: loss ratio = incurred / earned premium (percent),
    frequency = claims per policy year, severity = incurred per claim."""

    claim_count = fields.Integer(required=True, validate=validate.Range(min=0))
    open_claim_count = fields.Integer(required=True, validate=validate.Range(min=0))
    paid = fields.Nested(NonNegativeMoneySchema, required=True)
    reserved = fields.Nested(NonNegativeMoneySchema, required=True)
    incurred = fields.Nested(NonNegativeMoneySchema, required=True)
    recoveries = fields.Nested(NonNegativeMoneySchema, required=True)
    earned_premium = fields.Nested(NonNegativeMoneySchema, required=True)
    loss_ratio_percent = DecimalString(places=2, required=True, allow_none=True)
    frequency = DecimalString(places=2, required=True, validate=validate.Range(min=0))
    severity = fields.Nested(NonNegativeMoneySchema, required=True, allow_none=True)
    large_loss_count = fields.Integer(required=True, validate=validate.Range(min=0))


class PolicyYearLossesSchema(LossFiguresSchema):
    policy_year = fields.Integer(required=True)
    lines = fields.List(fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))), required=True)


class FiveYearLossesSchema(LossFiguresSchema):
    from_year = fields.Integer(required=True)
    to_year = fields.Integer(required=True)
    years_with_coverage = fields.Integer(required=True, validate=validate.Range(min=0, max=5))


class LargeLossSchema(ContractSchema):
    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    policy_id = fields.String(required=True)
    policy_year = fields.Integer(required=True)
    date_of_loss = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "closed", "reopened")))
    incurred = fields.Nested(NonNegativeMoneySchema, required=True)


@event("accounts.losses.updated", 1, "A client's loss history changed (a claim recorded, changed or removed, or a "
                                      "loss run imported); carries the loss summary as of that day.")
class LossesUpdatedV1(ContractSchema):
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(
        ("claim_recorded", "claim_changed", "claim_removed", "loss_run_imported")))
    as_of = fields.Date(required=True)
    large_loss_threshold = fields.Nested(NonNegativeMoneySchema, required=True)
    policy_years = fields.List(fields.Nested(PolicyYearLossesSchema), required=True)
    five_years = fields.Nested(FiveYearLossesSchema, required=True)
    large_losses = fields.List(fields.Nested(LargeLossSchema), required=True)


# ---------------------------------------------------------------- marketing


class SubmissionRefSchema(ContractSchema):
    submission_id = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    market_id = fields.String(required=True)
    market_name = fields.String(required=True)


@event("marketing.submission.sent", 1, "A submission was sent to one market.")
class SubmissionSentV1(SubmissionRefSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("renewal", "new_business")))
    lines = fields.List(fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))), required=True)
    effective_date = fields.Date(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(("queue", "email")))


class EmailAttachmentSchema(ContractSchema):
    kind = fields.String(required=True)
    document_id = fields.String(required=True)
    filename = fields.String(required=True)
    media_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True, validate=validate.Range(min=0))


@event("marketing.submission.emailed", 1, "A submission package was emailed to a market on the email channel "
                                          "(the SMTP relay accepted it); carries the message as sent.")
class SubmissionEmailedV1(SubmissionRefSchema):
    email_id = fields.String(required=True)
    message_id = fields.String(required=True, validate=validate.Length(min=1, max=300))
    sender = fields.String(required=True, validate=validate.Length(min=1, max=320))
    recipients = fields.List(fields.String(validate=validate.Length(min=1, max=320)), required=True,
                             validate=validate.Length(min=1))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body = fields.String(required=True)
    attachments = fields.List(fields.Nested(EmailAttachmentSchema), required=True)
    sent_at = fields.AwareDateTime(required=True)
    attempts = fields.Integer(required=True, validate=validate.Range(min=1))
    account_manager = fields.String(load_default=None, allow_none=True)


@event("marketing.quote.received", 1, "A market answered with a quote, indication or referral.")
class QuoteReceivedV1(SubmissionRefSchema):
    quote_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(tuple(s for s in QUOTE_STATUSES if s != "declined")))
    revision = fields.Integer(required=True, validate=validate.Range(min=1))
    total_cost = fields.Nested(NonNegativeMoneySchema, required=True)
    valid_until = fields.Date(load_default=None, allow_none=True)


@event("marketing.quote.declined", 1, "A market declined a submission, with its reason.")
class QuoteDeclinedV1(SubmissionRefSchema):
    quote_id = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1))


@event("marketing.quote.overdue", 1, "A market sent a submission has not answered by its respond-by date "
       "(raised once per submission and market).")
class QuoteOverdueV1(SubmissionRefSchema):
    insured_name = fields.String(required=True)
    lines = fields.List(fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))), required=True)
    effective_date = fields.Date(required=True)
    sent_at = fields.AwareDateTime(required=True)
    respond_by = fields.Date(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)


@event("marketing.quote.expired", 1, "A market's current quote or indication passed its valid-until date unbound "
       "(raised once per quote revision); it can no longer be bound until the market revises it.")
class QuoteExpiredV1(SubmissionRefSchema):
    quote_id = fields.String(required=True)
    carrier_quote_ref = fields.String(required=True)
    revision = fields.Integer(required=True, validate=validate.Range(min=1))
    status = fields.String(required=True, validate=validate.OneOf(("quoted", "indication")))
    valid_until = fields.Date(required=True)
    total_cost = fields.Nested(NonNegativeMoneySchema, required=True)
    insured_name = fields.String(required=True)
    effective_date = fields.Date(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)


class BindRefSchema(SubmissionRefSchema):
    bind_id = fields.String(required=True)
    quote_id = fields.String(required=True)
    carrier_quote_ref = fields.String(required=True)
    revision = fields.Integer(required=True, validate=validate.Range(min=1))
    insured_name = fields.String(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)


@event("marketing.bind.requested", 1, "A bind order went to the market (over the carrier contract, or to be "
       "confirmed by email for an email market); the market's binder is awaited by ``binder_due``.")
class BindRequestedV1(BindRefSchema):
    channel = fields.String(required=True, validate=validate.OneOf(("queue", "email")))
    total_cost = fields.Nested(NonNegativeMoneySchema, required=True)
    effective_date = fields.Date(required=True)
    requested_by = fields.String(required=True)
    requested_at = fields.AwareDateTime(required=True)
    binder_due = fields.Date(required=True)


@event("marketing.bind.declined", 1, "The market refused to bind the quote it was ordered to bind (its reason); the "
       "submission is open again for another market's quote.")
class BindDeclinedV1(BindRefSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1))
    declined_by = fields.String(required=True)
    declined_at = fields.AwareDateTime(required=True)


@event("marketing.bind.cancelled", 1, "The agency withdrew a bind order before the market confirmed it (the "
       "market is told over the carrier contract); the quote may be bound again.")
class BindCancelledV1(BindRefSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1))
    cancelled_by = fields.String(required=True)
    cancelled_at = fields.AwareDateTime(required=True)


@event("marketing.comparison.ready", 1, "Every market on a submission has answered; the comparison is ready.")
class ComparisonReadyV1(ContractSchema):
    submission_id = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    quote_count = fields.Integer(required=True)
    declination_count = fields.Integer(required=True)
    best_quote_id = fields.String(load_default=None, allow_none=True)


class BoundPolicySchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    policy_number = fields.String(required=True)
    market = fields.Nested(MarketRefSchema, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    coverages = fields.List(fields.Nested(CoverageSchema), load_default=list)
    premium = fields.Nested(NonNegativeMoneySchema, required=True)
    replaces_policy_id = fields.String(load_default=None, allow_none=True)


@event("marketing.policy.bound", 1, "A quote was bound: the new policy terms with full coverage records.")
class PolicyBoundV1(ContractSchema):
    bind_id = fields.String(required=True)
    quote_id = fields.String(required=True)
    submission_id = fields.String(required=True)
    insured = fields.Nested(InsuredSchema, required=True)
    policies = fields.List(fields.Nested(BoundPolicySchema), required=True, validate=validate.Length(min=1))
    bound_by = fields.String(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)


POLICY_DISCREPANCY_KINDS = (
    "missing_line", "extra_line", "premium", "missing_coverage", "extra_coverage", "limit", "deductible",
    "missing_form", "extra_form", "new_exclusion", "removed_exclusion", "term",
)


class PolicyDiscrepancySchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(POLICY_DISCREPANCY_KINDS))
    line_of_business = fields.String(load_default=None, allow_none=True)
    coverage_code = fields.String(load_default=None, allow_none=True)
    expected = fields.String(load_default=None, allow_none=True)
    found = fields.String(load_default=None, allow_none=True)
    detail = fields.String(required=True)


@event("marketing.policy.discrepancies_found", 1, "The issued policy differs from the bound quote; every difference "
                                                   "listed (raised once per policy check).")
class PolicyDiscrepanciesFoundV1(ContractSchema):
    check_id = fields.String(required=True)
    bind_id = fields.String(required=True)
    quote_id = fields.String(required=True)
    submission_id = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    market_id = fields.String(required=True)
    market_name = fields.String(required=True)
    policy_numbers = fields.List(fields.String(), required=True)
    account_manager = fields.String(load_default=None, allow_none=True)
    discrepancies = fields.List(fields.Nested(PolicyDiscrepancySchema), required=True, validate=validate.Length(min=1))


# ---------------------------------------------------------------- documents


@event("documents.document.requested", 1, "Render a document; the payload carries everything needed.")
class DocumentRequestedV1(ContractSchema):
    request_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(DOCUMENT_PAYLOADS)))
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    title = fields.String(required=True)
    payload = fields.Dict(required=True)


@event("documents.document.generated", 1, "A requested document was rendered and stored.")
class DocumentGeneratedV1(ContractSchema):
    document_id = fields.String(required=True)
    request_id = fields.String(required=True)
    kind = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    title = fields.String(required=True)
    filename = fields.String(required=True)
    media_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    download_path = fields.String(required=True)


@event("documents.document.failed", 1, "A requested document could not be rendered.")
class DocumentFailedV1(ContractSchema):
    request_id = fields.String(required=True)
    kind = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    reason = fields.String(required=True)


# ---------------------------------------------------------------- compliance


class FilingRefSchema(ContractSchema):
    filing_id = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    body = fields.String(required=True)
    form = fields.String(required=True)
    credential = fields.Nested(CredentialSchema, required=True)
    policy_number = fields.String(load_default=None, allow_none=True)


@event("compliance.filing.due", 1, "A regulatory filing must be made by its due date.")
class FilingDueV1(FilingRefSchema):
    due_on = fields.Date(required=True)
    reason = fields.String(required=True)
    rule_id = fields.String(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)


@event("compliance.filing.status_changed", 1, "A regulatory filing moved in its lifecycle (requested, submitted "
       "(filed), pending review, accepted, active, rejected, waived, cancel pending, cancelled, superseded, "
       "expired): from which status to which, who moved it and when.")
class FilingStatusChangedV1(FilingRefSchema):
    rule_id = fields.String(required=True)
    from_status = fields.String(required=True, validate=validate.Length(min=1))
    to_status = fields.String(required=True, validate=validate.Length(min=1))
    changed_by = fields.String(required=True, validate=validate.Length(min=1))
    changed_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default=None, allow_none=True)
    due_on = fields.Date(required=True)
    cancellation_effective_on = fields.Date(load_default=None, allow_none=True)
    account_manager = fields.String(load_default=None, allow_none=True)


@event("compliance.filing.overdue", 1, "A regulatory filing's due date passed and it has not been submitted to the "
       "body (raised once per filing, by the deadline sweep).")
class FilingOverdueV1(FilingRefSchema):
    rule_id = fields.String(required=True)
    due_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.Length(min=1))
    detected_on = fields.Date(required=True)
    days_overdue = fields.Integer(required=True, validate=validate.Range(min=1))
    who_files = fields.String(load_default=None, allow_none=True)
    reason = fields.String(required=True)
    account_manager = fields.String(load_default=None, allow_none=True)

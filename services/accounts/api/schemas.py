"""Request and response schemas of the accounts API.  Requests subclass ContractSchema,
so unknown fields are refused (422)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from services.accounts.domain.activities import ACTIVITY_TYPES, PRIORITIES, STATUSES
from services.accounts.domain.clients import CLIENT_STATUSES
from services.accounts.domain.communications import DIRECTIONS
from services.accounts.domain.contacts import CHANNELS, CONTACT_ROLES
from services.accounts.domain.credentials import MAX_CLASSIFICATIONS
from services.accounts.domain.diary import VIEWS as DIARY_VIEWS
from services.accounts.domain.hand_overs import HAND_OVER_KINDS
from services.accounts.domain.pipeline import STAGES as PIPELINE_STAGES
from services.accounts.domain.communications import KINDS as COMMUNICATION_KINDS
from services.accounts.domain.locations import MAX_LOCATION_NUMBER
from services.accounts.domain.loss_runs import DEFAULT_DATE_FORMAT, OUR_FIELDS
from services.accounts.domain.losses import CLAIM_STATUSES
from services.accounts.domain.policies import POLICY_STATUSES
from shared.contracts.base import ContractSchema, DecimalString
from shared.contracts.events import (
    CANCELLATION_REASONS, CANCELLATION_REQUESTERS, FiveYearLossesSchema, LargeLossSchema, PolicyYearLossesSchema,
)
from shared.contracts.pagination import PageArgsSchema, page_schema
from shared.contracts.types import (
    LINES_OF_BUSINESS, AddressSchema, CoverageSchema, CredentialSchema, MarketRefSchema, MoneySchema,
    NonNegativeMoneySchema, PeriodSchema,
)

ENTITY_TYPES = ("individual", "sole_proprietor", "partnership", "llc", "corporation", "s_corporation",
                "joint_venture", "nonprofit", "trust", "government", "other")
PROGRAM = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,59}$", error="A program code: lower-case letters, digits, - and _.")
USER = validate.Length(min=1, max=120)
NAICS = validate.Regexp(r"^\d{2,6}$", error="A NAICS code: two to six digits.")
SIC = validate.Regexp(r"^\d{4}$", error="A SIC code: four digits.")
# NUMERIC(14, 2): the largest amount a value column holds.
MAX_AMOUNT = Decimal("999999999999.99")


def _optional_text(max_length: int, **kwargs):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


# -- clients ----------------------------------------------------------------------------

class ClientCredentialSchema(CredentialSchema):
    expires_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "licences and permits; USDOT, MC and WCIRB numbers do not expire"})
    classifications = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)), load_default=list,
        validate=validate.Length(max=MAX_CLASSIFICATIONS),
        metadata={"description": "CSLB licence classifications, e.g. B, C-10, C-61/D-49 (CSLB licences only)"})


class ClientChangesSchema(ContractSchema):
    """Every field optional: what PATCH changes.  ``credentials`` replaces the whole list."""

    program = fields.String(validate=PROGRAM)
    name = fields.String(validate=validate.Length(min=1, max=200))
    dba = _optional_text(200)
    entity_type = fields.String(allow_none=True, validate=validate.OneOf(ENTITY_TYPES))
    fein = fields.String(allow_none=True, metadata={"description": "nine digits, 12-3456789"})
    naics = fields.String(allow_none=True, validate=NAICS)
    sic = fields.String(allow_none=True, validate=SIC, metadata={"description": "four-digit SIC code"})
    status = fields.String(validate=validate.OneOf(CLIENT_STATUSES))
    address = fields.Nested(AddressSchema, allow_none=True)
    account_manager = fields.String(allow_none=True, validate=USER)
    producer = fields.String(allow_none=True, validate=USER)
    assistant = fields.String(allow_none=True, validate=USER)
    credentials = fields.List(fields.Nested(ClientCredentialSchema), validate=validate.Length(max=50))


class ClientCreateSchema(ClientChangesSchema):
    program = fields.String(required=True, validate=PROGRAM)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(load_default="prospect", validate=validate.OneOf(CLIENT_STATUSES))
    credentials = fields.List(fields.Nested(ClientCredentialSchema), load_default=list,
                              validate=validate.Length(max=50))


class ClientListArgsSchema(PageArgsSchema):
    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "name prefix"})
    dba = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "DBA prefix"})
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "name or DBA prefix (one search box)"})
    credential_number = fields.String(validate=validate.Length(min=1, max=40))
    policy_number = fields.String(validate=validate.Length(min=1, max=60))
    fein = fields.String(validate=validate.Length(min=9, max=11))
    naics = fields.String(validate=NAICS, metadata={"description": "NAICS code or prefix (48: transportation)"})
    sic = fields.String(validate=validate.Regexp(r"^\d{1,4}$", error="A SIC code or prefix: one to four digits."),
                        metadata={"description": "SIC code or prefix (42: motor freight)"})
    status = fields.String(validate=validate.OneOf(CLIENT_STATUSES))
    account_manager = fields.String(validate=USER)
    producer = fields.String(validate=USER)
    assistant = fields.String(validate=USER)
    team_member = fields.String(validate=USER, metadata={
        "description": 'the account manager, producer or assistant ("me": the caller)'})
    program = fields.String(validate=PROGRAM)


class CredentialOutSchema(ContractSchema):
    kind = fields.String()
    number = fields.String()
    expires_on = fields.Date(allow_none=True)
    classifications = fields.List(fields.String())


class CancellationSchema(ContractSchema):
    reason = fields.String()
    requested_by = fields.String()
    notice_date = fields.Date()
    effective_date = fields.Date()
    cancelled_by = fields.String()
    cancelled_at = fields.AwareDateTime()


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
    replaces_policy_id = fields.String(allow_none=True, metadata={"description": "the expiring term this renews"})
    renewal_policy_id = fields.String(allow_none=True, metadata={"description": "the term renewing this one"})
    bind_id = fields.String(allow_none=True)
    bound_quote_id = fields.String(allow_none=True)
    cancellation = fields.Nested(CancellationSchema, allow_none=True, metadata={"description": "set once cancelled"})
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


class ChecklistProgressSchema(ContractSchema):
    checklist_id = fields.String()
    kind = fields.String()
    policy_id = fields.String(allow_none=True)
    done = fields.Integer()
    total = fields.Integer()


class FileSetupSchema(ContractSchema):
    done = fields.Integer()
    total = fields.Integer()
    checklists = fields.List(fields.Nested(ChecklistProgressSchema))


# -- contacts and locations -------------------------------------------------------------

class ContactChangesSchema(ContractSchema):
    """Every field optional: what PATCH changes."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    title = _optional_text(120)
    roles = fields.List(fields.String(validate=validate.OneOf(CONTACT_ROLES)), validate=validate.Length(max=10))
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40),
                          metadata={"description": "e.g. 916-555-0142 x12 or +44 20 7946 0958"})
    preferred_channel = fields.String(allow_none=True, validate=validate.OneOf(CHANNELS),
                                      metadata={"description": "email and text need the email / phone"})
    primary = fields.Boolean(metadata={"description": "the client's primary contact (one per client)"})
    notes = _optional_text(5000)


class ContactCreateSchema(ContactChangesSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.String(validate=validate.OneOf(CONTACT_ROLES)), load_default=list,
                        validate=validate.Length(max=10))
    primary = fields.Boolean(load_default=None, allow_none=True,
                             metadata={"description": "default: primary when the client has no primary contact"})


class ContactSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    name = fields.String()
    title = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    preferred_channel = fields.String(allow_none=True)
    primary = fields.Boolean()
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


ContactPageSchema = page_schema(ContactSchema, "ContactPageSchema")


class LocationValueSchema(NonNegativeMoneySchema):
    amount = DecimalString(places=2, required=True, validate=validate.Range(min=0, max=MAX_AMOUNT))


class LocationValuesSchema(ContractSchema):
    building = fields.Nested(LocationValueSchema, load_default=None, allow_none=True)
    contents = fields.Nested(LocationValueSchema, load_default=None, allow_none=True)
    business_income = fields.Nested(LocationValueSchema, load_default=None, allow_none=True)


class LocationChangesSchema(ContractSchema):
    """Every field optional: what PATCH changes (``address`` and ``values`` replace the whole)."""

    number = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_LOCATION_NUMBER),
                            metadata={"description": "unique per client"})
    address = fields.Nested(AddressSchema)
    description = _optional_text(300)
    occupancy = _optional_text(200)
    values = fields.Nested(LocationValuesSchema, allow_none=True,
                           metadata={"description": "insured values, all in one currency"})
    employee_count = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=10_000_000))
    primary = fields.Boolean(metadata={"description": "the primary location (one per client)"})
    mailing = fields.Boolean(metadata={"description": "the mailing location (one per client)"})


class LocationCreateSchema(LocationChangesSchema):
    number = fields.Integer(strict=True, load_default=None, allow_none=True,
                            validate=validate.Range(min=1, max=MAX_LOCATION_NUMBER),
                            metadata={"description": "default: the next free number"})
    address = fields.Nested(AddressSchema, required=True)
    primary = fields.Boolean(load_default=None, allow_none=True,
                             metadata={"description": "default: primary when it is the client's first location"})
    mailing = fields.Boolean(load_default=False)


class LocationOutValuesSchema(ContractSchema):
    building = fields.Nested(MoneySchema, allow_none=True)
    contents = fields.Nested(MoneySchema, allow_none=True)
    business_income = fields.Nested(MoneySchema, allow_none=True)


class LocationSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    number = fields.Integer()
    address = fields.Nested(AddressSchema)
    description = fields.String(allow_none=True)
    occupancy = fields.String(allow_none=True)
    values = fields.Nested(LocationOutValuesSchema)
    employee_count = fields.Integer(allow_none=True)
    primary = fields.Boolean()
    mailing = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


LocationPageSchema = page_schema(LocationSchema, "LocationPageSchema")


class ClientSchema(ClientSummarySchema):
    file_setup = fields.Nested(FileSetupSchema, metadata={"description": "checklist progress (done/total)"})
    entity_type = fields.String(allow_none=True)
    naics = fields.String(allow_none=True)
    sic = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    contacts = fields.List(fields.Nested(ContactSchema), metadata={"description": "primary first, then by name"})
    locations = fields.List(fields.Nested(LocationSchema), metadata={"description": "by location number"})
    policies = fields.List(fields.Nested(PolicyOutSchema))


ClientPageSchema = page_schema(ClientSummarySchema, "ClientPageSchema")


# -- policies ---------------------------------------------------------------------------

class PolicyMarketSchema(MarketRefSchema):
    """The market as a policy term records it: the carrier (NAIC code when known), and the
    wholesaler when placed through one; each within what the columns hold."""

    market_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=80))
    carrier_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    wholesaler = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200),
                               metadata={"description": "the wholesaler / MGA the term was placed through"})


class PolicyCreateSchema(ContractSchema):
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    policy_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    market = fields.Nested(PolicyMarketSchema, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    status = fields.String(load_default="in_force", validate=validate.OneOf(POLICY_STATUSES))
    premium = fields.Nested(NonNegativeMoneySchema, required=True)
    coverages = fields.List(fields.Nested(CoverageSchema), load_default=list, validate=validate.Length(max=100))
    replaces_policy_id = fields.String(load_default=None, allow_none=True)


PolicyPageSchema = page_schema(PolicyOutSchema, "PolicyPageSchema")


class PolicyCancelSchema(ContractSchema):
    reason = fields.String(required=True, validate=validate.OneOf(CANCELLATION_REASONS))
    requested_by = fields.String(required=True, validate=validate.OneOf(CANCELLATION_REQUESTERS))
    notice_date = fields.Date(required=True)
    effective_date = fields.Date(required=True, metadata={"description": "on or after notice_date, within the term"})


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


class FollowUpSchema(ContractSchema):
    type = fields.String(required=True, validate=validate.OneOf(tuple(ACTIVITY_TYPES)))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_on = fields.Date(required=True, metadata={"description": "today or later"})


class ActivityCompleteSchema(ContractSchema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    follow_up = fields.Nested(FollowUpSchema, load_default=None, allow_none=True, metadata={
        "description": "opens the next activity in the chain (follows_id = this one), same account and assignee"})


class ActivityReassignSchema(ContractSchema):
    assignee = fields.String(required=True, validate=USER)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ActivityDelegateSchema(ContractSchema):
    delegate = fields.String(required=True, validate=USER, metadata={"description": "who works it for the assignee"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ActivityUndelegateSchema(ContractSchema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReassignmentSchema(ContractSchema):
    id = fields.String()
    kind = fields.String(metadata={"description": ", ".join(HAND_OVER_KINDS)})
    from_assignee = fields.String(allow_none=True)
    to_assignee = fields.String()
    reassigned_by = fields.String()
    reassigned_at = fields.AwareDateTime()
    note = fields.String(allow_none=True)


class ActivityHistorySchema(ContractSchema):
    activity_id = fields.String()
    assignee = fields.String(allow_none=True)
    delegate = fields.String(allow_none=True)
    reassignments = fields.List(fields.Nested(ReassignmentSchema), metadata={
        "description": "every hand-over, oldest first: reassignments, delegations and out-of-office cover"})


class ActivityListArgsSchema(PageArgsSchema):
    assignee = fields.String(validate=USER, metadata={
        "description": '"me" or a user id: the activities they own and those delegated to them'})
    status = fields.String(validate=validate.OneOf(STATUSES))
    client_id = fields.String()
    due_before = fields.Date(metadata={"description": "due on or before this date"})
    view = fields.String(validate=validate.OneOf(DIARY_VIEWS), metadata={
        "description": "overdue (open, due before today), due_this_week (open, due today through Sunday), "
                       "team (a program manager's program, any assignee; needs program)"})
    program = fields.String(validate=PROGRAM, metadata={"description": "one of the caller's programs"})


class ActivitySchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    policy_id = fields.String(allow_none=True)
    type = fields.String()
    subject = fields.String()
    details = fields.String(allow_none=True)
    due_on = fields.Date()
    priority = fields.String()
    assignee = fields.String(allow_none=True, metadata={"description": "the owner, accountable for it"})
    delegate = fields.String(allow_none=True, metadata={"description": "working it for the assignee"})
    delegated = fields.Boolean()
    original_assignee = fields.String(allow_none=True, metadata={
        "description": "set while the activity is with an absent user's backup: whom it returns to"})
    status = fields.String()
    outcome = fields.String(allow_none=True)
    source_key = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    completed_by = fields.String(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    follows_id = fields.String(allow_none=True, metadata={"description": "the activity whose completion opened this"})


class ActivityCompletedSchema(ActivitySchema):
    follow_up = fields.Nested(ActivitySchema, allow_none=True, metadata={"description": "the chained activity"})


ActivityPageSchema = page_schema(ActivitySchema, "ActivityPageSchema")


# -- renewal pipeline -------------------------------------------------------------------

class RenewalPipelineArgsSchema(PageArgsSchema):
    within_days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=730),
                                 metadata={"description": "terms expiring within this many days"})
    lapsed_days = fields.Integer(load_default=30, validate=validate.Range(min=0, max=365),
                                 metadata={"description": "also show terms expired in the last this many days"})
    account_manager = fields.String(validate=USER)
    program = fields.String(validate=PROGRAM, metadata={"description": "one of the caller's programs"})
    stage = fields.String(validate=validate.OneOf(PIPELINE_STAGES))
    totals = fields.Boolean(load_default=True, metadata={
        "description": "false: leave out the totals (they read the whole selection; the page alone costs the "
                       "same in a book of any size)"})


class RenewalEntrySchema(ContractSchema):
    policy_id = fields.String()
    client_id = fields.String()
    client_name = fields.String()
    program = fields.String()
    account_manager = fields.String(allow_none=True)
    line_of_business = fields.String()
    policy_number = fields.String()
    carrier_name = fields.String()
    expiration_date = fields.Date()
    days_to_expiration = fields.Integer()
    status = fields.String()
    stage = fields.String(metadata={"description": ", ".join(PIPELINE_STAGES)})
    renewal_policy_id = fields.String(allow_none=True)
    expiring_premium = fields.Nested(MoneySchema)


class PipelineTotalSchema(ContractSchema):
    count = fields.Integer()
    premium = fields.Nested(MoneySchema)


class StageTotalSchema(PipelineTotalSchema):
    stage = fields.String()


class ManagerTotalSchema(PipelineTotalSchema):
    account_manager = fields.String(allow_none=True)


class PipelineTotalsSchema(ContractSchema):
    overall = fields.List(fields.Nested(PipelineTotalSchema), metadata={"description": "one per currency"})
    by_stage = fields.List(fields.Nested(StageTotalSchema), metadata={"description": "every stage, per currency"})
    by_account_manager = fields.List(fields.Nested(ManagerTotalSchema))


class RenewalPipelineSchema(page_schema(RenewalEntrySchema, "RenewalPageSchema")):
    as_of = fields.Date()
    within_days = fields.Integer()
    totals = fields.Nested(PipelineTotalsSchema, metadata={"description": "absent with totals=false"})


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


# -- loss history -----------------------------------------------------------------------

class ClaimChangesSchema(ContractSchema):
    """Every field optional: what PATCH changes.  ``incurred: null`` derives it again
    (paid + reserved)."""

    claim_number = fields.String(validate=validate.Length(min=1, max=60))
    date_of_loss = fields.Date()
    cause = _optional_text(120)
    status = fields.String(validate=validate.OneOf(CLAIM_STATUSES))
    paid = fields.Nested(NonNegativeMoneySchema)
    reserved = fields.Nested(NonNegativeMoneySchema)
    incurred = fields.Nested(NonNegativeMoneySchema, allow_none=True,
                             metadata={"description": "defaults to paid + reserved"})
    recoveries = fields.Nested(NonNegativeMoneySchema)
    description = _optional_text(5000)


class ClaimCreateSchema(ClaimChangesSchema):
    claim_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    date_of_loss = fields.Date(required=True)
    status = fields.String(load_default="open", validate=validate.OneOf(CLAIM_STATUSES))


class ClaimSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    policy_id = fields.String()
    claim_number = fields.String()
    date_of_loss = fields.Date()
    cause = fields.String(allow_none=True)
    status = fields.String()
    paid = fields.Nested(MoneySchema)
    reserved = fields.Nested(MoneySchema)
    incurred = fields.Nested(MoneySchema)
    recoveries = fields.Nested(MoneySchema)
    description = fields.String(allow_none=True)
    source = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


ClaimPageSchema = page_schema(ClaimSchema, "ClaimPageSchema")


class LossSummaryArgsSchema(ContractSchema):
    as_of = fields.Date(metadata={"description": "default today"})
    large_loss_threshold = DecimalString(places=2, validate=validate.Range(min=0, max=10**12),
                                         metadata={"description": "default LARGE_LOSS_THRESHOLD or 100000"})


class LossSummarySchema(ContractSchema):
    client_id = fields.String()
    program = fields.String()
    as_of = fields.Date()
    large_loss_threshold = fields.Nested(MoneySchema)
    policy_years = fields.List(fields.Nested(PolicyYearLossesSchema))
    five_years = fields.Nested(FiveYearLossesSchema)
    large_losses = fields.List(fields.Nested(LargeLossSchema))


class LossRunMappingSchema(ContractSchema):
    columns = fields.Dict(keys=fields.String(validate=validate.OneOf(OUR_FIELDS)),
                          values=fields.String(validate=validate.Length(min=1, max=200)), required=True,
                          metadata={"description": "our field -> the carrier's column header"})
    date_format = fields.String(load_default=DEFAULT_DATE_FORMAT, validate=validate.Length(min=2, max=40),
                                metadata={"description": "strftime format of dates given as text, e.g. %m/%d/%Y"})


class SavedLossRunMappingSchema(LossRunMappingSchema):
    carrier = fields.String()
    updated_by = fields.String()
    updated_at = fields.AwareDateTime()


class LossRunFormSchema(ContractSchema):
    carrier = fields.String(validate=validate.Length(min=1, max=120),
                            metadata={"description": "whose saved column mapping to use (or save)"})
    policy_id = fields.String(metadata={"description": "every row is a claim on this policy term; without it the "
                                                      "mapping needs policy_number"})
    mapping = fields.String(validate=validate.Length(max=20000),
                            metadata={"description": 'JSON {"columns": {...}, "date_format": "%m/%d/%Y"}'})
    save_mapping = fields.Boolean(load_default=False,
                                  metadata={"description": "save the inline mapping as the carrier's"})


class LossRunFileSchema(ContractSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class LossRunResultSchema(ContractSchema):
    claims = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    summary = fields.Nested(LossSummarySchema)


# -- communication log ------------------------------------------------------------------

class CommunicationCreateSchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(COMMUNICATION_KINDS))
    direction = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DIRECTIONS))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body = fields.String(required=True, validate=validate.Length(max=100_000))
    contact = _optional_text(200, load_default=None, metadata={"description": "whom we spoke or wrote to"})
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": "default now"})
    policy_id = fields.String(load_default=None, allow_none=True)
    corrects_id = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "the entry this one corrects"})


class CommunicationListArgsSchema(PageArgsSchema):
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "text in subject or body"})
    since = fields.Date(metadata={"description": "on or after this day (UTC)"})
    until = fields.Date(metadata={"description": "on or before this day (UTC)"})
    author = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "e.g. user:am.garcia"})
    kind = fields.String(validate=validate.OneOf(COMMUNICATION_KINDS))
    policy_id = fields.String()


class EmailImportFormSchema(ContractSchema):
    policy_id = fields.String()
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))


class EmailFileSchema(ContractSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                                "description": "an RFC 5322 message (.eml)"})


class AttachmentLinkSchema(ContractSchema):
    position = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    download_path = fields.String()


class CommunicationSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    policy_id = fields.String(allow_none=True)
    kind = fields.String()
    direction = fields.String(allow_none=True)
    subject = fields.String()
    body = fields.String()
    contact = fields.String(allow_none=True)
    sender = fields.String(allow_none=True)
    recipients = fields.List(fields.String())
    message_id = fields.String(allow_none=True)
    author = fields.String()
    occurred_at = fields.AwareDateTime()
    corrects_id = fields.String(allow_none=True)
    corrected_by = fields.List(fields.String())
    attachments = fields.List(fields.Nested(AttachmentLinkSchema))
    created_at = fields.AwareDateTime()


CommunicationPageSchema = page_schema(CommunicationSchema, "CommunicationPageSchema")


# -- file set-up ------------------------------------------------------------------------

class ChecklistItemSchema(ContractSchema):
    id = fields.String()
    position = fields.Integer()
    key = fields.String()
    label = fields.String()
    done = fields.Boolean()
    done_by = fields.String(allow_none=True)
    done_at = fields.AwareDateTime(allow_none=True)


class ChecklistSchema(ContractSchema):
    id = fields.String()
    client_id = fields.String()
    policy_id = fields.String(allow_none=True)
    kind = fields.String()
    template = fields.String()
    done = fields.Integer()
    total = fields.Integer()
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    items = fields.List(fields.Nested(ChecklistItemSchema))


# -- out of office ----------------------------------------------------------------------

class AbsenceSetSchema(ContractSchema):
    starts_on = fields.Date(required=True, data_key="from", metadata={"description": "first day out"})
    ends_on = fields.Date(required=True, data_key="until", metadata={"description": "last day out (inclusive)"})
    backup = fields.String(required=True, validate=USER)


class AbsenceSchema(ContractSchema):
    user = fields.String()
    starts_on = fields.Date(data_key="from")
    ends_on = fields.Date(data_key="until")
    backup = fields.String()
    state = fields.String(metadata={"description": "scheduled, active (activities with the backup) or ended"})
    updated_by = fields.String()
    updated_at = fields.AwareDateTime()

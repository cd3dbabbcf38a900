"""Request and response schemas of the market lifecycle resources: markets added to a sent
submission, remarketing, a market's status and history on a submission, the bind's
subjectivities and confirmation, underwriter contacts and the market import."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from services.marketing.api.schemas import LINE, RankedMarketSchema, SubmissionMarketSchema
from shared.contracts.base import ContractSchema
from shared.contracts.carrier_binding import UnderwriterSchema

LINES_BY_NUMBER = fields.Dict(keys=fields.String(validate=LINE),
                              values=fields.String(validate=validate.Length(min=1, max=80)), load_default=dict)


# -- markets on a sent submission ------------------------------------------------------------

class MarketAdditionSchema(ContractSchema):
    market_ids = fields.List(fields.String(validate=validate.Length(min=1, max=80)), required=True,
                             validate=validate.Length(min=1, max=20, error="Add between 1 and 20 markets."))


class AdditionApprovalSchema(ContractSchema):
    respond_by = fields.Date(load_default=None, allow_none=True)


class RemarketRequestSchema(ContractSchema):
    count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10))


class RemarketSuggestionsSchema(ContractSchema):
    submission_id = fields.String()
    declined = fields.List(fields.String())
    suggestions = fields.List(fields.Nested(RankedMarketSchema))


class RemarketSchema(RemarketSuggestionsSchema):
    added = fields.List(fields.String())


class StatusChangeSchema(ContractSchema):
    at = fields.AwareDateTime()
    by = fields.String()
    from_status = fields.String(data_key="from", allow_none=True)
    to_status = fields.String(data_key="to")
    reason = fields.String(allow_none=True)


class SubmissionMarketDetailSchema(SubmissionMarketSchema):
    submission_id = fields.String()
    underwriter = fields.Nested(UnderwriterSchema, allow_none=True)
    allowed_next = fields.List(fields.String())
    history = fields.List(fields.Nested(StatusChangeSchema))


class MarketStatusChangeSchema(ContractSchema):
    """What an account manager may record by hand: the market acknowledged the submission
    (by email or phone), or the market is lost (not pursued)."""

    status = fields.String(required=True, validate=validate.OneOf(("acknowledged", "lost")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    carrier_submission_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=80))
    underwriter = fields.Nested(UnderwriterSchema, load_default=None, allow_none=True)


# -- binding -------------------------------------------------------------------------------

class SubjectivityResolutionSchema(ContractSchema):
    status = fields.String(required=True, validate=validate.OneOf(("received", "waived")))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class BindConfirmationSchema(ContractSchema):
    """The market's binder, keyed in (an email market, or a binder that came by email)."""

    binder_number = fields.String(required=True, validate=validate.Length(min=1, max=80))
    effective_date = fields.Date(required=True)
    expiration_date = fields.Date(load_default=None, allow_none=True)
    policy_numbers = LINES_BY_NUMBER
    changes = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list)


class BindEndingSchema(ContractSchema):
    """Why a bind order ends unbound: the agency withdraws it (cancellation) or the market
    refused it by email or phone (declination, keyed in)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


# -- underwriter contacts and import ---------------------------------------------------------

class ContactFieldsSchema(ContractSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    lines = fields.List(fields.String(validate=LINE), load_default=list)
    states = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")), load_default=list)
    is_primary = fields.Boolean(load_default=False)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ContactCreateSchema(ContactFieldsSchema):
    pass


class ContactSchema(ContactFieldsSchema):
    id = fields.String()
    market_id = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ContactListSchema(ContractSchema):
    items = fields.List(fields.Nested(ContactSchema))


class MarketImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "A .csv or .xlsx file, one market per row under a header row."})


class MarketImportResultSchema(ContractSchema):
    created = fields.Integer()
    updated = fields.Integer()
    market_ids = fields.List(fields.String())

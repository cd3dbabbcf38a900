"""The public carrier contract, continued: after the submission and the quote
(``shared.contracts.carrier``), what a market and the platform say to each other up to
the issued policy.

* ``carrier.submission.acknowledged`` (market -> platform, on ``carrier.intake``): the
  market has the submission and is working on it.
* ``carrier.bind.requested`` (platform -> market, in ``carrier.<market_id>.inbox``): the
  order to bind one of the market's quotes, with the subjectivities checklist.
* ``carrier.bind.confirmed`` (market -> platform): the market bound it: binder number,
  effective date, any changes from the quote.
* ``carrier.policy.issued`` (market -> platform): the policy as issued, in the quote's
  coverage model, which the platform checks against the binder and the quote.
* ``carrier.bind.declined`` (market -> platform): the market refuses to bind what it was
  asked to bind (its reason); the quote is then not bindable with that market.
* ``carrier.bind.cancelled`` (platform -> market): the agency withdraws a bind order it
  sent before the market confirmed it; the market must not bind it.

Every message a market publishes is authenticated by its broker user (AMQP ``user_id``)
exactly as a quote is, and answered on its reply queue with ``carrier.quote.replied``.
Exported as JSON Schema with the rest of the public contract (``make jsonschema``).
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.base import ContractSchema
from shared.contracts.carrier import QuotedLineSchema, ReplyToSchema
from shared.contracts.registry import event
from shared.contracts.types import LINES_OF_BUSINESS, InsuredSchema, NonNegativeMoneySchema, PeriodSchema

ACKNOWLEDGED_TYPE = "carrier.submission.acknowledged"
BIND_REQUESTED_TYPE = "carrier.bind.requested"
BIND_CONFIRMED_TYPE = "carrier.bind.confirmed"
POLICY_ISSUED_TYPE = "carrier.policy.issued"
BIND_DECLINED_TYPE = "carrier.bind.declined"
BIND_CANCELLED_TYPE = "carrier.bind.cancelled"
# What a market publishes on carrier.intake besides its quotes (routing key = the type).
MARKET_MESSAGE_TYPES = (ACKNOWLEDGED_TYPE, BIND_CONFIRMED_TYPE, POLICY_ISSUED_TYPE, BIND_DECLINED_TYPE)
SUBJECTIVITY_STATUSES = ("open", "received", "waived")

_ID = validate.Length(min=1, max=80)
_REF = validate.Length(min=1, max=80)


def _policy_numbers(**kwargs) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.OneOf(tuple(LINES_OF_BUSINESS))),
                       values=fields.String(validate=_REF), **kwargs)


class UnderwriterSchema(ContractSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


@event(ACKNOWLEDGED_TYPE, 1, "A market confirms it received a submission and is working on it.")
class SubmissionAcknowledgedV1(ContractSchema):
    market_id = fields.String(required=True, validate=_ID)
    submission_id = fields.String(required=True, validate=_ID)
    carrier_submission_ref = fields.String(load_default=None, allow_none=True, validate=_REF)
    underwriter = fields.Nested(UnderwriterSchema, load_default=None, allow_none=True)
    expected_response_by = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SubjectivityItemSchema(ContractSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    status = fields.String(required=True, validate=validate.OneOf(SUBJECTIVITY_STATUSES))
    note = fields.String(load_default=None, allow_none=True)


@event(BIND_REQUESTED_TYPE, 1, "The platform orders a market to bind one of its quotes (sent to the market's own queue).")
class BindRequestedV1(ContractSchema):
    bind_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    submission_id = fields.String(required=True, validate=_ID)
    market_id = fields.String(required=True, validate=_ID)
    carrier_quote_ref = fields.String(required=True, validate=_REF)
    revision = fields.Integer(required=True, validate=validate.Range(min=1, max=999))
    insured = fields.Nested(InsuredSchema, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    lines = fields.List(fields.Nested(QuotedLineSchema), required=True, validate=validate.Length(min=1))
    forms = fields.List(fields.String(), load_default=list)
    exclusions = fields.List(fields.String(), load_default=list)
    total_cost = fields.Nested(NonNegativeMoneySchema, required=True)
    payment_plan = fields.String(load_default=None, allow_none=True)
    policy_numbers = _policy_numbers(load_default=dict)
    subjectivities = fields.List(fields.Nested(SubjectivityItemSchema), load_default=list)
    instructions = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    requested_by = fields.String(required=True)
    reply_to = fields.Nested(ReplyToSchema, required=True)


@event(BIND_CONFIRMED_TYPE, 1, "A market confirms it bound the quote it was ordered to bind: binder number, effective "
                               "date and any changes from the quote.")
class BindConfirmedV1(ContractSchema):
    market_id = fields.String(required=True, validate=_ID)
    submission_id = fields.String(required=True, validate=_ID)
    bind_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    carrier_quote_ref = fields.String(load_default=None, allow_none=True, validate=_REF)
    revision = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=999))
    binder_number = fields.String(required=True, validate=_REF)
    effective_date = fields.Date(required=True)
    expiration_date = fields.Date(load_default=None, allow_none=True)
    policy_numbers = _policy_numbers(load_default=dict)
    changes = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list)
    underwriter = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _ends_after_start(self, data, **_kwargs):
        start, end = data.get("effective_date"), data.get("expiration_date")
        if start and end and end <= start:
            raise ValidationError("The term must end after it starts.", "expiration_date")


@event(POLICY_ISSUED_TYPE, 1, "A market sends the policy it issued on a bind, in the quote's coverage model.")
class PolicyIssuedV1(ContractSchema):
    market_id = fields.String(required=True, validate=_ID)
    submission_id = fields.String(required=True, validate=_ID)
    bind_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    binder_number = fields.String(load_default=None, allow_none=True, validate=_REF)
    policy_numbers = _policy_numbers(required=True, validate=validate.Length(min=1))
    period = fields.Nested(PeriodSchema, required=True)
    lines = fields.List(fields.Nested(QuotedLineSchema), required=True, validate=validate.Length(min=1))
    forms = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)
    exclusions = fields.List(fields.String(validate=validate.Length(min=1, max=300)), load_default=list)
    issued_on = fields.Date(load_default=None, allow_none=True)


@event(BIND_DECLINED_TYPE, 1, "A market refuses to bind the quote it was ordered to bind, with its reason (instead "
                              "of confirming it).")
class BindDeclinedV1(ContractSchema):
    market_id = fields.String(required=True, validate=_ID)
    submission_id = fields.String(required=True, validate=_ID)
    bind_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    carrier_quote_ref = fields.String(load_default=None, allow_none=True, validate=_REF)
    revision = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=999))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    underwriter = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


@event(BIND_CANCELLED_TYPE, 1, "The platform withdraws a bind order it sent to a market before the market confirmed "
                               "it (sent to the market's own queue): do not bind it.")
class BindCancelledV1(ContractSchema):
    bind_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    submission_id = fields.String(required=True, validate=_ID)
    market_id = fields.String(required=True, validate=_ID)
    carrier_quote_ref = fields.String(required=True, validate=_REF)
    revision = fields.Integer(required=True, validate=validate.Range(min=1, max=999))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    cancelled_by = fields.String(required=True)
    reply_to = fields.Nested(ReplyToSchema, required=True)

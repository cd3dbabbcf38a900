"""Payload of the submission-package document requests (``documents.document.requested``).

Marketing builds it from a submission and asks the documents service for three kinds
(each kind is one file; the payload is the same for all of them):

=====================  ======  ==============================================================
kind                   format  what it is
=====================  ======  ==============================================================
``submission_letter``  docx    cover letter from the agency to one market's underwriter
                               (``market`` is required for this kind)
``specifications``     docx    per line: requested coverages, limits, deductibles / SIR,
                               expiring carrier and premium, requested changes, notes
``specifications_xlsx`` xlsx   the same specifications as a spreadsheet (numbers as numbers)
``application``        pdf     commercial insurance application (ACORD 125-style data, own layout)
=====================  ======  ==============================================================

Shape (``SubmissionDocumentSchema``; ``SubmissionLetterSchema`` is the same with ``market``
required)::

    {
      "submission_id": "...",                 # required
      "kind": "renewal" | "new_business",     # optional, default "renewal"
      "prepared_on": "2026-11-27",            # required: the date the documents carry
      "insured": {                            # InsuredSchema (client_id, program, name, dba,
        ...,                                  #   address, naics, credentials) plus optional
        "fein": "123456789",                  #   fein (9 digits; printed masked ***-**6789),
        "entity_type": "LLC", "website": ..., #   entity_type, website, phone, sic,
        "operations": "Regional LTL ...",     #   operations (nature of business narrative),
        "years_in_business": 12,              #   years_in_business, employee_count,
        "annual_revenue": {"amount": "..."}   #   annual_revenue (Money)
      },
      "agency": {"name", "license_number", "address", "phone", "email"},   # name, licence required
      "market": {"name", "carrier_name", "underwriter_name", "underwriter_email", "market_id"},
      "account_manager": {"name", "title", "email", "phone", "license_number"},  # name required
      "producer": {...same as account_manager...} | null,
      "period": {"effective_date", "expiration_date"},                     # PeriodSchema
      "lines": [                              # at least one; carrier RequestedLineSchema shape
        {"line_of_business": "GL", "coverages": [CoverageSchema...],
         "expiring_premium": Money | null, "expiring_carrier": str | null,
         # optional additions:
         "expiring_policy_number": str | null, "requested_changes": [str], "notes": str | null}
      ],
      "target_premium": Money | null,
      "respond_by": "2027-01-15",             # required: the need-by date
      "loss_history": [                       # carrier LossYearSchema shape, plus optional
        {"policy_year": 2025, "claim_count": 2,   #   line_of_business, carrier, notes
         "paid": Money, "reserved": Money, "incurred": Money}
      ],
      "locations": [{"number": 1, "address": AddressSchema, "description": str | null,
                     "interest": "owner" | "tenant" | null}],
      "underwriting_notes": str | null,
      "reason_for_marketing": str | null,     # why the account is being marketed
      "enclosures": [str]                     # listed in the letter; empty -> derived list
    }

Money is ``{"amount": "1234.50", "currency": "USD"}`` (amount a decimal string, never a float).
Within version 1 only optional fields are added; consumers load tolerantly.
"""
from __future__ import annotations

from marshmallow import fields, validate

from shared.contracts.base import ContractSchema
from shared.contracts.types import (
    LINES_OF_BUSINESS, AddressSchema, CoverageSchema, InsuredSchema, NonNegativeMoneySchema, PeriodSchema,
)

SUBMISSION_KINDS = ("renewal", "new_business")


class SubmissionInsuredSchema(InsuredSchema):
    """The shared InsuredSchema with what an application and a letter also print."""

    fein = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{9}$"))
    entity_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    website = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    sic = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}$"))
    operations = fields.String(load_default=None, allow_none=True)
    years_in_business = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=500))
    employee_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    annual_revenue = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)


class SubmissionAgencySchema(ContractSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    license_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    address = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)


class SubmissionMarketSchema(ContractSchema):
    """The market (carrier or wholesaler) the package goes to, and its underwriter."""

    market_id = fields.String(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    carrier_name = fields.String(load_default=None, allow_none=True)
    underwriter_name = fields.String(load_default=None, allow_none=True)
    underwriter_email = fields.String(load_default=None, allow_none=True)


class PersonSchema(ContractSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    license_number = fields.String(load_default=None, allow_none=True)


class SpecificationLineSchema(ContractSchema):
    """The carrier contract's RequestedLineSchema shape, plus optional specification detail."""

    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    coverages = fields.List(fields.Nested(CoverageSchema), required=True)
    expiring_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    expiring_carrier = fields.String(load_default=None, allow_none=True)
    expiring_policy_number = fields.String(load_default=None, allow_none=True)
    requested_changes = fields.List(fields.String(), load_default=list)
    notes = fields.String(load_default=None, allow_none=True)


class SubmissionLossYearSchema(ContractSchema):
    """The carrier contract's LossYearSchema shape, plus optional line, carrier and notes."""

    policy_year = fields.Integer(required=True, validate=validate.Range(min=1900, max=2200))
    claim_count = fields.Integer(required=True, validate=validate.Range(min=0))
    paid = fields.Nested(NonNegativeMoneySchema, required=True)
    reserved = fields.Nested(NonNegativeMoneySchema, required=True)
    incurred = fields.Nested(NonNegativeMoneySchema, required=True)
    line_of_business = fields.String(load_default=None, allow_none=True,
                                     validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    carrier = fields.String(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True)


class SubmissionLocationSchema(ContractSchema):
    number = fields.Integer(required=True, validate=validate.Range(min=1, max=9999))
    address = fields.Nested(AddressSchema, required=True)
    description = fields.String(load_default=None, allow_none=True)
    interest = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("owner", "tenant")))


class SubmissionDocumentSchema(ContractSchema):
    """Payload of the ``specifications``, ``specifications_xlsx`` and ``application`` requests."""

    submission_id = fields.String(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(load_default="renewal", validate=validate.OneOf(SUBMISSION_KINDS))
    prepared_on = fields.Date(required=True)
    insured = fields.Nested(SubmissionInsuredSchema, required=True)
    agency = fields.Nested(SubmissionAgencySchema, required=True)
    market = fields.Nested(SubmissionMarketSchema, load_default=None, allow_none=True)
    account_manager = fields.Nested(PersonSchema, required=True)
    producer = fields.Nested(PersonSchema, load_default=None, allow_none=True)
    period = fields.Nested(PeriodSchema, required=True)
    lines = fields.List(fields.Nested(SpecificationLineSchema), required=True, validate=validate.Length(min=1))
    target_premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    respond_by = fields.Date(required=True)
    loss_history = fields.List(fields.Nested(SubmissionLossYearSchema), load_default=list)
    locations = fields.List(fields.Nested(SubmissionLocationSchema), load_default=list)
    underwriting_notes = fields.String(load_default=None, allow_none=True)
    reason_for_marketing = fields.String(load_default=None, allow_none=True)
    enclosures = fields.List(fields.String(), load_default=list)


class SubmissionLetterSchema(SubmissionDocumentSchema):
    """Payload of the ``submission_letter`` request: the same, addressed to one market."""

    market = fields.Nested(SubmissionMarketSchema, required=True)


SUBMISSION_DOCUMENT_PAYLOADS = {
    "submission_letter": SubmissionLetterSchema,
    "specifications": SubmissionDocumentSchema,
    "specifications_xlsx": SubmissionDocumentSchema,
    "application": SubmissionDocumentSchema,
}

"""Common types: money, limits, deductibles, lines of business, periods, addresses,
coverages.  Money is Decimal with a currency, never float."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.base import ContractSchema, DecimalString, json_form_agnostic

CENT = Decimal("0.01")

LINES_OF_BUSINESS = {
    "GL": "General liability",
    "AUTO": "Commercial auto",
    "WC": "Workers' compensation",
    "PROP": "Property",
    "UMB": "Umbrella / excess",
    "PROF": "Professional liability / E&O",
    "IM": "Inland marine",
    "POLL": "Pollution liability",
    "CARGO": "Motor truck cargo",
    "BOND": "Surety bond",
}

LIMIT_KINDS = (
    "each_occurrence", "general_aggregate", "products_completed_ops_aggregate",
    "personal_advertising_injury", "damage_to_rented_premises", "medical_expense",
    "combined_single_limit", "bodily_injury_per_person", "bodily_injury_per_accident",
    "property_damage", "uninsured_motorist", "statutory", "el_each_accident",
    "el_disease_each_employee", "el_disease_policy_limit", "each_claim", "aggregate",
    "per_shipment", "building", "contents", "business_income", "bond_amount",
)

DEDUCTIBLE_KINDS = ("deductible", "self_insured_retention")

CREDENTIAL_KINDS = {
    "SPCB_REGISTRATION": "Structural Pest Control Board company registration",
    "DPR_LICENSE": "DPR pest control business licence",
    "DMV_CA": "DMV CA number (motor carrier permit)",
    "USDOT": "USDOT number",
    "MC": "FMCSA MC docket number",
    "CPUC_TCP": "CPUC charter-party carrier (TCP) number",
    "CPUC_PSC": "CPUC passenger stage corporation (PSC) number",
    "BHGS_PERMIT": "BHGS household movers permit",
    "CSLB_LICENSE": "CSLB contractor licence",
    "WCIRB_BUREAU": "WCIRB bureau number",
}


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "USD"

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money takes Decimal, not float")
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(CENT, ROUND_HALF_UP))

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def to_dict(self) -> dict:
        return {"amount": str(self.amount), "currency": self.currency}

    @classmethod
    def from_dict(cls, data: dict) -> "Money":
        return cls(Decimal(str(data["amount"])), data.get("currency", "USD"))

    @classmethod
    def zero(cls, currency: str = "USD") -> "Money":
        return cls(Decimal("0"), currency)


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    if old == 0:
        return None
    return ((new - old) / old * 100).quantize(CENT, ROUND_HALF_UP)


class MoneySchema(ContractSchema):
    amount = DecimalString(places=2, required=True)
    currency = fields.String(load_default="USD", validate=validate.Regexp(r"^[A-Z]{3}$"))


class NonNegativeMoneySchema(MoneySchema):
    amount = DecimalString(places=2, required=True, validate=validate.Range(min=0))


class LimitSchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(LIMIT_KINDS))
    amount = fields.Nested(NonNegativeMoneySchema, allow_none=True, load_default=None)

    @validates_schema
    @json_form_agnostic
    def _amount_unless_statutory(self, data, **_kwargs):
        if data.get("kind") != "statutory" and data.get("amount") is None:
            raise ValidationError("A limit needs an amount unless it is statutory.", "amount")


class DeductibleSchema(ContractSchema):
    kind = fields.String(load_default="deductible", validate=validate.OneOf(DEDUCTIBLE_KINDS))
    amount = fields.Nested(NonNegativeMoneySchema, required=True)


class CoverageSchema(ContractSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    description = fields.String(load_default=None, allow_none=True)
    limits = fields.List(fields.Nested(LimitSchema), load_default=list)
    deductible = fields.Nested(DeductibleSchema, load_default=None, allow_none=True)
    premium = fields.Nested(NonNegativeMoneySchema, load_default=None, allow_none=True)
    forms = fields.List(fields.String(), load_default=list)
    exclusions = fields.List(fields.String(), load_default=list)


class PeriodSchema(ContractSchema):
    effective_date = fields.Date(required=True)
    expiration_date = fields.Date(required=True)

    @validates_schema
    @json_form_agnostic
    def _ends_after_start(self, data, **_kwargs):
        start, end = data.get("effective_date"), data.get("expiration_date")
        if start and end and end <= start:
            raise ValidationError("The term must end after it starts.", "expiration_date")


class AddressSchema(ContractSchema):
    line1 = fields.String(required=True, validate=validate.Length(min=1, max=200))
    line2 = fields.String(load_default=None, allow_none=True)
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    state = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    postal_code = fields.String(required=True, validate=validate.Regexp(r"^\d{5}(-\d{4})?$"))
    country = fields.String(load_default="US", validate=validate.Regexp(r"^[A-Z]{2}$"))


class CredentialSchema(ContractSchema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(CREDENTIAL_KINDS)))
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    expires_on = fields.Date(load_default=None, allow_none=True)


# An NAIC company code (five digits), or an NAIC alien insurer code (AA- and seven digits)
# for a non-US insurer such as a Lloyd's syndicate, as surplus lines markets have.
NAIC_CODE = r"^(\d{5}|AA-\d{7})$"
NAIC_CODE_ERROR = "An NAIC company code has five digits (12345); an alien insurer code is AA-1234567."


class MarketRefSchema(ContractSchema):
    """Who writes a policy: the carrier (with NAIC code) and the wholesaler, if any."""

    market_id = fields.String(load_default=None, allow_none=True)
    carrier_name = fields.String(required=True)
    naic_code = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(NAIC_CODE, error=NAIC_CODE_ERROR))
    admitted = fields.Boolean(load_default=True)
    wholesaler = fields.String(load_default=None, allow_none=True)


class PolicySnapshotSchema(ContractSchema):
    policy_id = fields.String(required=True)
    client_id = fields.String(required=True)
    program = fields.String(required=True)
    line_of_business = fields.String(required=True, validate=validate.OneOf(tuple(LINES_OF_BUSINESS)))
    policy_number = fields.String(required=True)
    market = fields.Nested(MarketRefSchema, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(("in_force", "cancelled", "expired", "renewed"))
    )
    coverages = fields.List(fields.Nested(CoverageSchema), load_default=list)
    premium = fields.Nested(NonNegativeMoneySchema, required=True)
    replaces_policy_id = fields.String(load_default=None, allow_none=True)


class InsuredSchema(ContractSchema):
    """What another service needs to know of a client to act for it."""

    client_id = fields.String(required=True)
    program = fields.String(required=True)
    name = fields.String(required=True)
    dba = fields.String(load_default=None, allow_none=True)
    address = fields.Nested(AddressSchema, load_default=None, allow_none=True)
    naics = fields.String(load_default=None, allow_none=True)
    credentials = fields.List(fields.Nested(CredentialSchema), load_default=list)

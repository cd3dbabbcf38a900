"""What the submission documents (letter, specifications, application) say alike: the
insured's identity lines, the masked FEIN, coverage terms one row per limit, the loss
summary with its totals, the enclosure list.  Input is a loaded
``shared.contracts.submission_documents.SubmissionDocumentSchema`` payload."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.documents.domain.render.docx_kit import long_date
from services.documents.domain.render.labels import (
    DEDUCTIBLE_LABELS, limit_label, limit_order, limit_value_text, line_label, money_text,
)
from shared.contracts.types import CREDENTIAL_KINDS

SUBMISSION_KIND_LABELS = {"renewal": "Renewal", "new_business": "New business"}


def masked_fein(fein: str | None) -> str:
    """``**-***6789``: enough for an underwriter to match records, not enough to misuse."""
    return f"**-***{fein[-4:]}" if fein else ""


def full_fein(fein: str | None) -> str:
    return f"{fein[:2]}-{fein[2:]}" if fein else ""


def address_lines(address: dict | None) -> list[str]:
    if not address:
        return []
    street = ", ".join(p for p in (address["line1"], address.get("line2")) if p)
    return [street, f"{address['city']}, {address['state']} {address['postal_code']}"]


def address_text(address: dict | None) -> str:
    return ", ".join(address_lines(address))


def insured_name(insured: dict) -> str:
    return insured["name"] + (f" dba {insured['dba']}" if insured.get("dba") else "")


def lines_text(document: dict) -> str:
    return ", ".join(line_label(line["line_of_business"]) for line in document["lines"])


def period_text(period: dict) -> str:
    return f"{long_date(period['effective_date'])} to {long_date(period['expiration_date'])}"


def credentials_text(insured: dict) -> list[str]:
    return [f"{CREDENTIAL_KINDS.get(c['kind'], c['kind'])}: {c['number']}" for c in insured.get("credentials", [])]


def coverage_name(coverage: dict) -> str:
    return coverage["code"] + (f": {coverage['description']}" if coverage.get("description") else "")


def deductible_label(coverage: dict) -> str:
    deductible = coverage.get("deductible")
    return DEDUCTIBLE_LABELS.get(deductible["kind"], "Deductible") if deductible else ""


def deductible_value(coverage: dict) -> str:
    deductible = coverage.get("deductible")
    return money_text(deductible["amount"], cents=False) if deductible else ""


def sorted_limits(coverage: dict) -> list[dict]:
    return sorted(coverage.get("limits", []), key=lambda l: limit_order(l["kind"]))


@dataclass(frozen=True)
class TermRow:
    """One requested term of a coverage: a limit, or (for a coverage with none) the coverage alone."""

    line_of_business: str
    coverage: dict
    limit: dict | None
    first: bool  # the coverage's first row: deductible and forms are printed once

    @property
    def limit_label(self) -> str:
        return limit_label(self.limit["kind"]) if self.limit else "As per form"

    @property
    def limit_text(self) -> str:
        return limit_value_text(self.limit) if self.limit else ""


def term_rows(line: dict) -> list[TermRow]:
    rows = []
    for coverage in line["coverages"]:
        limits = sorted_limits(coverage) or [None]
        rows += [TermRow(line["line_of_business"], coverage, limit, index == 0) for index, limit in enumerate(limits)]
    return rows


def limits_summary(line: dict) -> str:
    """``CSL $1,000,000; UM $30,000``-style, every limit of every coverage of a line."""
    parts = []
    for coverage in line["coverages"]:
        for limit in sorted_limits(coverage):
            statutory = limit.get("amount") is None
            parts.append(limit_label(limit["kind"]) if statutory else f"{limit_label(limit['kind'])} {limit_value_text(limit)}")
    return "; ".join(parts)


def deductibles_summary(line: dict) -> str:
    return "; ".join(f"{c['code']} {deductible_label(c).lower()} {deductible_value(c)}"
                     for c in line["coverages"] if c.get("deductible"))


def currency_of(document: dict) -> str:
    for money in _monies(document):
        return money["currency"]
    return "USD"


def _monies(document: dict):
    if document.get("target_premium"):
        yield document["target_premium"]
    for line in document["lines"]:
        if line.get("expiring_premium"):
            yield line["expiring_premium"]
    for year in document["loss_history"]:
        yield year["incurred"]


def expiring_total(document: dict) -> Decimal | None:
    """The expiring premium of the lines that state one; None when none does."""
    amounts = [line["expiring_premium"]["amount"] for line in document["lines"] if line.get("expiring_premium")]
    return sum(amounts, Decimal("0")) if amounts else None


@dataclass(frozen=True)
class LossTotals:
    years: int
    claim_count: int
    paid: Decimal
    reserved: Decimal
    incurred: Decimal


def loss_years(document: dict) -> list[dict]:
    """Newest year first, as loss summaries read."""
    return sorted(document["loss_history"], key=lambda y: y["policy_year"], reverse=True)


def loss_totals(document: dict) -> LossTotals:
    years = document["loss_history"]
    return LossTotals(
        years=len({y["policy_year"] for y in years}),
        claim_count=sum(y["claim_count"] for y in years),
        paid=sum((y["paid"]["amount"] for y in years), Decimal("0")),
        reserved=sum((y["reserved"]["amount"] for y in years), Decimal("0")),
        incurred=sum((y["incurred"]["amount"] for y in years), Decimal("0")),
    )


def money(amount: Decimal, currency: str, *, cents: bool = True) -> str:
    return money_text({"amount": amount, "currency": currency}, cents=cents)


def enclosures(document: dict) -> list[str]:
    """What the letter says is attached: the list given, else what the package holds."""
    if document["enclosures"]:
        return list(document["enclosures"])
    items = ["Commercial insurance application",
             f"Specifications ({lines_text(document)})"]
    if document["loss_history"]:
        first = min(y["policy_year"] for y in document["loss_history"])
        last = max(y["policy_year"] for y in document["loss_history"])
        items.append(f"Loss summary, policy years {first}-{last}" if first != last else f"Loss summary, policy year {first}")
    if document["locations"]:
        items.append(f"Schedule of locations ({len(document['locations'])})")
    return items


def sender_lines(person: dict, agency: dict) -> list[str]:
    """A signature block: name, title, agency, contact, licence."""
    lines = [person["name"]]
    if person.get("title"):
        lines.append(person["title"])
    lines.append(agency["name"])
    lines += [p for p in (person.get("phone"), person.get("email")) if p]
    if person.get("license_number"):
        lines.append(f"Licence no. {person['license_number']}")
    return lines

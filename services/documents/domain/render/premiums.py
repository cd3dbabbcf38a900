"""The premium arithmetic both the spreadsheet and the proposal show, done once in
Decimal: premium by line for the expiring policies and each option, what a quote did not
allocate to a line, taxes and fees, and the changes against expiring."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.contracts.types import percent_change

from services.documents.domain.render.labels import options_in_rank_order
from services.documents.domain.render.payloads import InvalidPayload

ZERO = Decimal("0.00")


@dataclass
class OptionPremiums:
    option: dict
    by_line: dict[str, Decimal | None]
    unallocated: Decimal
    fees: dict[tuple[str, str], Decimal]
    other_charges: Decimal

    @property
    def premium(self) -> Decimal:
        return self.option["premium"]["amount"]

    @property
    def total_cost(self) -> Decimal:
        return self.option["total_cost"]["amount"]

    @property
    def quotes_every_line(self) -> bool:
        """A quote for fewer lines than the expiring program is not comparable with it."""
        return all(any(c["line_of_business"] == line and c.get("quoted") for c in self.option["coverages"])
                   for line in self.by_line)

    @property
    def fully_allocated(self) -> bool:
        """Line by line comparison is only fair when the quote priced every line."""
        return self.unallocated == 0 and all(v is not None for v in self.by_line.values())


@dataclass
class PremiumSummary:
    currency: str
    lines: list[str]
    expiring_by_line: dict[str, dict]
    expiring_unallocated: Decimal
    options: list[OptionPremiums] = field(default_factory=list)
    fee_rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def expiring_total(self) -> Decimal | None:
        if not self.expiring_by_line and not self.expiring_unallocated:
            return None
        return sum((e["premium"]["amount"] for e in self.expiring_by_line.values()), ZERO) + self.expiring_unallocated

    def change(self, premiums: OptionPremiums, amount: Decimal) -> tuple[Decimal, Decimal | None] | None:
        """``amount`` (the option's premium or total cost) against the expiring premium,
        when the option quotes the whole expiring program."""
        expiring = self.expiring_total
        if expiring is None or not premiums.quotes_every_line:
            return None
        return amount - expiring, percent_change(expiring, amount)


def summarise(comparison: dict) -> PremiumSummary:
    currency = comparison_currency(comparison)
    lines = list(comparison["lines"])
    lines += [e["line_of_business"] for e in comparison["expiring"] if e["line_of_business"] not in lines]
    expiring_by_line = {e["line_of_business"]: e for e in comparison["expiring"]}
    summary = PremiumSummary(currency, lines, expiring_by_line, _expiring_unallocated(comparison))
    for option in options_in_rank_order(comparison):
        summary.options.append(_option_premiums(option, lines))
        for key in summary.options[-1].fees:
            if key not in summary.fee_rows:
                summary.fee_rows.append(key)
    return summary


def _expiring_unallocated(comparison: dict) -> Decimal:
    stated = comparison.get("expiring_premium")
    if stated is None:
        return ZERO
    return stated["amount"] - sum((e["premium"]["amount"] for e in comparison["expiring"]), ZERO)


def _option_premiums(option: dict, lines: list[str]) -> OptionPremiums:
    by_line: dict[str, Decimal | None] = {line: None for line in lines}
    for coverage in option["coverages"]:
        premium = (coverage.get("quoted") or {}).get("premium")
        line = coverage["line_of_business"]
        if premium is not None and line in by_line:
            by_line[line] = (by_line[line] or ZERO) + premium["amount"]
    allocated = sum((v for v in by_line.values() if v is not None), ZERO)
    fees: dict[tuple[str, str], Decimal] = {}
    for fee in option["taxes_fees"]:
        key = (fee["kind"], fee.get("description") or "")
        fees[key] = fees.get(key, ZERO) + fee["amount"]["amount"]
    premium = option["premium"]["amount"]
    other = option["total_cost"]["amount"] - premium - sum(fees.values(), ZERO)
    return OptionPremiums(option, by_line, premium - allocated, fees, other)


def comparison_currency(comparison: dict) -> str:
    """One currency per comparison: totals across currencies would be meaningless."""
    currencies = {m["currency"] for m in _money(comparison)}
    if len(currencies) > 1:
        raise InvalidPayload(f"payload.comparison: mixes currencies {', '.join(sorted(currencies))}")
    return currencies.pop() if currencies else "USD"


def _money(comparison: dict):
    if comparison.get("expiring_premium"):
        yield comparison["expiring_premium"]
    for expiring in comparison["expiring"]:
        yield expiring["premium"]
    for option in comparison["options"]:
        yield option["premium"]
        yield option["total_cost"]
        yield from (fee["amount"] for fee in option["taxes_fees"])

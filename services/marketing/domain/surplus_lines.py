"""Surplus lines (pure): the diligent search a non-admitted placement needs, and the
surplus line tax and stamping fee of the insured's home state, from dated rate data
(``surplus_lines_rates.json``: each rate with the dates it applies to and its citation),
chosen by the policy's effective date.

Amounts are Decimal, rounded half-up to the cent."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

RATES_FILE = Path(__file__).with_name("surplus_lines_rates.json")
DEFAULT_DECLINATIONS = 3
CHARGES = (("surplus_lines_tax", "surplus line tax"), ("stamping_fee", "stamping fee"))
CENT = Decimal("0.01")


class NoRate(LookupError):
    """The rate data has no rate for that state and date."""


@dataclass(frozen=True)
class Rate:
    kind: str
    rate_percent: Decimal
    effective_from: date | None
    effective_to: date | None
    basis: str
    citation: str

    def applies_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and \
               (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Charge:
    kind: str
    description: str
    rate_percent: Decimal
    amount: Decimal
    citation: str

    def as_fee(self, currency: str) -> dict:
        """In the form of a quote's taxes and fees (FeeSchema JSON)."""
        return {"kind": self.kind, "description": self.description,
                "amount": {"amount": f"{self.amount:.2f}", "currency": currency}}


@lru_cache(maxsize=1)
def rate_table(path: Path = RATES_FILE) -> dict[str, dict]:
    raw = json.loads(path.read_text())
    return {state: {"jurisdiction": entry["jurisdiction"],
                    **{kind: tuple(_rate(kind, r) for r in entry[kind]) for kind, _label in CHARGES}}
            for state, entry in raw.items()}


def _rate(kind: str, raw: dict) -> Rate:
    return Rate(kind, Decimal(raw["rate_percent"]), _day(raw["effective_from"]), _day(raw["effective_to"]),
                raw["basis"], raw["citation"])


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def has_rates(state: str | None, table: dict | None = None) -> bool:
    return state is not None and state in (table if table is not None else rate_table())


def rate_on(kind: str, state: str, day: date, table: dict | None = None) -> Rate:
    table = table if table is not None else rate_table()
    matches = [r for r in table.get(state, {}).get(kind, ()) if r.applies_on(day)]
    if len(matches) != 1:
        raise NoRate(f"No single {kind.replace('_', ' ')} rate for {state} on {day.isoformat()} in the rate data.")
    return matches[0]


def charges(gross_premium: Decimal, state: str | None, effective_date: date, table: dict | None = None) -> list[Charge]:
    """The surplus line tax and stamping fee on ``gross_premium`` for a policy effective
    on ``effective_date`` whose insured's home state is ``state`` (none where the rate
    data has no such state).  Raises :class:`NoRate` for a date the data does not cover."""
    table = table if table is not None else rate_table()
    if not has_rates(state, table):
        return []
    jurisdiction = table[state]["jurisdiction"]
    found = []
    for kind, label in CHARGES:
        rate = rate_on(kind, state, effective_date, table)
        amount = (gross_premium * rate.rate_percent / 100).quantize(CENT, ROUND_HALF_UP)
        found.append(Charge(kind, f"{jurisdiction} {label} {rate.rate_percent}% ({rate.citation})",
                            rate.rate_percent, amount, rate.citation))
    return found


def with_charges(taxes_fees: list[dict], added: list[Charge], currency: str) -> list[dict]:
    """A quote's taxes and fees with the surplus lines charges the carrier did not already show."""
    shown = {fee["kind"] for fee in taxes_fees}
    return [*taxes_fees, *(charge.as_fee(currency) for charge in added if charge.kind not in shown)]


@dataclass(frozen=True)
class Declination:
    market_id: str
    market_name: str
    carrier_name: str
    naic_code: str | None
    declined_on: date
    reason: str


def missing_declinations(declinations: list[Declination], required: int) -> str | None:
    """Why the diligent search is not complete, or None when it is."""
    markets = sorted({d.market_id for d in declinations})
    if len(markets) >= required:
        return None
    held = f"declinations recorded from {', '.join(markets)}" if markets else "no declination recorded"
    return (f"Binding a non-admitted market needs declinations from {required} admitted markets on this "
            f"submission (diligent search); {held}; {required - len(markets)} more needed.")

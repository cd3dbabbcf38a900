"""The simulated markets: who they are (the same record the demo seeds into marketing)
and how each one behaves (the ``simulator`` block, which never leaves this package)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

DEFAULT_FLEET = Path(__file__).with_name("fleet.json")
ANSWERS = ("quote", "indication", "decline")


@dataclass(frozen=True)
class Appetite:
    lines: tuple[str, ...]
    states: tuple[str, ...]
    min_premium: Decimal | None
    max_premium: Decimal | None


@dataclass(frozen=True)
class Revision:
    """A second, cheaper revision sent after the first answer."""

    premium_factor: Decimal
    delay_seconds: float


@dataclass(frozen=True)
class Behaviour:
    answer: str = "quote"
    decline_reason: str | None = None
    quote_prefix: str = "SIM"
    premium_factor: Decimal = Decimal("1.00")
    rate_per_thousand: Decimal = Decimal("1.50")
    minimum_premium: Decimal = Decimal("500.00")
    limit_changes: tuple[dict, ...] = ()
    deductible_changes: tuple[dict, ...] = ()
    added_exclusions: tuple[dict, ...] = ()
    subjectivities: tuple[str, ...] = ()
    taxes_fees: tuple[dict, ...] = ()
    payment_plans: tuple[dict, ...] = ()
    underwriters: tuple[str, ...] = ()
    delay_seconds: float = 0.0
    revise: Revision | None = None
    malformed_rate: Decimal = Decimal("0")
    valid_days: int = 30
    acknowledge: bool = True
    issue_delay_seconds: float = 20.0
    policy_discrepancy_rate: Decimal = Decimal("0")
    bind_decline_rate: Decimal = Decimal("0")
    bind_decline_reason: str = "Underwriting review before binding: outside our guidelines after all."


@dataclass(frozen=True)
class Market:
    id: str
    name: str
    kind: str
    carrier_name: str
    naic_code: str
    admitted: bool
    am_best_rating: str | None
    broker_user: str
    broker_password: str
    commission_percent: Decimal | None
    appetite: Appetite
    behaviour: Behaviour = field(default_factory=Behaviour)


def load_fleet(path: str | Path | None = None) -> list[Market]:
    records = json.loads(Path(path or DEFAULT_FLEET).read_text())
    return [market_from_record(record) for record in records]


def market_records(path: str | Path | None = None) -> list[dict]:
    """The fleet as marketing's market records (``POST /api/v1/markets``): everything but
    the simulator's private behaviour and broker password."""
    records = json.loads(Path(path or DEFAULT_FLEET).read_text())
    return [{k: v for k, v in record.items() if k != "simulator"} for record in records]


def select(markets: list[Market], ids: list[str] | None) -> list[Market]:
    if not ids:
        return markets
    known = {m.id: m for m in markets}
    missing = [i for i in ids if i not in known]
    if missing:
        raise KeyError(f"markets not in the fleet: {', '.join(missing)}")
    return [known[i] for i in ids]


def market_from_record(record: dict) -> Market:
    sim = record.get("simulator", {})
    return Market(
        id=record["id"], name=record["name"], kind=record["kind"],
        carrier_name=record["carrier_name"], naic_code=record["naic_code"],
        admitted=bool(record["admitted"]), am_best_rating=record.get("am_best_rating"),
        broker_user=record["broker_user"],
        broker_password=sim.get("broker_password", record["broker_user"]),
        commission_percent=_decimal(record.get("commission_percent")),
        appetite=_appetite(record.get("appetite", {})),
        behaviour=_behaviour(sim),
    )


def _appetite(data: dict) -> Appetite:
    return Appetite(
        lines=tuple(data.get("lines", ())), states=tuple(data.get("states", ())),
        min_premium=_money_amount(data.get("min_premium")),
        max_premium=_money_amount(data.get("max_premium")),
    )


def _behaviour(sim: dict) -> Behaviour:
    answer = sim.get("answer", "quote")
    if answer not in ANSWERS:
        raise ValueError(f"unknown answer {answer!r}; expected one of {ANSWERS}")
    if answer == "decline" and not sim.get("decline_reason"):
        raise ValueError("a declining market needs its decline_reason")
    revise = sim.get("revise")
    defaults = Behaviour()
    return Behaviour(
        answer=answer,
        decline_reason=sim.get("decline_reason"),
        quote_prefix=sim.get("quote_prefix", defaults.quote_prefix),
        premium_factor=Decimal(sim.get("premium_factor", "1.00")),
        rate_per_thousand=Decimal(sim.get("rate_per_thousand", str(defaults.rate_per_thousand))),
        minimum_premium=Decimal(sim.get("minimum_premium", str(defaults.minimum_premium))),
        limit_changes=tuple(sim.get("limit_changes", ())),
        deductible_changes=tuple(sim.get("deductible_changes", ())),
        added_exclusions=tuple(sim.get("added_exclusions", ())),
        subjectivities=tuple(sim.get("subjectivities", ())),
        taxes_fees=tuple(sim.get("taxes_fees", ())),
        payment_plans=tuple(sim.get("payment_plans", ())),
        underwriters=tuple(sim.get("underwriters", ())),
        delay_seconds=float(sim.get("delay_seconds", 0)),
        revise=Revision(Decimal(revise.get("premium_factor", "0.95")), float(revise.get("delay_seconds", 0)))
        if revise else None,
        malformed_rate=Decimal(str(sim.get("malformed_rate", "0"))),
        valid_days=int(sim.get("valid_days", defaults.valid_days)),
        acknowledge=bool(sim.get("acknowledge", defaults.acknowledge)),
        issue_delay_seconds=float(sim.get("issue_delay_seconds", defaults.issue_delay_seconds)),
        policy_discrepancy_rate=Decimal(str(sim.get("policy_discrepancy_rate", "0"))),
        bind_decline_rate=Decimal(str(sim.get("bind_decline_rate", "0"))),
        bind_decline_reason=sim.get("bind_decline_reason") or defaults.bind_decline_reason,
    )


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _money_amount(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value["amount"] if isinstance(value, dict) else value))

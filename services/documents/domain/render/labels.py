"""Words and figures shared by every renderer: money as text, limit and line names, the
options in the order a client reads them."""
from __future__ import annotations

from decimal import Decimal

from shared.contracts.types import LIMIT_KINDS, LINES_OF_BUSINESS

CURRENCY_SYMBOLS = {"USD": "$"}

LIMIT_LABELS = {
    "each_occurrence": "Each occurrence",
    "general_aggregate": "General aggregate",
    "products_completed_ops_aggregate": "Products-completed operations aggregate",
    "personal_advertising_injury": "Personal and advertising injury",
    "damage_to_rented_premises": "Damage to rented premises",
    "medical_expense": "Medical expense",
    "combined_single_limit": "Combined single limit",
    "bodily_injury_per_person": "Bodily injury per person",
    "bodily_injury_per_accident": "Bodily injury per accident",
    "property_damage": "Property damage",
    "uninsured_motorist": "Uninsured/underinsured motorist",
    "statutory": "Workers' compensation (statutory)",
    "el_each_accident": "Employers' liability each accident",
    "el_disease_each_employee": "EL disease each employee",
    "el_disease_policy_limit": "EL disease policy limit",
    "each_claim": "Each claim",
    "aggregate": "Aggregate",
    "per_shipment": "Per shipment",
    "building": "Building",
    "contents": "Contents",
    "business_income": "Business income",
    "bond_amount": "Bond amount",
}
DEDUCTIBLE_LABELS = {"deductible": "Deductible", "self_insured_retention": "Self-insured retention"}

DISCLAIMER = (
    "This proposal summarises the coverage the insurers have offered; it is not a policy. "
    "The policy governs: its terms, conditions, limitations and exclusions decide every claim, "
    "and where this proposal and the policy differ, the policy governs. Please read the policy "
    "when you receive it and tell us at once of anything that does not match your needs."
)


def money_text(money: dict | None, *, cents: bool = True) -> str:
    """``$47,080.00``; limits and deductibles read without cents when they have none."""
    if not money:
        return ""
    amount: Decimal = money["amount"]
    currency = money.get("currency", "USD")
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign = "-" if amount < 0 else ""
    figure = f"{abs(amount):,.2f}" if cents or amount != amount.to_integral_value() else f"{abs(amount):,.0f}"
    return f"{sign}{symbol}{figure}" if symbol else f"{sign}{figure} {currency}"


def percent_text(percent: Decimal | None) -> str:
    return "" if percent is None else f"{percent:+.2f}%"


def line_label(code: str) -> str:
    return LINES_OF_BUSINESS.get(code, code)


def limit_label(kind: str) -> str:
    return LIMIT_LABELS.get(kind, kind.replace("_", " ").capitalize())


def limit_order(kind: str) -> int:
    return LIMIT_KINDS.index(kind) if kind in LIMIT_KINDS else len(LIMIT_KINDS)


def limit_value_text(limit: dict) -> str:
    return "Statutory" if limit.get("amount") is None else money_text(limit["amount"], cents=False)


def limits_text(terms: dict | None) -> str:
    if not terms or not terms.get("limits"):
        return ""
    return "; ".join(f"{limit_label(l['kind'])} {limit_value_text(l)}" for l in terms["limits"])


def deductible_text(terms: dict | None) -> str:
    deductible = (terms or {}).get("deductible")
    if not deductible:
        return ""
    return f"{DEDUCTIBLE_LABELS.get(deductible['kind'], 'Deductible')} {money_text(deductible['amount'], cents=False)}"


def options_in_rank_order(comparison: dict) -> list[dict]:
    return sorted(comparison["options"], key=lambda o: (o["rank"], o["carrier_name"]))


def recommended_option(document: dict) -> dict | None:
    """The option the account manager recommends: the one named, else the best ranked."""
    options = options_in_rank_order(document["comparison"])
    wanted = document.get("recommended_quote_id")
    for option in options:
        if option["quote_id"] == wanted:
            return option
    return options[0] if options else None


def coverage_key(coverage: dict) -> tuple[str, str]:
    return coverage["line_of_business"], coverage["code"]


def coverage_catalogue(comparison: dict) -> list[dict]:
    """Every coverage any option speaks of, once, in the submission's line order, with the
    requested and expiring terms (the same in every option: they come from the
    specifications and the expiring policy)."""
    seen: dict[tuple[str, str], dict] = {}
    for option in options_in_rank_order(comparison):
        for coverage in option["coverages"]:
            entry = seen.setdefault(coverage_key(coverage), {
                "line_of_business": coverage["line_of_business"], "code": coverage["code"],
                "description": None, "requested": None, "expiring": None,
            })
            for name in ("description", "requested", "expiring"):
                entry[name] = entry[name] or coverage.get(name)
    lines = list(comparison["lines"])
    return sorted(seen.values(), key=lambda c: lines.index(c["line_of_business"])
                  if c["line_of_business"] in lines else len(lines))


def option_coverage(option: dict, key: tuple[str, str]) -> dict | None:
    return next((c for c in option["coverages"] if coverage_key(c) == key), None)

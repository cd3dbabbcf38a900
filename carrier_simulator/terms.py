"""A market's terms for one requested line: coverages derived from the specifications
with the market's changes, premium per coverage, and the taxes and fees on the total.

Works on loaded ``carrier.submission.requested`` data (Decimals) and returns JSON-ready
dicts (decimal strings), so the result can be validated strictly and published as is."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from carrier_simulator.fleet import Behaviour

CENT = Decimal("0.01")
DOLLAR = Decimal("1")
THOUSAND = Decimal("1000")


def money(amount: Decimal, currency: str = "USD") -> dict:
    return {"amount": str(Decimal(amount).quantize(CENT, ROUND_HALF_UP)), "currency": currency}


def quoted_line(requested: dict, behaviour: Behaviour, factor: Decimal) -> dict:
    """The line as the market quotes it: its coverages with the configured limit,
    deductible and exclusion changes, each priced at ``factor`` times its base premium."""
    lob = requested["line_of_business"]
    coverages = [_coverage(lob, c, behaviour) for c in requested["coverages"]]
    _apply_deductibles(lob, coverages, behaviour)
    premiums = line_premiums(requested, behaviour, factor)
    currency = currency_of(requested)
    for coverage, premium in zip(coverages, premiums):
        coverage["premium"] = money(premium, currency)
    return {"line_of_business": lob, "coverages": coverages, "premium": money(sum(premiums, Decimal(0)), currency)}


def line_premiums(requested: dict, behaviour: Behaviour, factor: Decimal) -> list[Decimal]:
    """Premium per coverage, in whole dollars: the expiring premium (per coverage where
    known, the line's spread pro rata) times ``factor``; a rate on the highest limit for a
    coverage nobody priced before; never below the market's minimum for the line."""
    bases = [_base_premium(c, behaviour) for c in requested["coverages"]]
    expiring = requested.get("expiring_premium")
    total_base = sum(bases, Decimal(0))
    if expiring and total_base > 0:
        bases = [b * expiring["amount"] / total_base for b in bases]
    premiums = [(b * factor).quantize(DOLLAR, ROUND_HALF_UP) for b in bases]
    shortfall = behaviour.minimum_premium - sum(premiums, Decimal(0))
    if premiums and shortfall > 0:
        premiums[0] += shortfall.quantize(DOLLAR, ROUND_HALF_UP)
    return premiums


def currency_of(requested: dict) -> str:
    expiring = requested.get("expiring_premium")
    if expiring:
        return expiring.get("currency", "USD")
    for coverage in requested["coverages"]:
        for limit in coverage.get("limits", ()):
            if limit.get("amount"):
                return limit["amount"].get("currency", "USD")
    return "USD"


def taxes_and_fees(behaviour: Behaviour, premium: Decimal, currency: str) -> list[dict]:
    """Fixed fees as configured; a rate (surplus line tax, stamping fee) applies to the
    premium plus the fixed fees listed before it, or to the premium alone with
    ``"basis": "premium"``."""
    fees, fixed_so_far = [], Decimal(0)
    for fee in behaviour.taxes_fees:
        if "rate_percent" in fee:
            basis = premium if fee.get("basis") == "premium" else premium + fixed_so_far
            amount = basis * Decimal(fee["rate_percent"]) / 100
        else:
            amount = Decimal(fee["amount"])
            fixed_so_far += amount
        fees.append({"kind": fee["kind"], "description": fee.get("description"), "amount": money(amount, currency)})
    return fees


def quote_level_exclusions(behaviour: Behaviour) -> list[str]:
    return [rule["exclusion"] for rule in behaviour.added_exclusions if not rule.get("line")]


def _coverage(lob: str, requested: dict, behaviour: Behaviour) -> dict:
    code = requested["code"]
    exclusions = list(requested.get("exclusions", ()))
    exclusions += [r["exclusion"] for r in behaviour.added_exclusions
                   if r.get("line") and _matches(r, lob, code) and r["exclusion"] not in exclusions]
    return {
        "code": code,
        "description": requested.get("description"),
        "limits": [_limit(lob, code, limit, behaviour) for limit in requested.get("limits", ())],
        "deductible": _deductible(requested.get("deductible")),
        "premium": None,
        "forms": list(requested.get("forms", ())),
        "exclusions": exclusions,
    }


def _limit(lob: str, code: str, limit: dict, behaviour: Behaviour) -> dict:
    amount = limit.get("amount")
    for rule in behaviour.limit_changes:
        if _matches(rule, lob, code) and rule["kind"] == limit["kind"]:
            currency = amount["currency"] if amount else "USD"
            return {"kind": limit["kind"], "amount": money(Decimal(rule["amount"]), currency)}
    return {"kind": limit["kind"], "amount": money(amount["amount"], amount["currency"]) if amount else None}


def _deductible(deductible: dict | None) -> dict | None:
    if not deductible:
        return None
    amount = deductible["amount"]
    return {"kind": deductible.get("kind", "deductible"), "amount": money(amount["amount"], amount["currency"])}


def _apply_deductibles(lob: str, coverages: list[dict], behaviour: Behaviour) -> None:
    """A rule naming a coverage sets that coverage's deductible; a rule naming only the
    line sets the deductible of every coverage that carries one (the first coverage when
    none does)."""
    for rule in (r for r in behaviour.deductible_changes if r["line"] == lob):
        targets = [c for c in coverages if _matches(rule, lob, c["code"])]
        if not rule.get("coverage"):
            targets = [c for c in targets if c["deductible"]] or targets[:1]
        for coverage in targets:
            current = coverage["deductible"] or {"kind": rule.get("kind", "deductible"), "amount": money(0)}
            coverage["deductible"] = {
                "kind": rule.get("kind", current["kind"]),
                "amount": money(Decimal(rule["amount"]), current["amount"]["currency"]),
            }


def _base_premium(coverage: dict, behaviour: Behaviour) -> Decimal:
    if coverage.get("premium"):
        return coverage["premium"]["amount"]
    amounts = [lim["amount"]["amount"] for lim in coverage.get("limits", ()) if lim.get("amount")]
    if not amounts:
        return behaviour.minimum_premium
    return max(amounts) / THOUSAND * behaviour.rate_per_thousand


def _matches(rule: dict, lob: str, code: str) -> bool:
    return rule.get("line") == lob and rule.get("coverage") in (None, code)

"""The coverage-by-coverage comparison of a submission's quotes (a pure function).

Every quote is compared with the specifications (what was asked for) and, where nothing
was specified, with the expiring policy; limits, deductibles, missing coverages and new
exclusions are flagged, subjectivities listed, and each option's total cost (premium plus
taxes and fees) set against the expiring premium of the lines it quotes.  Options rank
by total cost, then by how many adverse flags they carry.

Inputs and output are in their JSON form (amounts as strings); arithmetic is Decimal.
The result validates against ``shared.contracts.comparison.ComparisonSchema``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from shared.contracts.types import Money, percent_change

QUOTE_TERMS = "QUOTE_TERMS"
ADVERSE = ("warning", "critical")


@dataclass(frozen=True)
class SubmissionFacts:
    submission_id: str
    client_id: str
    program: str
    insured_name: str
    effective_date: date
    expiration_date: date
    lines: tuple[str, ...]


def compare(facts: SubmissionFacts, specifications: dict, expiring: list[dict], quotes: list[dict],
            generated_at: datetime) -> dict:
    """``specifications``: {line: {"coverages": [...]}}; ``expiring``: expiring line
    snapshots (policy_id, line_of_business, policy_number, carrier_name, premium,
    coverages); ``quotes``: current quotes (quote_id, market_id, market_name,
    carrier_name, admitted, am_best_rating, status, revision, lines, taxes_fees,
    valid_until, subjectivities, exclusions, declination_reason)."""
    expiring_by_line = {e["line_of_business"]: e for e in expiring}
    answered = [q for q in quotes if q["status"] != "declined"]
    options = [_option(facts, specifications, expiring_by_line, q) for q in answered]
    _rank(options)
    return {
        "submission_id": facts.submission_id,
        "client_id": facts.client_id,
        "program": facts.program,
        "insured_name": facts.insured_name,
        "effective_date": facts.effective_date.isoformat(),
        "expiration_date": facts.expiration_date.isoformat(),
        "lines": list(facts.lines),
        "expiring": [_expiring_line(e) for e in expiring],
        "expiring_premium": _sum([_money(e["premium"]) for e in expiring]).to_dict() if expiring else None,
        "options": sorted(options, key=lambda o: o["rank"]),
        "declinations": [
            {"market_id": q["market_id"], "market_name": q["market_name"], "reason": q["declination_reason"]}
            for q in quotes if q["status"] == "declined"
        ],
        "generated_at": generated_at.isoformat(),
    }


# -- one option --------------------------------------------------------------------

def _option(facts: SubmissionFacts, specifications: dict, expiring_by_line: dict, quote: dict) -> dict:
    premium = _sum([_money(line["premium"]) for line in quote["lines"]])
    fees = [_money(fee["amount"]) for fee in quote["taxes_fees"]]
    total = premium + _sum(fees, premium.currency)
    rows = _coverage_rows(facts, specifications, expiring_by_line, quote)
    terms = _terms_row(facts, specifications, expiring_by_line, quote)
    if terms is not None:
        rows.append(terms)
    return {
        "quote_id": quote["quote_id"],
        "market_id": quote["market_id"],
        "market_name": quote["market_name"],
        "carrier_name": quote["carrier_name"],
        "admitted": quote["admitted"],
        "am_best_rating": quote.get("am_best_rating"),
        "status": quote["status"],
        "revision": quote["revision"],
        "premium": premium.to_dict(),
        "taxes_fees": [dict(fee) for fee in quote["taxes_fees"]],
        "total_cost": total.to_dict(),
        "change_vs_expiring": _change(total, quote, expiring_by_line),
        "valid_until": _iso(quote.get("valid_until")),
        "subjectivities": list(quote.get("subjectivities") or []),
        "rank": 0,
        "flag_count": sum(1 for row in rows for flag in row["flags"] if flag["severity"] in ADVERSE),
        "coverages": rows,
    }


def _change(total: Money, quote: dict, expiring_by_line: dict) -> dict | None:
    """Against the expiring premium of the lines this option quotes, so a quote for one
    line is not shown as a saving on two."""
    basis = [_money(expiring_by_line[line["line_of_business"]]["premium"])
             for line in quote["lines"] if line["line_of_business"] in expiring_by_line]
    if not basis:
        return None
    expiring_total = _sum(basis)
    change = total - expiring_total
    percent = percent_change(expiring_total.amount, total.amount)
    return {"amount": change.to_dict(), "percent": None if percent is None else str(percent)}


def _rank(options: list[dict]) -> None:
    ordered = sorted(options, key=lambda o: (Decimal(o["total_cost"]["amount"]), o["flag_count"],
                                             o["market_name"], o["quote_id"]))
    for position, option in enumerate(ordered, start=1):
        option["rank"] = position


# -- coverage rows -------------------------------------------------------------------

def _coverage_rows(facts, specifications, expiring_by_line, quote) -> list[dict]:
    quoted_lines = {line["line_of_business"]: line for line in quote["lines"]}
    order = list(facts.lines) + [line for line in quoted_lines if line not in facts.lines]
    rows = []
    for line in order:
        requested = _by_code(specifications.get(line, {}).get("coverages", []))
        expiring = _by_code(expiring_by_line.get(line, {}).get("coverages", []))
        quoted = _by_code(quoted_lines.get(line, {}).get("coverages", []))
        for code in _ordered_union(requested, expiring, quoted):
            rows.append(_row(line, code, requested.get(code), expiring.get(code), quoted.get(code)))
    return rows


def _row(line: str, code: str, requested: dict | None, expiring: dict | None, quoted: dict | None) -> dict:
    baseline = requested or expiring
    flags: list[dict] = []
    if quoted is None:
        flags.append(_flag("missing_coverage", f"{code} is not quoted.", "critical"))
    elif baseline is None:
        flags.append(_flag("not_requested", f"{code} was offered without being requested.", "info"))
    else:
        flags += limit_flags(baseline, quoted)
        flags += deductible_flags(baseline, quoted)
    if quoted is not None:
        known = set((requested or {}).get("exclusions", [])) | set((expiring or {}).get("exclusions", []))
        flags += [_flag("new_exclusion", f"New exclusion: {name}.", "warning")
                  for name in quoted.get("exclusions", []) if name not in known]
    described = quoted or requested or expiring
    return {
        "line_of_business": line,
        "code": code,
        "description": described.get("description"),
        "requested": _terms(requested),
        "expiring": _terms(expiring),
        "quoted": _terms(quoted),
        "flags": flags,
    }


def limit_flags(baseline: dict, quoted: dict) -> list[dict]:
    flags = []
    quoted_limits = {limit["kind"]: limit for limit in quoted.get("limits", [])}
    for limit in baseline.get("limits", []):
        kind = limit["kind"]
        offered = quoted_limits.get(kind)
        if offered is None:
            flags.append(_flag("missing_limit", f"No {_label(kind)} limit (asked {_show(limit)}).", "critical"))
            continue
        if limit.get("amount") is None or offered.get("amount") is None:
            continue
        asked, given = _money(limit["amount"]), _money(offered["amount"])
        if given.amount < asked.amount:
            flags.append(_flag("lower_limit", f"{_label(kind)} {_fmt(given)} instead of {_fmt(asked)}.", "critical"))
        elif given.amount > asked.amount:
            flags.append(_flag("higher_limit", f"{_label(kind)} {_fmt(given)} instead of {_fmt(asked)}.", "info"))
    return flags


def deductible_flags(baseline: dict, quoted: dict) -> list[dict]:
    asked = _money(baseline["deductible"]["amount"]) if baseline.get("deductible") else None
    given = _money(quoted["deductible"]["amount"]) if quoted.get("deductible") else None
    asked_amount = asked.amount if asked else Decimal("0")
    given_amount = given.amount if given else Decimal("0")
    shown = _fmt(given) if given else "none"
    was = _fmt(asked) if asked else "none"
    if given_amount > asked_amount:
        return [_flag("higher_deductible", f"Deductible {shown} instead of {was}.", "warning")]
    if given_amount < asked_amount:
        return [_flag("lower_deductible", f"Deductible {shown} instead of {was}.", "info")]
    return []


def _terms_row(facts, specifications, expiring_by_line, quote) -> dict | None:
    """Exclusions and subjectivities that apply to the whole quote, on a row of their own."""
    known = {name for source in (*specifications.values(), *expiring_by_line.values())
             for coverage in source.get("coverages", []) for name in coverage.get("exclusions", [])}
    flags = [_flag("new_exclusion", f"New exclusion: {name}.", "warning")
             for name in quote.get("exclusions") or [] if name not in known]
    flags += [_flag("subjectivity", f"Subjectivity: {text}", "warning") for text in quote.get("subjectivities") or []]
    if not flags and not quote.get("exclusions"):
        return None
    lines = [line["line_of_business"] for line in quote["lines"]] or list(facts.lines)
    return {
        "line_of_business": lines[0],
        "code": QUOTE_TERMS,
        "description": "Terms and conditions of the whole quote",
        "requested": None,
        "expiring": None,
        "quoted": {"limits": [], "deductible": None, "premium": None, "exclusions": list(quote.get("exclusions") or [])},
        "flags": flags,
    }


# -- helpers -------------------------------------------------------------------------

def _terms(coverage: dict | None) -> dict | None:
    if coverage is None:
        return None
    return {
        "limits": [dict(limit) for limit in coverage.get("limits", [])],
        "deductible": coverage.get("deductible"),
        "premium": coverage.get("premium"),
        "exclusions": list(coverage.get("exclusions", [])),
    }


def _expiring_line(expiring: dict) -> dict:
    return {
        "line_of_business": expiring["line_of_business"],
        "policy_id": expiring.get("policy_id"),
        "policy_number": expiring["policy_number"],
        "carrier_name": expiring["carrier_name"],
        "premium": _money(expiring["premium"]).to_dict(),
    }


def _by_code(coverages: list[dict]) -> dict[str, dict]:
    return {coverage["code"]: coverage for coverage in coverages}


def _ordered_union(*mappings: dict) -> list[str]:
    seen: dict[str, None] = {}
    for mapping in mappings:
        for key in mapping:
            seen.setdefault(key, None)
    return list(seen)


def _flag(kind: str, detail: str, severity: str) -> dict:
    return {"kind": kind, "detail": detail, "severity": severity}


def _money(value: dict) -> Money:
    return Money(Decimal(str(value["amount"])), value.get("currency", "USD"))


def _sum(amounts: list[Money], currency: str = "USD") -> Money:
    total = Money.zero(amounts[0].currency if amounts else currency)
    for amount in amounts:
        total = total + amount
    return total


def _fmt(money: Money) -> str:
    amount = money.amount
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{money.currency} {shown}"


def _show(limit: dict) -> str:
    return _fmt(_money(limit["amount"])) if limit.get("amount") else "statutory"


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)

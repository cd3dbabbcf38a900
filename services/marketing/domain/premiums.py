"""The renewal premium summary (expiring against each renewal option, per line) and a
quote's premium breakdown (per line and coverage, taxes, fees, surplus lines charges,
broker fee): pure functions on the JSON form of quotes, Decimal arithmetic.

Every figure reconciles: an option's line premiums plus its tax and fee rows are its total
cost, and a breakdown's rows add up to its total (the quote's total cost, plus the
surplus lines charges the carrier did not show, plus the broker fee)."""
from __future__ import annotations

from decimal import Decimal

from shared.contracts.types import Money, percent_change

SURPLUS_LINES_KINDS = ("surplus_lines_tax", "stamping_fee")
ZERO = Decimal("0.00")


def money(amount: Decimal, currency: str) -> dict:
    return Money(amount, currency).to_dict()


def amount_of(value: dict) -> Decimal:
    return Decimal(str(value["amount"]))


def change(old: Decimal | None, new: Decimal | None, currency: str) -> dict | None:
    """The change from ``old`` to ``new`` in amount and percent (None without both)."""
    if old is None or new is None:
        return None
    percent = percent_change(old, new)
    return {"amount": money(new - old, currency), "percent": None if percent is None else str(percent)}


def fee_section(kind: str) -> str:
    if kind in SURPLUS_LINES_KINDS:
        return "surplus_lines"
    return "tax" if "tax" in kind else "fee"


# -- the premium summary ------------------------------------------------------------------

def premium_summary(lines: list[str], expiring: list[dict], options: list[dict], currency: str) -> dict:
    """``expiring``: the submission's expiring line snapshots (line_of_business, policy_number,
    carrier_name, premium); ``options``: the current answered quotes (quote_id, market_id,
    market_name, carrier_name, admitted, status, revision, lines, taxes_fees)."""
    expiring_by_line = {e["line_of_business"]: e for e in expiring}
    return {
        "currency": currency,
        "options": [{k: option[k] for k in ("quote_id", "market_id", "market_name", "carrier_name", "admitted",
                                            "status", "revision")} for option in options],
        "lines": [_line_row(line, expiring_by_line.get(line), options, currency) for line in lines],
        "taxes_fees": _fee_rows(options, currency),
        "totals": _totals(expiring_by_line, options, currency),
    }


def _line_premium(option: dict, line: str) -> Decimal | None:
    return next((amount_of(q["premium"]) for q in option["lines"] if q["line_of_business"] == line), None)


def _line_row(line: str, expiring: dict | None, options: list[dict], currency: str) -> dict:
    expiring_premium = amount_of(expiring["premium"]) if expiring else None
    cells = []
    for option in options:
        premium = _line_premium(option, line)
        cells.append({"quote_id": option["quote_id"],
                      "premium": None if premium is None else money(premium, currency),
                      "change": change(expiring_premium, premium, currency)})
    return {
        "line_of_business": line,
        "expiring": None if expiring is None else {
            "carrier_name": expiring["carrier_name"], "policy_number": expiring["policy_number"],
            "premium": money(expiring_premium, currency)},
        "options": cells,
    }


def _fee_rows(options: list[dict], currency: str) -> list[dict]:
    """One row per kind of tax or fee any option charges, with each option's amount."""
    kinds: dict[str, str | None] = {}
    for option in options:
        for fee in option["taxes_fees"]:
            kinds.setdefault(fee["kind"], fee.get("description"))
    rows = []
    for kind, description in kinds.items():
        cells = []
        for option in options:
            charged = [amount_of(f["amount"]) for f in option["taxes_fees"] if f["kind"] == kind]
            cells.append({"quote_id": option["quote_id"],
                          "amount": money(sum(charged, ZERO), currency) if charged else None})
        rows.append({"kind": kind, "section": fee_section(kind), "description": description, "options": cells})
    return rows


def _totals(expiring_by_line: dict, options: list[dict], currency: str) -> dict:
    cells = []
    for option in options:
        premium = sum((amount_of(q["premium"]) for q in option["lines"]), ZERO)
        fees = sum((amount_of(f["amount"]) for f in option["taxes_fees"]), ZERO)
        quoted = [expiring_by_line[q["line_of_business"]] for q in option["lines"]
                  if q["line_of_business"] in expiring_by_line]
        expiring = sum((amount_of(e["premium"]) for e in quoted), ZERO) if quoted else None
        cells.append({"quote_id": option["quote_id"], "premium": money(premium, currency),
                      "taxes_fees": money(fees, currency), "total_cost": money(premium + fees, currency),
                      "expiring_premium_of_lines_quoted": None if expiring is None else money(expiring, currency),
                      "premium_change": change(expiring, premium, currency),
                      "total_cost_change": change(expiring, premium + fees, currency)})
    expiring_total = sum((amount_of(e["premium"]) for e in expiring_by_line.values()), ZERO)
    return {"expiring_premium": money(expiring_total, currency) if expiring_by_line else None, "options": cells}


# -- the premium breakdown of one quote ----------------------------------------------------

def premium_breakdown(lines: list[dict], carrier_fees: list[dict], added_fees: list[dict],
                      broker_fee: Decimal | None, currency: str) -> dict:
    """``lines``: the quote's lines (premium and coverages with their premiums);
    ``carrier_fees``: the taxes and fees the carrier quoted (in its total cost);
    ``added_fees``: surplus lines charges the platform adds that the carrier did not show."""
    rows: list[dict] = []
    line_views = [_line_breakdown(line, currency, rows) for line in lines]
    for fee, added in [(f, False) for f in carrier_fees] + [(f, True) for f in added_fees]:
        rows.append(_row(fee_section(fee["kind"]), fee["kind"], fee.get("description"), amount_of(fee["amount"]),
                         currency, added_by_broker=added))
    if broker_fee:
        rows.append(_row("broker_fee", "broker_fee", "Broker fee (not part of the insurer's premium)", broker_fee,
                         currency, added_by_broker=True))
    section = lambda *names: sum((amount_of(r["amount"]) for r in rows if r["section"] in names), ZERO)  # noqa: E731
    premium = section("premium")
    quote_total = premium + sum((amount_of(f["amount"]) for f in carrier_fees), ZERO)
    total = sum((amount_of(r["amount"]) for r in rows), ZERO)
    return {
        "currency": currency,
        "lines": line_views,
        "rows": rows,
        "premium": money(premium, currency),
        "taxes": money(section("tax"), currency),
        "fees": money(section("fee"), currency),
        "surplus_lines": money(section("surplus_lines"), currency),
        "broker_fee": money(broker_fee or ZERO, currency),
        "quote_total_cost": money(quote_total, currency),
        "total": money(total, currency),
    }


def _line_breakdown(line: dict, currency: str, rows: list[dict]) -> dict:
    code = line["line_of_business"]
    line_premium = amount_of(line["premium"])
    allocated = ZERO
    coverages = []
    for coverage in line["coverages"]:
        premium = amount_of(coverage["premium"]) if coverage.get("premium") else None
        coverages.append({"code": coverage["code"], "description": coverage.get("description"),
                          "premium": None if premium is None else money(premium, currency)})
        if premium is not None:
            allocated += premium
            rows.append(_row("premium", "coverage_premium", coverage.get("description") or coverage["code"],
                             premium, currency, line=code, coverage=coverage["code"]))
    balance = line_premium - allocated
    if balance:
        rows.append(_row("premium", "line_premium_balance",
                         "Line premium not allocated to a coverage" if balance > 0
                         else "Line credit against the coverage premiums", balance, currency, line=code))
    return {"line_of_business": code, "premium": money(line_premium, currency), "coverages": coverages,
            "unallocated_premium": money(balance, currency)}


def _row(section: str, kind: str, description: str | None, amount: Decimal, currency: str, *,
         line: str | None = None, coverage: str | None = None, added_by_broker: bool = False) -> dict:
    return {"section": section, "kind": kind, "line_of_business": line, "coverage_code": coverage,
            "description": description, "amount": money(amount, currency), "added_by_broker": added_by_broker}

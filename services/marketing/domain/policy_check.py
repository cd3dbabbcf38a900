"""Policy checking (pure): the issued policy against the bound quote, in the same coverage
model (lines with coverages, limits, deductibles and premium; forms and exclusions on the
quote and on its coverages).  Every difference is one discrepancy with what was expected,
what was found and a sentence an account manager can act on.

Inputs are in their JSON form (amounts as strings); arithmetic is Decimal."""
from __future__ import annotations

from decimal import Decimal

KINDS = ("missing_line", "extra_line", "premium", "missing_coverage", "extra_coverage", "limit", "deductible",
         "missing_form", "extra_form", "new_exclusion", "removed_exclusion", "term")


def discrepancies(bound: dict, issued: dict) -> list[dict]:
    """``bound`` and ``issued``: {"lines": [...], "forms": [...], "exclusions": [...]} and,
    optionally, "period" ({"effective_date", "expiration_date"}, ISO dates): the term on
    the binder against the term printed on the policy (compared when both are known)."""
    found: list[dict] = _term(bound.get("period"), issued.get("period"))
    bound_lines = {line["line_of_business"]: line for line in bound["lines"]}
    issued_lines = {line["line_of_business"]: line for line in issued["lines"]}
    for code, line in bound_lines.items():
        if code not in issued_lines:
            found.append(_d("missing_line", code, None, code, None, f"Line {code} was bound but is not on the policy."))
        else:
            found += _line(code, line, issued_lines[code])
    for code in issued_lines:
        if code not in bound_lines:
            found.append(_d("extra_line", code, None, None, code, f"Line {code} is on the policy but was not bound."))
    found += _named("form", _all(bound, "forms"), _all(issued, "forms"))
    found += _exclusions(_all(bound, "exclusions"), _all(issued, "exclusions"))
    return found


def _term(bound: dict | None, issued: dict | None) -> list[dict]:
    if not bound or not issued:
        return []
    expected, given = _period_text(bound), _period_text(issued)
    if expected == given:
        return []
    changed = [what for what, key in (("effective", "effective_date"), ("expiration", "expiration_date"))
               if str(bound[key]) != str(issued[key])]
    return [_d("term", None, None, expected, given,
               f"Policy term {given} instead of {expected} as bound ({' and '.join(changed)} date differs).")]


def _period_text(period: dict) -> str:
    return f"{period['effective_date']} to {period['expiration_date']}"


def _line(line: str, bound: dict, issued: dict) -> list[dict]:
    found = []
    expected, given = _amount(bound["premium"]), _amount(issued["premium"])
    if expected != given:
        found.append(_d("premium", line, None, _money(bound["premium"]), _money(issued["premium"]),
                        f"{line} premium {_money(issued['premium'])} instead of {_money(bound['premium'])}."))
    bound_coverages = {c["code"]: c for c in bound["coverages"]}
    issued_coverages = {c["code"]: c for c in issued["coverages"]}
    for code, coverage in bound_coverages.items():
        if code not in issued_coverages:
            found.append(_d("missing_coverage", line, code, code, None, f"{line} {code} was bound but is not on the policy."))
            continue
        found += _limits(line, code, coverage, issued_coverages[code])
        found += _deductible(line, code, coverage, issued_coverages[code])
    for code in issued_coverages:
        if code not in bound_coverages:
            found.append(_d("extra_coverage", line, code, None, code, f"{line} {code} is on the policy but was not bound."))
    return found


def _limits(line: str, code: str, bound: dict, issued: dict) -> list[dict]:
    found = []
    issued_limits = {limit["kind"]: limit for limit in issued.get("limits", [])}
    kinds = [limit["kind"] for limit in bound.get("limits", [])]
    kinds += [kind for kind in issued_limits if kind not in kinds]
    bound_limits = {limit["kind"]: limit for limit in bound.get("limits", [])}
    for kind in kinds:
        expected, given = _limit(bound_limits.get(kind)), _limit(issued_limits.get(kind))
        if expected != given:
            found.append(_d("limit", line, code, expected, given,
                            f"{line} {code} {kind.replace('_', ' ')} limit {given or 'missing'} instead of "
                            f"{expected or 'none'}."))
    return found


def _deductible(line: str, code: str, bound: dict, issued: dict) -> list[dict]:
    expected, given = _deductible_text(bound.get("deductible")), _deductible_text(issued.get("deductible"))
    if expected == given:
        return []
    return [_d("deductible", line, code, expected, given,
               f"{line} {code} deductible {given or 'none'} instead of {expected or 'none'}.")]


def _named(what: str, bound: list[str], issued: list[str]) -> list[dict]:
    missing = [_d(f"missing_{what}", None, None, name, None, f"{what.title()} {name} was quoted but is not on the policy.")
               for name in bound if name not in issued]
    extra = [_d(f"extra_{what}", None, None, None, name, f"{what.title()} {name} is on the policy but was not quoted.")
             for name in issued if name not in bound]
    return missing + extra


def _exclusions(bound: list[str], issued: list[str]) -> list[dict]:
    added = [_d("new_exclusion", None, None, None, name, f"New exclusion on the policy: {name}.")
             for name in issued if name not in bound]
    removed = [_d("removed_exclusion", None, None, name, None, f"Quoted exclusion not on the policy: {name}.")
               for name in bound if name not in issued]
    return added + removed


def _all(policy: dict, key: str) -> list[str]:
    """Quote-level names and those on each coverage, each once, in order."""
    names = list(policy.get(key) or [])
    for line in policy["lines"]:
        for coverage in line["coverages"]:
            names += coverage.get(key) or []
    return list(dict.fromkeys(names))


def _d(kind, line, coverage, expected, found, detail) -> dict:
    return {"kind": kind, "line_of_business": line, "coverage_code": coverage, "expected": expected, "found": found,
            "detail": detail}


def _amount(money: dict | None) -> Decimal | None:
    return None if money is None else Decimal(str(money["amount"]))


def _money(money: dict) -> str:
    return f"{money['currency']} {Decimal(str(money['amount'])):.2f}"


def _limit(limit: dict | None) -> str | None:
    if limit is None:
        return None
    return "statutory" if limit.get("amount") is None else _money(limit["amount"])


def _deductible_text(deductible: dict | None) -> str | None:
    if deductible is None:
        return None
    return f"{_money(deductible['amount'])} {deductible.get('kind', 'deductible').replace('_', ' ')}"

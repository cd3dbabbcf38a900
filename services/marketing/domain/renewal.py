"""Renewal submissions from expiring policies (pure).

A renewal starts where the expiring term ends, for the same length, and asks for what the
client has today: each expiring policy's coverages become the requested coverages of its
line.  The expiring terms are kept beside the specifications, because the account manager
may change the specifications while the comparison must still show what is expiring.
"""
from __future__ import annotations

import calendar
import copy
from datetime import date, timedelta


def renewal_period(expiring_effective: date, expiring_expiration: date) -> tuple[date, date]:
    """The next term: from the expiration date, as long as the expiring term (whole months
    stay on the same calendar day: a year is a year, six months six months)."""
    start = expiring_expiration
    months = _whole_months(expiring_effective, expiring_expiration)
    if months:
        return start, _add_months(start, months, expiring_effective.day)
    return start, start + (expiring_expiration - expiring_effective)


def _whole_months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and _add_months(start, months, start.day) == end:
        return months
    return 0


def _add_months(day: date, months: int, preferred_day: int) -> date:
    """``months`` after ``day``, on ``preferred_day`` or the month's last day if shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(preferred_day, last))


def expiring_line(policy: dict) -> dict:
    """What a comparison needs of an expiring policy (``policy`` is a
    PolicySnapshotSchema in its JSON form)."""
    return {
        "policy_id": policy["policy_id"],
        "line_of_business": policy["line_of_business"],
        "policy_number": policy["policy_number"],
        "carrier_name": policy["market"]["carrier_name"],
        "naic_code": policy["market"].get("naic_code"),
        "premium": dict(policy["premium"]),
        "coverages": copy.deepcopy(policy.get("coverages", [])),
    }


def specification_from(policy: dict) -> dict:
    """The requested coverages of a line: the expiring coverages, to start with."""
    return {"coverages": copy.deepcopy(policy.get("coverages", []))}


class LineTaken(ValueError):
    """The submission already markets this line (from another expiring policy)."""


def add_expiring_policy(specifications: dict, expiring: list[dict], lines: list[str],
                        policy: dict) -> tuple[dict, list[dict], list[str]]:
    """The specifications, expiring lines and lines of a renewal after adding ``policy``.
    Inputs are not modified."""
    line = policy["line_of_business"]
    if line in lines:
        raise LineTaken(f"line {line} is already on this submission")
    specifications = {**copy.deepcopy(specifications), line: specification_from(policy)}
    return specifications, [*copy.deepcopy(expiring), expiring_line(policy)], [*lines, line]


def default_respond_by(today: date, effective_date: date) -> date:
    """Two weeks to answer, but at least a week before the term starts, and never in the past."""
    return max(today, min(today + timedelta(days=14), effective_date - timedelta(days=7)))

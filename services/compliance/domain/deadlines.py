"""Due dates from a rule's data: an anchor date (the term's effective or expiration date,
or the notice date of a cancellation) plus an offset in months and days."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from services.compliance.domain.rules import DueRule, Rule


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def anchor_date(anchor: str, *, effective_date: date | None, expiration_date: date | None,
                notice_date: date | None) -> date:
    value = {"effective_date": effective_date, "expiration_date": expiration_date,
             "notice_date": notice_date}[anchor]
    if value is None:
        raise ValueError(f"the due date counts from the {anchor.replace('_', ' ')}, which is not known")
    return value


def due_date(due: DueRule, *, effective_date: date | None = None, expiration_date: date | None = None,
             notice_date: date | None = None) -> date:
    start = anchor_date(due.anchor, effective_date=effective_date, expiration_date=expiration_date,
                        notice_date=notice_date)
    return add_months(start, due.offset_months) + timedelta(days=due.offset_days)


def cancellation_effective_date(rule: Rule, notice_date: date, *, reason: str | None = None,
                                coverage_ends: date | None = None) -> date:
    """When a cancellation takes effect with the body: the notice date plus the notice period
    (the one for the cancellation's reason where the rule has one), and never before the
    policy's coverage ends (the insurer keeps its filing until then).  Where the period counts
    from receipt, the notice date stands in for receipt (electronic filing); a mailed notice
    gives a later date, never an earlier one."""
    period = rule.notice_period_for(reason)
    if period is None:
        raise ValueError(f"rule {rule.id} has no notice period")
    effective = notice_date + timedelta(days=period)
    return max(effective, coverage_ends) if coverage_ends is not None else effective


def describe_due(rule: Rule) -> str:
    """The due rule in words, for the reason carried by compliance.filing.due."""
    anchor = {"effective_date": "the term's effective date", "expiration_date": "the term's expiration date",
              "notice_date": "the cancellation notice date"}[rule.due.anchor]
    parts = []
    if rule.due.offset_months:
        parts.append(f"{rule.due.offset_months} months")
    if rule.due.offset_days:
        parts.append(f"{abs(rule.due.offset_days)} days")
    if not parts:
        return f"by {anchor}"
    direction = "before" if rule.due.offset_days < 0 and not rule.due.offset_months else "after"
    return f"within {' and '.join(parts)} {direction} {anchor}"

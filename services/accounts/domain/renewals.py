"""The renewal scan: raise ``accounts.renewal.due`` once per policy term and lead time.

A lead time (tier) is *crossed* when the term expires within that many days.  A scan
raises the nearest crossed tier not yet noted, and records the farther crossed tiers as
passed: a policy first seen 90 days out gets the 90-day renewal, not a stale 120-day one
as well; a second scan the same day finds every crossed tier noted and raises nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.accounts.domain.activities import open_activity
from services.accounts.domain.checklists import start_checklist
from services.accounts.domain.policies import policy_snapshot
from services.accounts.domain.snapshots import insured_of
from services.accounts.models import Client, Policy, RenewalNotice, new_id
from shared.kit.audit import AuditEntry, audit, audit_many
from shared.kit.context import correlation_id
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

DEFAULT_LEAD_DAYS = (120, 90, 60, 30)
SCANNER = "service:accounts.renewal-scan"
INFO_REQUEST_DAYS = 7


@dataclass(frozen=True)
class TierPlan:
    raise_tier: int | None
    passed: tuple[int, ...]


@dataclass
class ScanSummary:
    today: date
    checked: int = 0
    raised: list[tuple[str, int]] = field(default_factory=list)
    passed: int = 0
    # In-force terms whose expiration date has passed, marked expired by this scan.
    expired: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"renewal scan {self.today.isoformat()}: {self.checked} policies checked, "
                f"{len(self.raised)} renewals raised, {self.passed} farther lead times marked passed, "
                f"{len(self.expired)} lapsed terms marked expired")


def parse_lead_days(text: str) -> tuple[int, ...]:
    """``"120,90,60,30"`` -> (120, 90, 60, 30); each 1-365 days."""
    try:
        tiers = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise ValueError(f"lead days must be whole numbers, got {text!r}") from None
    if not tiers or any(not 1 <= t <= 365 for t in tiers):
        raise ValueError(f"lead days must be between 1 and 365, got {text!r}")
    return tuple(sorted(tiers, reverse=True))


def plan_tiers(expiration: date, today: date, tiers, noted: set[int]) -> TierPlan:
    days_left = (expiration - today).days
    if days_left < 0:
        return TierPlan(None, ())
    crossed = sorted(t for t in tiers if days_left <= t)
    if not crossed or crossed[0] in noted:
        return TierPlan(None, ())
    return TierPlan(crossed[0], tuple(t for t in crossed[1:] if t not in noted))


def scan(session: Session, today: date, tiers=DEFAULT_LEAD_DAYS) -> ScanSummary:
    """Raise what is due on ``today``.  Each policy runs in a savepoint, so a concurrent
    scan that noted the same tier first makes this one skip it, not fail."""
    summary = ScanSummary(today)
    window = _window(today, max(tiers))
    noted = _noted(session, window)
    for policy in _candidates(session, window):
        summary.checked += 1
        plan = plan_tiers(policy.expiration_date, today, tiers, noted.get(policy.id, set()))
        if plan.raise_tier is None:
            continue
        try:
            with session.begin_nested():
                _note(session, policy, plan, today)
        except _AlreadyNoted:
            continue
        summary.raised.append((policy.id, plan.raise_tier))
        summary.passed += len(plan.passed)
    summary.expired = expire_lapsed_terms(session, today)
    return summary


def expire_lapsed_terms(session: Session, today: date) -> list[str]:
    """Mark expired every in-force term whose expiration date is before ``today`` (a term
    renewed is already ``renewed``, a cancelled one ``cancelled``), each audited.  Running it
    again the same day changes nothing."""
    now = utcnow()
    expired = list(session.scalars(
        update(Policy).where(Policy.status == "in_force", Policy.expiration_date < today)
        .values(status="expired", updated_at=now).returning(Policy.id)
        .execution_options(synchronize_session=False)))
    audit_many(session, [AuditEntry(SCANNER, "policy.expired", "policy", policy_id, {"expired_on": today},
                                    correlation_id.get())
                         for policy_id in sorted(expired)])
    return sorted(expired)


class _AlreadyNoted(Exception):
    pass


def _window(today: date, horizon: int) -> tuple:
    """In-force terms expiring between today and the farthest lead time."""
    return (Policy.status == "in_force", Policy.expiration_date >= today,
            Policy.expiration_date <= today + timedelta(days=horizon))


def _candidates(session: Session, window: tuple) -> list[Policy]:
    return list(session.scalars(
        select(Policy).options(selectinload(Policy.client).selectinload(Client.credentials))
        .where(*window).order_by(Policy.expiration_date, Policy.id)))


def _noted(session: Session, window: tuple) -> dict[str, set[int]]:
    noted: dict[str, set[int]] = {}
    rows = session.execute(select(RenewalNotice.policy_id, RenewalNotice.lead_days)
                           .join(Policy, Policy.id == RenewalNotice.policy_id).where(*window))
    for policy_id, lead_days in rows:
        noted.setdefault(policy_id, set()).add(lead_days)
    return noted


def _note(session: Session, policy: Policy, plan: TierPlan, today: date) -> None:
    now = utcnow()
    for lead_days, outcome in [(plan.raise_tier, "raised"), *((t, "passed") for t in plan.passed)]:
        session.add(RenewalNotice(id=new_id(), policy_id=policy.id, lead_days=lead_days, outcome=outcome,
                                  scan_date=today, raised_at=now))
    try:
        session.flush()
    except IntegrityError:
        raise _AlreadyNoted() from None
    _raise_renewal(session, policy, plan.raise_tier, today)


def _raise_renewal(session: Session, policy: Policy, lead_days: int, today: date) -> None:
    client = policy.client
    audit(session, SCANNER, "renewal.raised", "policy", policy.id, lead_days=lead_days,
          expiration_date=policy.expiration_date)
    record_event(session, "accounts", "accounts.renewal.due", {
        "policy": policy_snapshot(policy), "insured": insured_of(client), "lead_days": lead_days,
        "expiration_date": policy.expiration_date, "account_manager": client.account_manager,
    }, subject=client.id)
    open_activity(
        session, SCANNER, client=client, policy=policy, type="request_renewal_info",
        subject=(f"Request renewal information: {policy.line_of_business} {policy.policy_number} "
                 f"expires {policy.expiration_date.isoformat()} ({lead_days}-day renewal)"),
        due_on=today + timedelta(days=INFO_REQUEST_DAYS), assignee=client.account_manager,
        priority="high" if lead_days <= 30 else "normal", source_key=f"{policy.id}:{lead_days}",
    )
    start_checklist(session, SCANNER, client, "renewal", policy=policy)

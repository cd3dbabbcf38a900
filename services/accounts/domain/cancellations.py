"""Cancelling a policy term: the facts (reason, who asked, notice and effective dates)
are kept on the term, both events go out (``accounts.policy.cancelled`` with the facts,
``accounts.policy.recorded`` with the cancelled status, which compliance reads today),
and the account manager gets a follow-up to remarket before coverage ends."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from services.accounts.domain.activities import open_activity
from services.accounts.domain.errors import Conflict, Invalid
from services.accounts.domain.policies import policy_snapshot
from services.accounts.domain.snapshots import insured_of
from services.accounts.models import Policy
from shared.contracts.events import CANCELLATION_REASONS, CANCELLATION_REQUESTERS
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "accounts"
CANCELLABLE_STATUSES = ("in_force",)
REMARKET_WITHIN_DAYS = 2

__all__ = ["CANCELLATION_REASONS", "CANCELLATION_REQUESTERS", "cancel_policy", "check_cancellation_dates"]


def check_cancellation_dates(policy: Policy, notice_date: date, effective_date: date) -> None:
    """Coverage ends on or after the notice, and within the term."""
    if effective_date < notice_date:
        raise Invalid("The cancellation cannot take effect before its notice date.",
                      {"effective_date": ["On or after notice_date."]})
    if not policy.effective_date <= effective_date <= policy.expiration_date:
        raise Invalid("The cancellation must take effect within the policy term.",
                      {"effective_date": [f"Between {policy.effective_date.isoformat()} and "
                                          f"{policy.expiration_date.isoformat()}."]})


def cancel_policy(session: Session, actor: str, policy: Policy, *, reason: str, requested_by: str,
                  notice_date: date, effective_date: date) -> Policy:
    if policy.status not in CANCELLABLE_STATUSES:
        raise Conflict(f"Policy {policy.policy_number} is {policy.status}; only an in-force term can be cancelled.")
    check_cancellation_dates(policy, notice_date, effective_date)
    now = utcnow()
    policy.status = "cancelled"
    policy.cancellation_reason = reason
    policy.cancellation_requested_by = requested_by
    policy.cancellation_notice_date = notice_date
    policy.cancellation_effective_date = effective_date
    policy.cancelled_by = actor
    policy.cancelled_at = now
    policy.updated_at = now
    session.flush()
    audit(session, actor, "policy.cancelled", "policy", policy.id, policy_number=policy.policy_number,
          reason=reason, requested_by=requested_by, notice_date=notice_date, effective_date=effective_date)
    _announce(session, policy, reason, requested_by, notice_date, effective_date)
    _remarket(session, actor, policy, effective_date, now.date())
    return policy


def _announce(session: Session, policy: Policy, reason: str, requested_by: str, notice_date: date,
              effective_date: date) -> None:
    client = policy.client
    snapshot, insured = policy_snapshot(policy), insured_of(client)
    record_event(session, SOURCE, "accounts.policy.cancelled", {
        "policy": snapshot, "insured": insured, "reason": reason, "requested_by": requested_by,
        "notice_date": notice_date, "effective_date": effective_date}, subject=client.id)
    record_event(session, SOURCE, "accounts.policy.recorded",
                 {"policy": snapshot, "insured": insured, "bound_quote_id": policy.bound_quote_id}, subject=client.id)


def _remarket(session: Session, actor: str, policy: Policy, effective_date: date, today: date) -> None:
    """Due within two days, or on the day coverage ends when that is sooner (never before today)."""
    due_on = max(today, min(today + timedelta(days=REMARKET_WITHIN_DAYS), effective_date))
    open_activity(session, actor, client=policy.client, policy=policy, type="follow_up",
                  subject=f"remarket: coverage ends on {effective_date.isoformat()}",
                  details=f"{policy.line_of_business} {policy.policy_number} ({policy.carrier_name}) cancelled.",
                  due_on=due_on, assignee=policy.client.account_manager, priority="high",
                  source_key=f"cancelled:{policy.id}")

"""The docket: stores filings once (by natural key), moves them through their lifecycle
with history and audit, and announces what happens to them: the ones that fall due
(compliance.filing.due), every move (compliance.filing.status_changed) and, from the
sweep, the ones whose due date passed unfiled (compliance.filing.overdue)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.compliance.domain.filings import (
    NOT_YET_SUBMITTED, Cancellation, FilingDraft, check_transition,
)
from services.compliance.domain.rules import cancellation_rule_for, rule_by_id, rulebook
from services.compliance.models import Filing, FilingEvent
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "compliance"


def find_by_natural_key(session: Session, draft: FilingDraft) -> Filing | None:
    rule_id, number, policy_number, trigger, term = draft.natural_key
    return session.scalars(select(Filing).where(
        Filing.rule_id == rule_id, Filing.credential_number == number, Filing.policy_number == policy_number,
        Filing.trigger == trigger, Filing.term_key == term)).first()


def open_filings(session: Session, drafts: list[FilingDraft], *, client_id: str, program: str,
                 account_manager: str | None, actor: str) -> list[Filing]:
    """Store each required filing once and emit compliance.filing.due for the new ones."""
    opened = []
    for draft in drafts:
        if find_by_natural_key(session, draft) is not None:
            continue
        filing = _new_filing(draft, client_id=client_id, program=program, account_manager=account_manager)
        session.add(filing)
        filing.history.append(FilingEvent(at=filing.created_at, actor=actor, from_status=None,
                                          to_status="draft", note=draft.reason))
        session.flush()
        audit(session, actor, "filing.opened", "filing", filing.id, rule_id=filing.rule_id,
              policy_number=filing.policy_number, due_on=filing.due_on)
        _announce_due(session, filing)
        opened.append(filing)
    return opened


def _new_filing(draft: FilingDraft, *, client_id: str, program: str, account_manager: str | None) -> Filing:
    now = utcnow()
    rule, policy = draft.rule, draft.policy
    return Filing(
        id=str(uuid.uuid4()), client_id=client_id, program=program, body=rule.body, form=rule.form,
        rule_id=rule.id, trigger=draft.trigger, term_key=draft.term_key,
        credential_kind=draft.credential["kind"], credential_number=draft.credential["number"],
        policy_number=policy.policy_number, line_of_business=policy.line_of_business,
        carrier_name=policy.carrier_name, policy_effective_date=policy.effective_date,
        policy_expiration_date=policy.expiration_date, notice_date=draft.notice_date,
        cancellation_effective_on=draft.body_effective_on, due_on=draft.due_on, status="draft", overdue=False,
        reason=draft.reason, account_manager=account_manager, created_at=now, updated_at=now,
    )


def _announce_due(session: Session, filing: Filing) -> None:
    record_event(session, SOURCE, "compliance.filing.due", {
        "filing_id": filing.id, "client_id": filing.client_id, "program": filing.program,
        "body": filing.body, "form": filing.form,
        "credential": {"kind": filing.credential_kind, "number": filing.credential_number},
        "policy_number": filing.policy_number, "due_on": filing.due_on.isoformat(),
        "reason": filing.reason, "rule_id": filing.rule_id, "account_manager": filing.account_manager,
    }, subject=filing.id)


def reschedule_filings(session: Session, drafts: list[FilingDraft], *, actor: str) -> list[Filing]:
    """Give filings already opened for these drafts the drafts' dates (a cancellation first
    heard of with an estimated notice date, then with the real one).  Only a filing not yet
    with the body changes; a changed due date is announced again with compliance.filing.due."""
    moved = []
    for draft in drafts:
        filing = find_by_natural_key(session, draft)
        if filing is None or filing.status not in NOT_YET_SUBMITTED:
            continue
        before = (filing.notice_date, filing.due_on, filing.cancellation_effective_on)
        after = (draft.notice_date, draft.due_on, draft.body_effective_on)
        if before == after:
            continue
        filing.notice_date, filing.due_on, filing.cancellation_effective_on = after
        filing.reason = draft.reason
        filing.overdue = False  # the sweep judges the new due date (an overdue event is still raised once only)
        filing.updated_at = utcnow()
        note = (f"dates corrected: notice {_iso(before[0])} -> {_iso(after[0])}, due {_iso(before[1])} -> "
                f"{_iso(after[1])}, effective with {filing.body} {_iso(before[2])} -> {_iso(after[2])}")
        filing.history.append(FilingEvent(at=filing.updated_at, actor=actor, from_status=filing.status,
                                          to_status=filing.status, note=note))
        audit(session, actor, "filing.rescheduled", "filing", filing.id, notice_date=after[0], due_on=after[1],
              cancellation_effective_on=after[2], previous_due_on=before[1])
        if before[1] != after[1]:
            _announce_due(session, filing)
        moved.append(filing)
    return moved


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "none"


def transition(session: Session, filing: Filing, target: str, *, actor: str, note: str | None = None,
               effective_on: date | None = None) -> Filing:
    """Move a filing to ``target`` if the lifecycle allows it (TransitionRefused otherwise)."""
    check_transition(filing.status, target)
    previous = filing.status
    filing.status = target
    filing.updated_at = utcnow()
    if target not in NOT_YET_SUBMITTED:
        filing.overdue = False
    if target == "cancel_pending":
        filing.cancellation_effective_on = effective_on or _notice_period_end(filing, filing.updated_at.date())
    filing.history.append(FilingEvent(at=filing.updated_at, actor=actor, from_status=previous,
                                      to_status=target, note=note))
    audit(session, actor, "filing.transitioned", "filing", filing.id, from_status=previous,
          to_status=target, note=note)
    _announce_status_change(session, filing, previous, actor, note)
    if target == "active":
        _supersede_replaced(session, filing, actor)
    return filing


def _filing_ref(filing: Filing) -> dict:
    return {"filing_id": filing.id, "client_id": filing.client_id, "program": filing.program,
            "body": filing.body, "form": filing.form,
            "credential": {"kind": filing.credential_kind, "number": filing.credential_number},
            "policy_number": filing.policy_number, "rule_id": filing.rule_id}


def _announce_status_change(session: Session, filing: Filing, previous: str, actor: str, note: str | None) -> None:
    record_event(session, SOURCE, "compliance.filing.status_changed", {
        **_filing_ref(filing), "from_status": previous, "to_status": filing.status, "changed_by": actor,
        "changed_at": filing.updated_at, "note": note, "due_on": filing.due_on,
        "cancellation_effective_on": filing.cancellation_effective_on, "account_manager": filing.account_manager,
    }, subject=filing.id)


def announce_overdue(session: Session, filing: Filing, today: date) -> bool:
    """Raise compliance.filing.overdue for a filing past its due date, once per filing."""
    if filing.overdue_announced_at is not None:
        return False
    rule = rule_by_id(filing.rule_id)
    filing.overdue_announced_at = utcnow()
    record_event(session, SOURCE, "compliance.filing.overdue", {
        **_filing_ref(filing), "due_on": filing.due_on, "status": filing.status, "detected_on": today,
        "days_overdue": (today - filing.due_on).days, "who_files": rule.who_files if rule else None,
        "reason": filing.reason, "account_manager": filing.account_manager,
    }, subject=filing.id)
    return True


def _supersede_replaced(session: Session, replacement: Filing, actor: str) -> None:
    """A replacement accepted for the same credential and rule supersedes the old filing."""
    replaced = session.scalars(select(Filing).where(
        Filing.rule_id == replacement.rule_id, Filing.credential_number == replacement.credential_number,
        Filing.client_id == replacement.client_id, Filing.status == "active", Filing.id != replacement.id,
        Filing.policy_effective_date <= replacement.policy_effective_date)).all()
    for filing in replaced:
        transition(session, filing, "superseded", actor=actor,
                   note=f"replaced by filing {replacement.id} (policy {replacement.policy_number})")


def _notice_period_end(filing: Filing, notice_date: date, cancellation: Cancellation | None = None) -> date:
    """The day a cancellation noticed on ``notice_date`` takes effect with the filing's body
    (with the cancellation's reason and coverage end where they are known)."""
    rule = rule_by_id(filing.rule_id)
    notice_rule = rule and cancellation_rule_for(rulebook(), rule.body, rule.credential_kind, filing.line_of_business)
    if cancellation is None:
        cancellation = Cancellation(notice_date)
    if notice_rule is None:
        return max(notice_date, cancellation.coverage_ends or notice_date)
    return cancellation.body_effective_on(notice_rule)


def start_cancellation(session: Session, *, client_id: str, policy_number: str, cancellation: Cancellation,
                       actor: str, previous: Cancellation | None = None) -> list[Filing]:
    """A policy's cancellation puts its active evidence filings into cancel_pending, effective
    on the notice date plus each body's notice period (never before coverage ends).  Filings a
    ``previous`` (estimated) cancellation put there move to the dates of this one; a date
    someone set by hand stays."""
    moved = []
    for filing in session.scalars(select(Filing).where(
            Filing.client_id == client_id, Filing.policy_number == policy_number,
            Filing.status.in_(("active", "cancel_pending"))).order_by(Filing.created_at, Filing.id)).all():
        effective_on = _notice_period_end(filing, cancellation.notice_date, cancellation)
        where = (f"policy cancelled ({cancellation.describe()}); effective with {filing.body} on "
                 f"{effective_on.isoformat()}")
        if filing.status == "active":
            moved.append(transition(session, filing, "cancel_pending", actor=actor, effective_on=effective_on,
                                    note=where))
        elif (previous is not None and filing.cancellation_effective_on != effective_on
              and filing.cancellation_effective_on == _notice_period_end(filing, previous.notice_date, previous)):
            before = filing.cancellation_effective_on
            filing.cancellation_effective_on = effective_on
            filing.updated_at = utcnow()
            filing.history.append(FilingEvent(at=filing.updated_at, actor=actor, from_status=filing.status,
                                              to_status=filing.status, note=f"{where} (was {before.isoformat()})"))
            audit(session, actor, "filing.rescheduled", "filing", filing.id, cancellation_effective_on=effective_on,
                  previous_cancellation_effective_on=before)
            moved.append(filing)
    return moved

"""The docket: stores filings once (by natural key), moves them through their lifecycle
with history and audit, and announces the ones that fall due."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.compliance.domain.deadlines import cancellation_effective_date
from services.compliance.domain.filings import (
    NOT_YET_SUBMITTED, FilingDraft, check_transition,
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
    cancellation_on = (cancellation_effective_date(rule, draft.notice_date)
                       if draft.notice_date and rule.notice_period_days else None)
    return Filing(
        id=str(uuid.uuid4()), client_id=client_id, program=program, body=rule.body, form=rule.form,
        rule_id=rule.id, trigger=draft.trigger, term_key=draft.term_key,
        credential_kind=draft.credential["kind"], credential_number=draft.credential["number"],
        policy_number=policy.policy_number, line_of_business=policy.line_of_business,
        carrier_name=policy.carrier_name, policy_effective_date=policy.effective_date,
        policy_expiration_date=policy.expiration_date, notice_date=draft.notice_date,
        cancellation_effective_on=cancellation_on, due_on=draft.due_on, status="draft", overdue=False,
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
    if target == "active":
        _supersede_replaced(session, filing, actor)
    return filing


def _supersede_replaced(session: Session, replacement: Filing, actor: str) -> None:
    """A replacement accepted for the same credential and rule supersedes the old filing."""
    replaced = session.scalars(select(Filing).where(
        Filing.rule_id == replacement.rule_id, Filing.credential_number == replacement.credential_number,
        Filing.client_id == replacement.client_id, Filing.status == "active", Filing.id != replacement.id,
        Filing.policy_effective_date <= replacement.policy_effective_date)).all()
    for filing in replaced:
        transition(session, filing, "superseded", actor=actor,
                   note=f"replaced by filing {replacement.id} (policy {replacement.policy_number})")


def _notice_period_end(filing: Filing, notice_date: date) -> date:
    """The day a cancellation noticed on ``notice_date`` takes effect with the filing's body."""
    rule = rule_by_id(filing.rule_id)
    notice_rule = rule and cancellation_rule_for(rulebook(), rule.body, rule.credential_kind, filing.line_of_business)
    return cancellation_effective_date(notice_rule, notice_date) if notice_rule else notice_date


def start_cancellation(session: Session, *, client_id: str, policy_number: str, notice_date: date,
                       actor: str) -> list[Filing]:
    """A policy's cancellation puts its active evidence filings into cancel_pending, effective
    on the notice date plus each body's notice period."""
    active = session.scalars(select(Filing).where(
        Filing.client_id == client_id, Filing.policy_number == policy_number, Filing.status == "active")).all()
    moved = []
    for filing in active:
        effective_on = _notice_period_end(filing, notice_date)
        moved.append(transition(session, filing, "cancel_pending", actor=actor, effective_on=effective_on,
                                note=f"policy cancelled; notice {notice_date.isoformat()}, "
                                     f"effective with {filing.body} on {effective_on.isoformat()}"))
    return moved

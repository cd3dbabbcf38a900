"""The deadline sweep (run hourly by the worker): flags filings past due and not yet
submitted (raising compliance.filing.overdue once per filing), lets pending cancellations
take effect, expires per-term filings whose term has ended, and counts what is overdue per
body.  Every move it makes is announced like any other (compliance.filing.status_changed)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.compliance.domain.docket import announce_overdue, transition
from services.compliance.domain.filings import NOT_YET_SUBMITTED
from services.compliance.domain.rule_schema import BODIES
from services.compliance.domain.rules import rule_by_id
from services.compliance.models import Filing
from shared.kit.audit import audit
from shared.kit.db import utcnow

ACTOR = "service:compliance"


@dataclass
class SweepResult:
    newly_overdue: list[str] = field(default_factory=list)
    announced_overdue: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    overdue_by_body: dict[str, int] = field(default_factory=dict)


def sweep(session: Session, today: date) -> SweepResult:
    result = SweepResult()
    result.newly_overdue, result.announced_overdue = _flag_overdue(session, today)
    result.cancelled = _complete_cancellations(session, today)
    result.expired = _expire_ended_terms(session, today)
    session.flush()
    result.overdue_by_body = overdue_counts(session)
    return result


def _flag_overdue(session: Session, today: date) -> tuple[list[str], list[str]]:
    late = session.scalars(select(Filing).where(
        Filing.due_on < today, Filing.status.in_(NOT_YET_SUBMITTED), Filing.overdue.is_(False))
        .order_by(Filing.due_on, Filing.id)).all()
    announced = []
    for filing in late:
        filing.overdue = True
        filing.updated_at = utcnow()
        audit(session, ACTOR, "filing.overdue", "filing", filing.id, due_on=filing.due_on, status=filing.status)
        if announce_overdue(session, filing, today):
            announced.append(filing.id)
    return [f.id for f in late], announced


def _complete_cancellations(session: Session, today: date) -> list[str]:
    ending = session.scalars(select(Filing).where(
        Filing.status == "cancel_pending", Filing.cancellation_effective_on < today)).all()
    for filing in ending:
        transition(session, filing, "cancelled", actor=ACTOR,
                   note=f"cancellation took effect on {filing.cancellation_effective_on.isoformat()}")
    return [f.id for f in ending]


def _expire_ended_terms(session: Session, today: date) -> list[str]:
    ended = session.scalars(select(Filing).where(
        Filing.status == "active", Filing.policy_expiration_date < today)).all()
    expired = []
    for filing in ended:
        rule = rule_by_id(filing.rule_id)
        if rule is not None and rule.filing_basis == "per_term":
            transition(session, filing, "expired", actor=ACTOR,
                       note=f"term ended on {filing.policy_expiration_date.isoformat()}")
            expired.append(filing.id)
    return expired


def overdue_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Filing.body, func.count()).where(Filing.overdue.is_(True))
                           .group_by(Filing.body)).all()
    counts = {body: 0 for body in BODIES}
    counts.update({body: count for body, count in rows})
    return counts

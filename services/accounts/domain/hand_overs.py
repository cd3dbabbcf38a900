"""The history of an activity's hand-overs: every reassignment, delegation and its end,
and each out-of-office cover and return, oldest first."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import Activity, ActivityReassignment, new_id
from shared.kit.db import utcnow

HAND_OVER_KINDS = ("reassign", "delegate", "undelegate", "absence_cover", "absence_return")


def record_hand_over(session: Session, activity: Activity, kind: str, *, from_user: str | None, to_user: str,
                     by: str, note: str | None = None, at: datetime | None = None) -> ActivityReassignment:
    """Add one hand-over of ``activity`` to its history (the caller moves the activity)."""
    if kind not in HAND_OVER_KINDS:
        raise ValueError(f"Unknown hand-over kind {kind!r}")
    entry = ActivityReassignment(id=new_id(), activity_id=activity.id, kind=kind, from_assignee=from_user,
                                 to_assignee=to_user, reassigned_by=by, reassigned_at=at or utcnow(), note=note)
    session.add(entry)
    return entry


def hand_overs(session: Session, activity_id: str) -> list[ActivityReassignment]:
    return list(session.scalars(select(ActivityReassignment).where(ActivityReassignment.activity_id == activity_id)
                                .order_by(ActivityReassignment.reassigned_at, ActivityReassignment.id)))

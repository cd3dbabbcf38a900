"""Out-of-office cover: while a user is absent (from ``starts_on`` through ``ends_on``),
their open activities, and any opened for them meanwhile, are with their backup, each
remembering its ``original_assignee``; when the absence ends they return.  Each move is a
hand-over in the activity's history (absence_cover, absence_return).

Transitions happen when :func:`apply_absences` runs: on setting or ending an absence, in
the worker's periodic task, and before the diary is read."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.accounts.domain.errors import Invalid, NotFound
from services.accounts.domain.hand_overs import record_hand_over
from services.accounts.models import Activity, UserAbsence
from shared.kit.audit import audit
from shared.kit.db import utcnow

COVER_ACTOR = "service:accounts.absence-cover"
MAX_CHAIN = 10


def set_absence(session: Session, actor: str, user: str, starts_on: date, ends_on: date, backup: str,
                today: date) -> UserAbsence:
    """Mark ``user`` absent (replacing any absence on file) and apply it."""
    errors = {}
    if ends_on < starts_on:
        errors["until"] = ["The absence must end on or after it starts."]
    elif ends_on < today:
        errors["until"] = ["The absence is already over."]
    if backup == user:
        errors["backup"] = ["A user cannot be their own backup."]
    if errors:
        raise Invalid("The absence did not pass validation.", errors)
    absence = session.get(UserAbsence, user)
    if absence is not None and absence.state == "active":
        _return_activities(session, user)
    if absence is None:
        absence = UserAbsence(user=user)
        session.add(absence)
    absence.starts_on, absence.ends_on, absence.backup = starts_on, ends_on, backup
    absence.state, absence.updated_by, absence.updated_at = "scheduled", actor, utcnow()
    session.flush()
    audit(session, actor, "absence.set", "user", user, starts_on=starts_on, ends_on=ends_on, backup=backup)
    apply_absences(session, today)
    return absence


def end_absence(session: Session, actor: str, user: str, today: date) -> UserAbsence:
    """End (or cancel) the absence now: the user's activities come back."""
    absence = get_absence(session, user)
    if absence.state == "active":
        _return_activities(session, user)
    absence.state, absence.updated_by, absence.updated_at = "ended", actor, utcnow()
    if absence.ends_on >= today:
        absence.ends_on = max(absence.starts_on, today)
    session.flush()
    audit(session, actor, "absence.ended", "user", user)
    return absence


def get_absence(session: Session, user: str) -> UserAbsence:
    absence = session.get(UserAbsence, user)
    if absence is None:
        raise NotFound(f"No absence on file for {user}.")
    return absence


def transitions_due(session: Session, today: date) -> bool:
    """Whether an absence is due to start or end (cheap; checked before the diary is read)."""
    return session.scalar(select(UserAbsence.user).where(_due(today)).limit(1)) is not None


def apply_absences(session: Session, today: date) -> tuple[int, int]:
    """Start the absences beginning by ``today`` and end those over; returns (activities
    moved to backups, activities returned)."""
    moved = returned = 0
    for absence in list(session.scalars(select(UserAbsence).where(_due(today)).order_by(UserAbsence.user))):
        if absence.ends_on < today:
            if absence.state == "active":
                returned += _return_activities(session, absence.user)
            absence.state = "ended"
            audit(session, COVER_ACTOR, "absence.over", "user", absence.user)
        else:
            absence.state = "active"
            moved += _cover_activities(session, absence.user, today)
            audit(session, COVER_ACTOR, "absence.started", "user", absence.user, backup=absence.backup)
    session.flush()
    return moved, returned


def cover_for(session: Session, assignee: str | None, today: date) -> str | None:
    """Who works ``assignee``'s diary today: their backup (or the backup's backup, when
    that one is out too); None when ``assignee`` is in."""
    if assignee is None:
        return None
    chain, current = [assignee], assignee
    for _ in range(MAX_CHAIN):
        absence = session.get(UserAbsence, current)
        if absence is None or absence.state != "active" or not absence.starts_on <= today <= absence.ends_on:
            break
        if absence.backup in chain:
            break
        current = absence.backup
        chain.append(current)
    return None if current == assignee else current


def _due(today: date):
    return or_(and_(UserAbsence.state == "scheduled", UserAbsence.starts_on <= today),
               and_(UserAbsence.state.in_(("scheduled", "active")), UserAbsence.ends_on < today))


def _cover_activities(session: Session, user: str, today: date) -> int:
    backup = cover_for(session, user, today)
    absence = session.get(UserAbsence, user)
    note = f"{user} is out of the office through {absence.ends_on.isoformat()}."
    activities = list(session.scalars(select(Activity).where(Activity.assignee == user, Activity.status == "open")))
    for activity in activities:
        record_hand_over(session, activity, "absence_cover", from_user=user, to_user=backup, by=COVER_ACTOR,
                         note=note)
        activity.original_assignee = activity.original_assignee or user
        activity.assignee = backup
        audit(session, COVER_ACTOR, "activity.covered", "activity", activity.id, assignee=backup,
              original_assignee=activity.original_assignee)
    return len(activities)


def _return_activities(session: Session, user: str) -> int:
    activities = list(session.scalars(select(Activity).where(Activity.original_assignee == user,
                                                             Activity.status == "open")))
    for activity in activities:
        audit(session, COVER_ACTOR, "activity.returned", "activity", activity.id, assignee=user,
              covered_by=activity.assignee)
        record_hand_over(session, activity, "absence_return", from_user=activity.assignee, to_user=user,
                         by=COVER_ACTOR, note=f"{user} is back in the office.")
        activity.assignee, activity.original_assignee = user, None
    return len(activities)

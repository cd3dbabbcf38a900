"""Working the diary: reassigning an activity (with its history), completing one and
chaining the next, and the named views (overdue, due this week, a program's team)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.absences import cover_for
from services.accounts.domain.activities import ActivityFilter, complete_activity, open_activity
from services.accounts.domain.errors import Conflict, Invalid
from services.accounts.models import Activity, ActivityReassignment, Client, Policy, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow

VIEWS = ("overdue", "due_this_week", "team")


@dataclass(frozen=True)
class FollowUp:
    type: str
    subject: str
    due_on: date


def reassign(session: Session, actor: str, activity: Activity, assignee: str, note: str | None,
             today: date) -> ActivityReassignment:
    """Hand an open activity to ``assignee`` (their backup while they are out), recording
    the hand-over.  A deliberate reassignment ends any out-of-office cover on it."""
    if activity.status != "open":
        raise Conflict("A completed activity cannot be reassigned.")
    backup = cover_for(session, assignee, today)
    target = backup or assignee
    if target == activity.assignee and activity.original_assignee == (assignee if backup else None):
        raise Conflict(f"The activity is already with {target}.")
    entry = ActivityReassignment(id=new_id(), activity_id=activity.id, from_assignee=activity.assignee,
                                 to_assignee=target, reassigned_by=actor, reassigned_at=utcnow(), note=note)
    session.add(entry)
    activity.assignee = target
    activity.original_assignee = assignee if backup else None
    session.flush()
    audit(session, actor, "activity.reassigned", "activity", activity.id, from_assignee=entry.from_assignee,
          to_assignee=target, requested_assignee=assignee, note=note)
    return entry


def reassignments(session: Session, activity_id: str) -> list[ActivityReassignment]:
    return list(session.scalars(select(ActivityReassignment).where(ActivityReassignment.activity_id == activity_id)
                                .order_by(ActivityReassignment.reassigned_at, ActivityReassignment.id)))


def complete_and_follow(session: Session, actor: str, activity: Activity, outcome: str,
                        follow_up: FollowUp | None, fallback_assignee: str) -> Activity | None:
    """Complete ``activity``; with ``follow_up``, open the next one in the chain on the
    same account and policy for the same assignee."""
    today = utcnow().date()
    if follow_up is not None and follow_up.due_on < today:
        raise Invalid("A follow-up cannot be due in the past.", {"follow_up": {"due_on": ["Today or later."]}})
    complete_activity(session, actor, activity, outcome)
    if follow_up is None:
        return None
    client = session.get(Client, activity.client_id)
    policy = session.get(Policy, activity.policy_id) if activity.policy_id else None
    return open_activity(session, actor, client=client, policy=policy, type=follow_up.type,
                         subject=follow_up.subject, due_on=follow_up.due_on, priority=activity.priority,
                         assignee=activity.original_assignee or activity.assignee or fallback_assignee,
                         follows_id=activity.id)


def view_filter(view: str | None, where: ActivityFilter, today: date, program: str | None) -> ActivityFilter:
    """Narrow ``where`` to a named view; overdue and this week's views show open activities."""
    if program is not None:
        where.programs = frozenset({program})
    if view == "overdue":
        where.status, where.overdue_on = "open", today
    elif view == "due_this_week":
        where.status, where.due_from, where.due_before = "open", today, end_of_week(today)
    return where


def end_of_week(today: date) -> date:
    """The Sunday closing ``today``'s (ISO, Monday-first) week."""
    return today + timedelta(days=6 - today.weekday())

"""Working the diary: reassigning an activity (ownership moves) and delegating it (a
delegate works it while the assignee stays accountable), each kept in its history;
completing one and chaining the next; the named views (overdue, due this week, a
program's team)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from services.accounts.domain.absences import COVER_ACTOR, cover_for
from services.accounts.domain.activities import ActivityFilter, complete_activity, open_activity
from services.accounts.domain.errors import Conflict, Invalid
from services.accounts.domain.hand_overs import record_hand_over
from services.accounts.models import Activity, ActivityReassignment, Client, Policy, UserAbsence
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
    """Make ``assignee`` the owner of an open activity (it is with their backup while they
    are out), recording the hand-over.  A deliberate reassignment ends any out-of-office
    cover on it; a delegation stays unless the delegate becomes the owner."""
    if activity.status != "open":
        raise Conflict("A completed activity cannot be reassigned.")
    backup = cover_for(session, assignee, today)
    target = backup or assignee
    if target == activity.assignee and activity.original_assignee == (assignee if backup else None):
        raise Conflict(f"The activity is already with {target}.")
    previous = activity.assignee
    entry = record_hand_over(session, activity, "reassign", from_user=previous, to_user=assignee, by=actor,
                             note=note)
    if backup:
        record_hand_over(session, activity, "absence_cover", from_user=assignee, to_user=backup, by=COVER_ACTOR,
                         note=f"Reassigned while {assignee} is out of the office.",
                         at=entry.reassigned_at + timedelta(microseconds=1))
    activity.assignee = target
    activity.original_assignee = assignee if backup else None
    if activity.delegate == target:
        activity.delegate = None
    session.flush()
    audit(session, actor, "activity.reassigned", "activity", activity.id, from_assignee=previous,
          to_assignee=target, requested_assignee=assignee, note=note, delegate=activity.delegate)
    return entry


def delegate(session: Session, actor: str, activity: Activity, to_user: str, note: str | None,
             today: date) -> ActivityReassignment:
    """Let ``to_user`` work an open activity for its assignee, who keeps it (and stays
    accountable): both see it in their diary.  Delegating again moves it to the new delegate."""
    if activity.status != "open":
        raise Conflict("A completed activity cannot be delegated.")
    if to_user == activity.assignee:
        raise Invalid("The assignee cannot be their own delegate.",
                      {"delegate": [f"{to_user} already owns the activity; name someone else."]})
    if to_user == activity.delegate:
        raise Conflict(f"The activity is already delegated to {to_user}.")
    if cover_for(session, to_user, today):
        absence = session.get(UserAbsence, to_user)
        raise Conflict(f"{to_user} is out of the office through {absence.ends_on.isoformat()}; "
                       f"delegate to their backup {absence.backup} or someone else.")
    entry = record_hand_over(session, activity, "delegate", from_user=activity.delegate or activity.assignee,
                             to_user=to_user, by=actor, note=note)
    previous, activity.delegate = activity.delegate, to_user
    session.flush()
    audit(session, actor, "activity.delegated", "activity", activity.id, assignee=activity.assignee,
          delegate=to_user, previous_delegate=previous, note=note)
    return entry


def undelegate(session: Session, actor: str, activity: Activity, note: str | None) -> ActivityReassignment:
    """Take a delegated activity back to its assignee."""
    if activity.status != "open":
        raise Conflict("A completed activity cannot be taken back.")
    if activity.delegate is None:
        raise Conflict("The activity is not delegated.")
    entry = record_hand_over(session, activity, "undelegate", from_user=activity.delegate,
                             to_user=activity.assignee, by=actor, note=note)
    previous, activity.delegate = activity.delegate, None
    session.flush()
    audit(session, actor, "activity.undelegated", "activity", activity.id, assignee=activity.assignee,
          delegate=previous, note=note)
    return entry


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
    chained = open_activity(session, actor, client=client, policy=policy, type=follow_up.type,
                            subject=follow_up.subject, due_on=follow_up.due_on, priority=activity.priority,
                            assignee=activity.original_assignee or activity.assignee or fallback_assignee,
                            follows_id=activity.id)
    # The chain stays delegated to the same person (unless they are out, or now own it).
    helper = activity.delegate
    if helper and helper != chained.assignee and not cover_for(session, helper, today):
        delegate(session, actor, chained, helper, "Follows an activity delegated to them.", today)
    return chained


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

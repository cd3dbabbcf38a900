"""The diary: dated to-dos on an account.  Activities asked for by another service's
event carry that event's natural key, so each is opened once however often it arrives."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.absences import COVER_ACTOR, cover_for
from services.accounts.domain.errors import Conflict, Invalid, NotFound
from services.accounts.domain.hand_overs import record_hand_over
from services.accounts.domain.paging import Page, page, page_union
from services.accounts.models import Activity, Client, Policy, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow

ACTIVITY_TYPES = {
    "follow_up": "Follow up",
    "renewal": "Renewal",
    "request_renewal_info": "Request renewal information",
    "send_application": "Send application",
    "order_loss_runs": "Order loss runs",
    "review_quote": "Review quote",
    "review_declination": "Review declination",
    "review_comparison": "Review comparison and prepare proposal",
    "review_policy": "Review policy",
    "filing_due": "Filing due",
    "credential_renewal": "Credential renewal (licence or permit expiring)",
    "document_ready": "Document ready",
}
PRIORITIES = ("low", "normal", "high")
STATUSES = ("open", "done")


@dataclass
class ActivityFilter:
    programs: frozenset[str] | None = None  # None: every program
    assignee: str | None = None
    status: str | None = None
    client_id: str | None = None
    due_before: date | None = None  # due on or before
    due_from: date | None = None  # due on or after
    overdue_on: date | None = None  # due strictly before (overdue on that day)


def open_activity(session: Session, actor: str, *, client: Client, type: str, subject: str, due_on: date,
                  assignee: str | None, policy: Policy | None = None, priority: str = "normal",
                  details: str | None = None, source_key: str | None = None,
                  source_event_id: str | None = None, follows_id: str | None = None) -> Activity | None:
    """Open an activity; None when the one for (``type``, ``source_key``) already exists."""
    if type not in ACTIVITY_TYPES:
        raise Invalid(f"Unknown activity type {type!r}.", {"type": [f"One of {', '.join(ACTIVITY_TYPES)}."]})
    if policy is not None and policy.client_id != client.id:
        raise Invalid("The policy is not one of this client's.", {"policy_id": ["Not a policy of this client."]})
    if source_key is not None and _existing(session, type, source_key) is not None:
        return None
    # Out of office: a new activity for an absent user goes to their backup.
    backup = cover_for(session, assignee, utcnow().date())
    activity = Activity(
        id=new_id(), client_id=client.id, policy_id=policy.id if policy else None, type=type,
        subject=subject[:300], details=details, due_on=due_on, priority=priority,
        assignee=backup or assignee, original_assignee=assignee if backup else None,
        status="open", source_key=source_key, source_event_id=source_event_id, created_by=actor,
        created_at=utcnow(), follows_id=follows_id,
    )
    session.add(activity)
    session.flush()
    if backup:
        record_hand_over(session, activity, "absence_cover", from_user=assignee, to_user=backup, by=COVER_ACTOR,
                         note=f"Opened while {assignee} is out of the office.")
    audit(session, actor, "activity.opened", "activity", activity.id, type=type, client_id=client.id,
          assignee=activity.assignee, original_assignee=activity.original_assignee, source_key=source_key,
          follows_id=follows_id)
    return activity


def complete_activity(session: Session, actor: str, activity: Activity, outcome: str) -> Activity:
    if activity.status == "done":
        raise Conflict("The activity is already complete.")
    activity.status = "done"
    activity.outcome = outcome
    activity.completed_by = actor
    activity.completed_at = utcnow()
    session.flush()
    audit(session, actor, "activity.completed", "activity", activity.id, outcome=outcome,
          assignee=activity.assignee, delegate=activity.delegate)
    return activity


def get_activity(session: Session, activity_id: str) -> tuple[Activity, Client]:
    row = session.execute(select(Activity, Client).join(Client, Client.id == Activity.client_id)
                          .where(Activity.id == activity_id)).first()
    if row is None:
        raise NotFound(f"No activity {activity_id}.")
    return row[0], row[1]


def find_activities(session: Session, where: ActivityFilter, *, limit: int, after: list | None) -> Page[Activity]:
    """Activities by due date.  ``where.assignee`` is whose diary: the activities they own
    and those delegated to them (each read in index order, then merged)."""
    statement = select(Activity)
    if where.programs is not None:
        statement = statement.join(Client, Client.id == Activity.client_id).where(
            Client.program.in_(sorted(where.programs)))
    if where.status:
        statement = statement.where(Activity.status == where.status)
    if where.client_id:
        statement = statement.where(Activity.client_id == where.client_id)
    if where.due_before:
        statement = statement.where(Activity.due_on <= where.due_before)
    if where.due_from:
        statement = statement.where(Activity.due_on >= where.due_from)
    if where.overdue_on:
        statement = statement.where(Activity.due_on < where.overdue_on)
    order = dict(limit=limit, after=after, key_of=lambda a: [a.due_on.isoformat(), a.id],
                 parse_sort=date.fromisoformat)
    if where.assignee:
        owned = statement.where(Activity.assignee == where.assignee)
        delegated = statement.where(Activity.delegate == where.assignee)
        return page_union(session, Activity, [owned, delegated], Activity.due_on, Activity.id, **order)
    return page(session, statement, Activity.due_on, Activity.id, **order)


def _existing(session: Session, type: str, source_key: str) -> Activity | None:
    return session.scalar(select(Activity).where(Activity.type == type, Activity.source_key == source_key))

"""The diary: my open activities, one account's, opening and completing them."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.absences import settle_absences
from services.accounts.api.access import business_rules, commit, cursor_key, page_body, visible_client, visible_programs
from services.accounts.api.schemas import (
    ActivityCompletedSchema, ActivityCompleteSchema, ActivityCreateSchema, ActivityDelegateSchema,
    ActivityHistorySchema, ActivityListArgsSchema, ActivityPageSchema, ActivityReassignSchema, ActivitySchema,
    ActivityUndelegateSchema,
)
from services.accounts.domain.activities import ActivityFilter, find_activities, get_activity, open_activity
from services.accounts.domain.diary import (
    FollowUp, complete_and_follow, delegate, reassign, undelegate, view_filter,
)
from services.accounts.domain.hand_overs import hand_overs
from services.accounts.models import Activity, Policy
from shared.kit.db import utcnow
from shared.kit.web import abort, db_session, principal, require_roles, visible_or_404

blp = Blueprint("activities", __name__, url_prefix="/api/v1/activities",
                description="Activities (the diary): dated to-dos on an account.")


@blp.route("")
class Activities(MethodView):
    @blp.arguments(ActivityListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ActivityPageSchema)
    def get(self, args):
        """Activities in the caller's programs, by due date: ``assignee=me&status=open``
        is my open diary (the activities I own and those delegated to me);
        ``view=overdue`` / ``view=due_this_week`` (with ``assignee=me`` for mine);
        ``view=team&program=<p>`` a program manager's whole team."""
        settle_absences()
        assignee = args.get("assignee")
        where = ActivityFilter(programs=visible_programs(), status=args.get("status"),
                               assignee=principal().user_id if assignee == "me" else assignee,
                               client_id=args.get("client_id"), due_before=args.get("due_before"))
        where = view_filter(args.get("view"), where, utcnow().date(), _program(args))
        with business_rules():
            found = find_activities(db_session(), where, limit=args["limit"], after=cursor_key(args))
        return page_body(found)

    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, fields):
        """Open an activity by hand (assigned to the caller unless ``assignee`` is given)."""
        client = visible_client(fields["client_id"])
        session = db_session()
        policy = session.get(Policy, fields["policy_id"]) if fields["policy_id"] else None
        if fields["policy_id"] and policy is None:
            abort(422, "No such policy.", errors={"policy_id": ["No policy of this client."]})
        with business_rules():
            activity = open_activity(
                session, principal().actor, client=client, policy=policy, type=fields["type"],
                subject=fields["subject"], details=fields["details"], due_on=fields["due_on"],
                priority=fields["priority"], assignee=fields["assignee"] or principal().user_id)
        commit()
        return activity


@blp.route("/<activity_id>")
class ActivityById(MethodView):
    @blp.response(200, ActivitySchema)
    def get(self, activity_id):
        """One activity."""
        settle_absences()
        return _visible_activity(activity_id)


@blp.route("/<activity_id>/complete")
class CompleteActivity(MethodView):
    @blp.arguments(ActivityCompleteSchema)
    @blp.response(200, ActivityCompletedSchema)
    def post(self, fields, activity_id):
        """Complete an open activity with its outcome (409 when already complete); a
        ``follow_up`` opens the next activity in the chain."""
        activity = _visible_activity(activity_id)
        follow_up = FollowUp(**fields["follow_up"]) if fields["follow_up"] else None
        with business_rules():
            chained = complete_and_follow(db_session(), principal().actor, activity, fields["outcome"], follow_up,
                                          principal().user_id)
        commit()
        return _columns(activity) | {"delegated": activity.delegated, "follow_up": chained}


@blp.route("/<activity_id>/reassign")
class ReassignActivity(MethodView):
    @blp.arguments(ActivityReassignSchema)
    @blp.response(200, ActivitySchema)
    def post(self, fields, activity_id):
        """Hand an open activity to someone else (to their backup while they are out);
        the hand-over is kept in the activity's history.  409 when complete or already theirs."""
        activity = _visible_activity(activity_id)
        with business_rules():
            reassign(db_session(), principal().actor, activity, fields["assignee"], fields["note"], utcnow().date())
        commit()
        return activity


@blp.route("/<activity_id>/delegate")
class DelegateActivity(MethodView):
    @blp.arguments(ActivityDelegateSchema)
    @blp.response(200, ActivitySchema)
    def post(self, fields, activity_id):
        """Let someone work an open activity for its assignee, who keeps it and stays
        accountable; it shows in both diaries.  409 when complete, already theirs or the
        delegate is out of the office; 422 when the delegate is the assignee."""
        activity = _visible_activity(activity_id)
        with business_rules():
            delegate(db_session(), principal().actor, activity, fields["delegate"], fields["note"], utcnow().date())
        commit()
        return activity


@blp.route("/<activity_id>/undelegate")
class UndelegateActivity(MethodView):
    @blp.arguments(ActivityUndelegateSchema)
    @blp.response(200, ActivitySchema)
    def post(self, fields, activity_id):
        """Take a delegated activity back to its assignee (409 when not delegated or complete)."""
        activity = _visible_activity(activity_id)
        with business_rules():
            undelegate(db_session(), principal().actor, activity, fields["note"])
        commit()
        return activity


@blp.route("/<activity_id>/history")
class ActivityHistory(MethodView):
    @blp.response(200, ActivityHistorySchema)
    def get(self, activity_id):
        """Every hand-over of the activity, oldest first: its kind (reassign, delegate,
        undelegate, absence_cover, absence_return), from, to, who, when, note."""
        activity = _visible_activity(activity_id)
        return {"activity_id": activity.id, "assignee": activity.assignee, "delegate": activity.delegate,
                "reassignments": hand_overs(db_session(), activity.id)}


def _columns(activity: Activity) -> dict:
    return {column.key: getattr(activity, column.key) for column in Activity.__table__.columns}


def _program(args: dict) -> str | None:
    """The program a list is narrowed to: one the caller works in (else 404); the team
    view needs it and a program manager (or admin)."""
    program = args.get("program")
    if args.get("view") == "team":
        require_roles("program_manager")
        if program is None:
            abort(422, "The team view needs a program.", errors={"program": ["Required with view=team."]})
    if program is not None:
        visible_or_404(program, "program")
    return program


def _visible_activity(activity_id: str):
    with business_rules():
        activity, client = get_activity(db_session(), activity_id)
    visible_or_404(client.program, "activity")
    return activity

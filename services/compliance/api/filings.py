"""Filings: list (within the caller's programs), one with its history, and moving one
through its lifecycle."""
from __future__ import annotations

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from services.compliance.api.schemas import (
    FilingDetailSchema, FilingListArgsSchema, FilingPageSchema, TransitionSchema,
)
from services.compliance.domain.docket import transition
from services.compliance.domain.filings import NEEDS_A_NOTE, TransitionRefused
from services.compliance.models import Filing
from shared.contracts.pagination import decode_cursor, encode_cursor
from shared.kit.web import abort, db_session, principal, require_roles, visible_or_404

blp = Blueprint("filings", __name__, url_prefix="/api/v1/filings", description="Regulatory filings")

TRANSITION_ROLES = ("compliance", "account_manager", "admin")
WAIVE_ROLES = ("compliance", "admin")


def visible_filings():
    user = principal()
    query = select(Filing)
    if not (user.is_admin or "*" in user.programs):
        query = query.where(Filing.program.in_(sorted(user.programs)))
    return query


def _after(cursor: str):
    try:
        due_text, filing_id = decode_cursor(cursor)
        due_on = date.fromisoformat(due_text)
        return or_(Filing.due_on > due_on, and_(Filing.due_on == due_on, Filing.id > filing_id))
    except (ValidationError, ValueError, TypeError):
        abort(400, "Not a valid cursor.")


def load_filing(filing_id: str) -> Filing:
    filing = db_session().scalars(
        select(Filing).where(Filing.id == filing_id).options(selectinload(Filing.history))).first()
    if filing is None:
        abort(404, "No such filing.")
    visible_or_404(filing.program, "filing")
    return filing


@blp.route("/")
class Filings(MethodView):
    @blp.arguments(FilingListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, FilingPageSchema)
    def get(self, args):
        """Filings by due date, filtered by client, status, body, overdue or due before a date."""
        query = visible_filings()
        for name in ("client_id", "status", "body", "overdue"):
            if name in args:
                query = query.where(getattr(Filing, name) == args[name])
        if "due_before" in args:
            query = query.where(Filing.due_on < args["due_before"])
        if args.get("after"):
            query = query.where(_after(args["after"]))
        rows = db_session().scalars(query.order_by(Filing.due_on, Filing.id).limit(args["limit"] + 1)).all()
        page = rows[:args["limit"]]
        more = len(rows) > args["limit"]
        return {"items": page,
                "next_cursor": encode_cursor([page[-1].due_on.isoformat(), page[-1].id]) if more else None}


@blp.route("/<filing_id>")
class FilingById(MethodView):
    @blp.response(200, FilingDetailSchema)
    def get(self, filing_id):
        """One filing with its status history."""
        return load_filing(filing_id)


@blp.route("/<filing_id>/transition")
class FilingTransition(MethodView):
    @blp.arguments(TransitionSchema)
    @blp.response(200, FilingDetailSchema)
    @blp.alt_response(409, description="The lifecycle does not allow this move")
    def post(self, body, filing_id):
        """Move a filing to its next status (compliance, account managers and admins; waiving
        a filing that is not owed takes the compliance role and a note saying why).  Every
        move is recorded in the history and announced as compliance.filing.status_changed."""
        user = require_roles(*TRANSITION_ROLES)
        filing = load_filing(filing_id)
        if body["effective_on"] is not None and body["to"] != "cancel_pending":
            abort(422, "effective_on is given only when a filing becomes cancel_pending.")
        if body["to"] == "waived" and not user.has_any_role(*WAIVE_ROLES):
            abort(403, f"Waiving a filing needs one of the roles: {', '.join(WAIVE_ROLES)}.")
        if body["to"] in NEEDS_A_NOTE and not (body["note"] or "").strip():
            abort(422, f"A filing becomes {body['to']} only with a note saying why.")
        session = db_session()
        try:
            transition(session, filing, body["to"], actor=user.actor, note=body["note"],
                       effective_on=body["effective_on"])
        except TransitionRefused as exc:
            abort(409, str(exc))
        session.commit()
        return filing

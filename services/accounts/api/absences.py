"""Out-of-office cover: mark a user absent with a backup; their diary follows."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.accounts.api.access import business_rules, commit
from services.accounts.api.schemas import AbsenceSchema, AbsenceSetSchema
from services.accounts.domain.absences import apply_absences, end_absence, get_absence, set_absence, transitions_due
from shared.kit.db import utcnow
from shared.kit.web import abort, db_session, principal

blp = Blueprint("absences", __name__, url_prefix="/api/v1/users", description="Out-of-office cover.")
# Who may set someone else's absence.
COVER_MANAGERS = ("program_manager", "admin")


@blp.route("/<user>/absence")
class Absence(MethodView):
    @blp.response(200, AbsenceSchema)
    def get(self, user):
        """The user's absence on file (404 when none)."""
        settle_absences()
        with business_rules():
            return get_absence(db_session(), user)

    @blp.arguments(AbsenceSetSchema)
    @blp.response(200, AbsenceSchema)
    def put(self, fields, user):
        """Mark ``user`` absent ``from`` through ``until`` with ``backup`` covering: from the
        first day their open activities (and new ones) go to the backup."""
        _may_manage(user)
        with business_rules():
            absence = set_absence(db_session(), principal().actor, user, fields["starts_on"], fields["ends_on"],
                                  fields["backup"], utcnow().date())
        commit()
        return absence

    @blp.response(200, AbsenceSchema)
    def delete(self, user):
        """End the absence now (or cancel a scheduled one): the activities come back."""
        _may_manage(user)
        with business_rules():
            absence = end_absence(db_session(), principal().actor, user, utcnow().date())
        commit()
        return absence


def settle_absences() -> None:
    """Start or end any absence due today before the diary is read (the worker does the
    same periodically).  Checked on a short session of its own, so the request's session
    never waits on a write."""
    db = current_app.extensions["db"]
    today = utcnow().date()
    # Once nothing is due on a day, nothing becomes due until the next: an absence set or
    # ended through the API is applied at once (domain.absences.set_absence/end_absence).
    if current_app.extensions.get("absences_settled_on") == today:
        return
    check = db.read_session()
    try:
        due = transitions_due(check, today)
    finally:
        check.close()
    if due:
        with db.transaction() as session:
            apply_absences(session, today)
    current_app.extensions["absences_settled_on"] = today


def _may_manage(user: str) -> None:
    caller = principal()
    if caller.user_id != user and not caller.has_any_role(*COVER_MANAGERS):
        abort(403, "Only the user, a program manager or an admin sets a user's absence.")

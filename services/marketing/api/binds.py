"""Binds: the bind order, its surplus lines affidavit, and the issued policy checked against it."""
from __future__ import annotations

import csv
import io

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.marketing.api.common import WRITERS, domain_errors, visible_submission
from services.marketing.api.presenters import bind_view
from services.marketing.api.schemas import (
    AffidavitQuerySchema, BindSchema, IssuedPolicySchema, PolicyCheckSchema, SurplusLinesAffidavitSchema,
)
from services.marketing.api.lifecycle_schemas import (
    BindConfirmationSchema, BindEndingSchema, SubjectivityResolutionSchema,
)
from services.marketing.api.quotes import BINDERS
from services.marketing.domain import binding, policy_checks, surplus_lines_binds
from services.marketing.domain.comparisons import AGENCY
from services.marketing.models import Bind, SurplusLinesPlacement
from shared.kit.web import abort, db_session, principal, require_roles

blp = Blueprint("binds", __name__, url_prefix="/api/v1/binds",
                description="Bind orders, surplus lines affidavits and issued policy checks")


def visible_bind(bind_id: str) -> Bind:
    bind = db_session().get(Bind, bind_id)
    if bind is None:
        abort(404, "No such bind.")
    visible_submission(bind.submission_id)
    return bind


@blp.route("/<bind_id>")
class BindItem(MethodView):
    @blp.response(200, BindSchema)
    def get(self, bind_id):
        return bind_view(db_session(), visible_bind(bind_id))


@blp.route("/<bind_id>/subjectivities/<int:item_id>")
class BindSubjectivity(MethodView):
    @blp.arguments(SubjectivityResolutionSchema)
    @blp.response(200, BindSchema)
    def post(self, data, bind_id, item_id):
        """Mark a subjectivity received or waived (who and when are kept).  When binds wait
        for their subjectivities, the last one resolved sends the bind request on."""
        require_roles(*WRITERS)
        bind = visible_bind(bind_id)
        session = db_session()
        with domain_errors():
            binding.resolve(session, bind, item_id, data["status"], data["note"], principal().actor,
                            current_app.config["BIND_RULES"])
        session.commit()
        return bind_view(session, bind)


@blp.route("/<bind_id>/confirmation")
class BindConfirmation(MethodView):
    @blp.arguments(BindConfirmationSchema)
    @blp.response(200, BindSchema)
    def post(self, data, bind_id):
        """Key in the market's binder (binder number, effective date, any changes): the bind
        is confirmed and the new policy terms go to accounts, documents and compliance.  A
        queue market confirms over the carrier contract instead (carrier.bind.confirmed)."""
        require_roles(*BINDERS)
        bind = visible_bind(bind_id)
        session = db_session()
        with domain_errors():
            if not binding.confirm(session, bind, data, principal().actor, "keyed", current_app.config["BIND_RULES"]):
                abort(409, f"The bind is already confirmed with binder {bind.binder_number}.")
        session.commit()
        return bind_view(session, bind)


@blp.route("/<bind_id>/cancellation")
class BindCancellation(MethodView):
    @blp.arguments(BindEndingSchema)
    @blp.response(200, BindSchema)
    def post(self, data, bind_id):
        """Withdraw a bind order the market has not confirmed yet (a queue market is sent
        carrier.bind.cancelled): the market goes back to quoted and the submission can be
        bound again, on this quote or another.  A bound policy is cancelled in accounts."""
        require_roles(*BINDERS)
        bind = visible_bind(bind_id)
        session = db_session()
        with domain_errors():
            binding.cancel(session, bind, data["reason"], principal().actor)
        session.commit()
        return bind_view(session, bind)


@blp.route("/<bind_id>/declination")
class BindDeclination(MethodView):
    @blp.arguments(BindEndingSchema)
    @blp.response(200, BindSchema)
    def post(self, data, bind_id):
        """Key in the market's refusal to bind (it said so by email or phone; a queue market
        sends carrier.bind.declined): the market stands declined and the submission is open
        for another market's quote."""
        require_roles(*WRITERS)
        bind = visible_bind(bind_id)
        session = db_session()
        with domain_errors():
            if not binding.decline(session, bind, data["reason"], principal().actor, "keyed"):
                abort(409, f"The market already declined to bind: {bind.ended_reason}")
        session.commit()
        return bind_view(session, bind)


@blp.route("/<bind_id>/surplus-lines-affidavit")
class SurplusLinesAffidavit(MethodView):
    @blp.arguments(AffidavitQuerySchema, location="query")
    @blp.response(200, SurplusLinesAffidavitSchema)
    @blp.alt_response(200, description="The same data as CSV (format=csv), one row per declination.",
                      content_type="text/csv", success=True)
    def get(self, args, bind_id):
        """The data a surplus lines affidavit needs: insured, carrier, premium, tax and stamping
        fee, the declinations of the diligent search and the broker's licence."""
        session = db_session()
        bind = visible_bind(bind_id)
        placement = session.get(SurplusLinesPlacement, bind.id)
        if placement is None:
            abort(404, "This bind placed an admitted carrier; there is no surplus lines affidavit.")
        data = surplus_lines_binds.affidavit(session, bind, placement, AGENCY)
        if args["format"] == "csv":
            return _csv(data, bind.id)
        return data


@blp.route("/<bind_id>/issued-policy")
class IssuedPolicy(MethodView):
    @blp.arguments(IssuedPolicySchema)
    @blp.response(201, PolicyCheckSchema)
    def post(self, data, bind_id):
        """Check the issued policy against the bound quote: every difference (limit, deductible,
        premium, missing or extra coverage, form, exclusion) is stored and sent to accounts."""
        require_roles(*WRITERS)
        bind = visible_bind(bind_id)
        session = db_session()
        with domain_errors():
            check, found = policy_checks.check_issued_policy(session, bind, data, principal().actor)
        session.commit()
        return {
            **{name: getattr(check, name) for name in ("id", "bind_id", "policy_numbers", "discrepancy_count",
                                                        "checked_by", "checked_at")},
            "premium": {"amount": check.premium, "currency": check.currency},
            "period": None if check.effective_date is None else {
                "effective_date": check.effective_date, "expiration_date": check.expiration_date},
            "discrepancies": found,
        }


def _csv(data: dict, bind_id: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=surplus_lines_binds.AFFIDAVIT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(surplus_lines_binds.affidavit_rows(data))
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="surplus-lines-affidavit-{bind_id}.csv"'})

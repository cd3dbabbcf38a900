"""The renewal pipeline: "renewals due in N days for my programs", by stage and account
manager, with expiring premium totals."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import business_rules, cursor_key, page_body, visible_programs
from services.accounts.api.schemas import RenewalPipelineArgsSchema, RenewalPipelineSchema
from services.accounts.domain.pipeline import PipelineFilter, pipeline_page, pipeline_totals
from shared.kit.db import utcnow
from shared.kit.web import db_session, visible_or_404

blp = Blueprint("renewals", __name__, url_prefix="/api/v1/renewals",
                description="The renewal pipeline: terms expiring soon, by stage and account manager.")


@blp.route("")
class RenewalPipeline(MethodView):
    @blp.arguments(RenewalPipelineArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, RenewalPipelineSchema)
    def get(self, args):
        """Terms in the caller's programs expiring within ``within_days`` (and those lapsed in
        the last ``lapsed_days``), soonest first, each with its stage and expiring premium;
        ``totals`` count and sum the premium of the whole selection by stage and account manager
        (``totals=false`` leaves them out: they read every term selected, the page does not)."""
        programs = visible_programs()
        if args.get("program"):
            visible_or_404(args["program"], "program")
            programs = frozenset({args["program"]})
        where = PipelineFilter(today=utcnow().date(), within_days=args["within_days"],
                               lapsed_days=args["lapsed_days"], programs=programs,
                               account_manager=args.get("account_manager"), stage=args.get("stage"))
        session = db_session()
        with business_rules():
            found = pipeline_page(session, where, limit=args["limit"], after=cursor_key(args))
        body = page_body(found) | {"as_of": where.today, "within_days": where.within_days}
        if args["totals"]:
            body["totals"] = pipeline_totals(session, where)
        return body

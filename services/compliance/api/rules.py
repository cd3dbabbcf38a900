"""The filing rules in force, with their citations and verified flags."""
from __future__ import annotations

from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.compliance.api.schemas import RuleListArgsSchema, RuleListSchema, RuleOutSchema
from services.compliance.domain.rules import rule_by_id, rulebook
from shared.kit.web import abort

blp = Blueprint("rules", __name__, url_prefix="/api/v1/rules", description="Regulatory filing rules (data)")


@blp.route("/")
class Rules(MethodView):
    @blp.arguments(RuleListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, RuleListSchema)
    def get(self, args):
        """Every rule, optionally by body, credential kind, line of business or trigger."""
        wanted = [r for r in rulebook()
                  if args.get("body", r.body) == r.body
                  and args.get("credential_kind", r.credential_kind) == r.credential_kind
                  and ("line_of_business" not in args or args["line_of_business"] in r.lines_of_business)
                  and ("trigger" not in args or args["trigger"] in r.triggers)]
        return {"items": [asdict(r) for r in wanted]}


@blp.route("/<rule_id>")
class RuleById(MethodView):
    @blp.response(200, RuleOutSchema)
    def get(self, rule_id):
        """One rule."""
        rule = rule_by_id(rule_id)
        if rule is None:
            abort(404, "No such rule.")
        return asdict(rule)

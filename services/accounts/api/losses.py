"""Loss history: claims per policy term, carriers' loss-run imports and column mappings,
and the loss summary.  Every change emits accounts.losses.updated with the summary."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, ValidationError
from sqlalchemy import select

from services.accounts.api.access import (
    ACCOUNT_WRITERS, business_rules, commit, cursor_key, may_write_in, page_body, visible_client,
)
from services.accounts.api.schemas import (
    ClaimChangesSchema, ClaimCreateSchema, ClaimPageSchema, ClaimSchema, LossRunFileSchema, LossRunFormSchema,
    LossRunMappingSchema, LossRunResultSchema, LossSummaryArgsSchema, LossSummarySchema, SavedLossRunMappingSchema,
)
from services.accounts.domain.errors import Invalid
from services.accounts.domain.loss_runs import (
    ColumnMapping, LossRunRejected, carrier_key, import_loss_run, read_table, save_mapping, saved_mapping,
)
from services.accounts.domain.losses import (
    MONEY_FIELDS, change_claim, client_loss_summary, get_claim, large_loss_threshold, publish_losses, record_claim,
    remove_claim,
)
from services.accounts.domain.paging import page
from services.accounts.domain.policies import get_policy
from services.accounts.models import Claim, LossRunMapping, Policy
from shared.contracts.pagination import PageArgsSchema
from shared.kit.db import utcnow
from shared.kit.web import abort, db_session, principal, require_roles, visible_or_404

blp = Blueprint("losses", __name__, url_prefix="/api/v1", description="Loss history: claims, loss runs, summary.")


@blp.route("/policies/<policy_id>/claims")
class PolicyClaims(MethodView):
    @blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ClaimPageSchema)
    def get(self, args, policy_id):
        """The claims of one policy term, by date of loss."""
        policy = _visible_policy(policy_id)
        with business_rules():
            found = page(db_session(), select(Claim).where(Claim.policy_id == policy.id), Claim.date_of_loss,
                         Claim.id, limit=args["limit"], after=cursor_key(args),
                         key_of=lambda c: [c.date_of_loss.isoformat(), c.id], parse_sort=date.fromisoformat)
        return page_body(found, claim_view)

    @blp.arguments(ClaimCreateSchema)
    @blp.response(201, ClaimSchema)
    def post(self, fields, policy_id):
        """Record a claim (claim number unique per policy; incurred defaults to paid + reserved)."""
        policy = _writable_policy(policy_id)
        session = db_session()
        with business_rules():
            claim = record_claim(session, principal().actor, policy, _amounts(fields, policy))
            publish_losses(session, policy.client, "claim_recorded")
        commit()
        return claim_view(claim)


@blp.route("/policies/<policy_id>/claims/<claim_id>")
class ClaimById(MethodView):
    @blp.response(200, ClaimSchema)
    def get(self, policy_id, claim_id):
        """One claim."""
        policy = _visible_policy(policy_id)
        with business_rules():
            return claim_view(get_claim(db_session(), policy, claim_id))

    @blp.arguments(ClaimChangesSchema)
    @blp.response(200, ClaimSchema)
    def patch(self, changes, policy_id, claim_id):
        """Change a claim (a closed claim is reopened, not opened)."""
        policy = _writable_policy(policy_id)
        session = db_session()
        with business_rules():
            claim = get_claim(session, policy, claim_id)
            if change_claim(session, principal().actor, policy, claim, _amounts(changes, policy)):
                publish_losses(session, policy.client, "claim_changed")
        commit()
        return claim_view(claim)

    @blp.response(204)
    def delete(self, policy_id, claim_id):
        """Remove a claim keyed in by mistake."""
        policy = _writable_policy(policy_id)
        session = db_session()
        with business_rules():
            remove_claim(session, principal().actor, get_claim(session, policy, claim_id))
            publish_losses(session, policy.client, "claim_removed")
        commit()


@blp.route("/clients/<client_id>/loss-summary")
class LossSummary(MethodView):
    @blp.arguments(LossSummaryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, LossSummarySchema)
    def get(self, args, client_id):
        """Loss summary per policy year and over five years, with large losses flagged."""
        client = visible_client(client_id)
        threshold = args.get("large_loss_threshold")
        return client_loss_summary(db_session(), client, args.get("as_of") or utcnow().date(),
                                   large_loss_threshold() if threshold is None else threshold)


@blp.route("/clients/<client_id>/loss-runs")
class LossRuns(MethodView):
    @blp.arguments(LossRunFormSchema, location="form", unknown=RAISE)
    @blp.arguments(LossRunFileSchema, location="files", unknown=RAISE)
    @blp.response(200, LossRunResultSchema)
    def post(self, form, files, client_id):
        """Import a carrier loss run (CSV or XLSX, multipart ``file``) with the carrier's saved
        mapping or an inline one.  All or nothing: any problem answers 422 with ``errors``
        listing every {row, column, problem}, and nothing is changed."""
        client = visible_client(client_id)
        may_write_in(client.program)
        session = db_session()
        upload = files["file"]
        with business_rules():
            policy = _import_policy(session, client, form.get("policy_id"))
            mapping = _mapping_for(session, form)
            table = read_table(upload.filename or "", upload.read())
            if form.get("save_mapping"):
                save_mapping(session, principal().actor, form["carrier"], mapping)
            try:
                result = import_loss_run(session, principal().actor, client, table, mapping, policy=policy,
                                         carrier=form.get("carrier"))
            except LossRunRejected as rejected:
                session.rollback()
                abort(422, "The loss run has problems; nothing was imported.", errors=rejected.report)
            summary = publish_losses(session, client, "loss_run_imported")
        commit()
        return {**result.counts(), "summary": summary}


@blp.route("/loss-run-mappings")
class LossRunMappings(MethodView):
    @blp.response(200, SavedLossRunMappingSchema(many=True))
    def get(self):
        """Every carrier's saved loss-run column mapping."""
        rows = db_session().scalars(select(LossRunMapping).order_by(LossRunMapping.carrier_key))
        return [mapping_view(row) for row in rows]


@blp.route("/loss-run-mappings/<carrier>")
class LossRunMappingByCarrier(MethodView):
    @blp.response(200, SavedLossRunMappingSchema)
    def get(self, carrier):
        """One carrier's saved mapping."""
        with business_rules():
            row = db_session().get(LossRunMapping, carrier_key(carrier))
        if row is None:
            abort(404, f"No loss-run mapping for {carrier!r}.")
        return mapping_view(row)

    @blp.arguments(LossRunMappingSchema)
    @blp.response(200, SavedLossRunMappingSchema)
    def put(self, fields, carrier):
        """Save (or replace) a carrier's mapping: our field -> their column header."""
        require_roles(*ACCOUNT_WRITERS)
        with business_rules():
            row = save_mapping(db_session(), principal().actor, carrier,
                               ColumnMapping(fields["columns"], fields["date_format"]))
        commit()
        return mapping_view(row)


def claim_view(claim: Claim) -> dict:
    money = {name: {"amount": getattr(claim, name), "currency": claim.currency} for name in MONEY_FIELDS}
    return {"id": claim.id, "client_id": claim.client_id, "policy_id": claim.policy_id,
            "claim_number": claim.claim_number, "date_of_loss": claim.date_of_loss, "cause": claim.cause,
            "status": claim.status, "description": claim.description, "source": claim.source,
            "created_at": claim.created_at, "updated_at": claim.updated_at, **money}


def mapping_view(row: LossRunMapping) -> dict:
    return {"carrier": row.carrier_key, "columns": row.columns, "date_format": row.date_format,
            "updated_by": row.updated_by, "updated_at": row.updated_at}


def _visible_policy(policy_id: str) -> Policy:
    with business_rules():
        policy = get_policy(db_session(), policy_id)
    visible_or_404(policy.client.program, "policy")
    return policy


def _writable_policy(policy_id: str) -> Policy:
    policy = _visible_policy(policy_id)
    may_write_in(policy.client.program)
    return policy


def _amounts(fields: dict, policy: Policy) -> dict:
    """Money fields as Decimals, each in the policy's currency."""
    out = dict(fields)
    wrong = {}
    for name in MONEY_FIELDS:
        if out.get(name) is not None:
            if out[name]["currency"] != policy.premium_currency:
                wrong[name] = [f"The policy is in {policy.premium_currency}."]
            out[name] = Decimal(out[name]["amount"])
    if wrong:
        raise Invalid("A claim is in its policy's currency.", wrong)
    return out


def _import_policy(session, client, policy_id: str | None) -> Policy | None:
    if not policy_id:
        return None
    policy = session.get(Policy, policy_id)
    if policy is None or policy.client_id != client.id:
        raise Invalid("No such policy for this client.", {"policy_id": ["No policy of this client."]})
    return policy


def _mapping_for(session, form: dict) -> ColumnMapping:
    if form.get("mapping"):
        try:
            fields = LossRunMappingSchema().load(json.loads(form["mapping"]))
        except (ValueError, TypeError):
            raise Invalid("The mapping is not JSON.", {"mapping": ["Not valid JSON."]}) from None
        except ValidationError as exc:
            raise Invalid("The mapping did not pass validation.", {"mapping": exc.normalized_messages()}) from None
        if form.get("save_mapping") and not form.get("carrier"):
            raise Invalid("Saving a mapping needs the carrier.", {"carrier": ["Required with save_mapping."]})
        return ColumnMapping(fields["columns"], fields["date_format"])
    if not form.get("carrier"):
        raise Invalid("Give the carrier (its saved mapping) or a mapping.", {"carrier": ["Or give mapping."]})
    if form.get("save_mapping"):
        raise Invalid("save_mapping needs an inline mapping.", {"mapping": ["Required with save_mapping."]})
    mapping = saved_mapping(session, form["carrier"])
    if mapping is None:
        raise Invalid(f"No saved loss-run mapping for {form['carrier']!r}.",
                      {"carrier": ["No saved mapping; give one inline."]})
    return mapping

"""Policy terms of an account."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import (
    business_rules, commit, cursor_key, may_write_in, page_body, visible_client,
)
from services.accounts.api.presenters import policy_view
from services.accounts.api.schemas import PolicyCancelSchema, PolicyCreateSchema, PolicyOutSchema, PolicyPageSchema
from services.accounts.domain.cancellations import cancel_policy
from services.accounts.domain.policies import client_policies, get_policy, record_policy, renewals_of
from shared.contracts.pagination import PageArgsSchema
from shared.kit.web import db_session, principal, visible_or_404

blp = Blueprint("policies", __name__, url_prefix="/api/v1", description="Policy terms.")


@blp.route("/clients/<client_id>/policies")
class ClientPolicies(MethodView):
    @blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, PolicyPageSchema)
    def get(self, args, client_id):
        """The account's policy terms, by expiration date."""
        client = visible_client(client_id)
        with business_rules():
            found = client_policies(db_session(), client.id, limit=args["limit"], after=cursor_key(args))
        renewals = renewals_of(db_session(), [p.id for p in found.items])
        return page_body(found, lambda p: policy_view(p, renewals.get(p.id)))

    @blp.arguments(PolicyCreateSchema)
    @blp.response(201, PolicyOutSchema)
    def post(self, terms, client_id):
        """Record a policy term (emits accounts.policy.recorded).  A policy number already
        recorded for the same carrier answers 409."""
        client = visible_client(client_id)
        may_write_in(client.program)
        with business_rules():
            policy = record_policy(db_session(), principal().actor, client, terms)
        commit()
        return policy_view(policy)


@blp.route("/policies/<policy_id>")
class PolicyById(MethodView):
    @blp.response(200, PolicyOutSchema)
    def get(self, policy_id):
        """One policy term with its coverage records and its place in the renewal chain."""
        with business_rules():
            policy = get_policy(db_session(), policy_id)
        visible_or_404(policy.client.program, "policy")
        return policy_view(policy, renewals_of(db_session(), [policy.id]).get(policy.id))


@blp.route("/policies/<policy_id>/cancel")
class CancelPolicy(MethodView):
    @blp.arguments(PolicyCancelSchema)
    @blp.response(200, PolicyOutSchema)
    def post(self, facts, policy_id):
        """Cancel an in-force term (emits accounts.policy.cancelled and accounts.policy.recorded,
        opens a remarketing follow-up).  409 when the term is not in force; 422 when the
        effective date is before the notice date or outside the term."""
        with business_rules():
            policy = get_policy(db_session(), policy_id)
        visible_or_404(policy.client.program, "policy")
        may_write_in(policy.client.program)
        with business_rules():
            cancel_policy(db_session(), principal().actor, policy, **facts)
        commit()
        return policy_view(policy, renewals_of(db_session(), [policy.id]).get(policy.id))

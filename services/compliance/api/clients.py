"""A client's obligations: what filings its credentials require and where each stands."""
from __future__ import annotations

from datetime import datetime, timezone

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.compliance.api.schemas import ObligationsSchema
from services.compliance.domain.filings import PolicyTerm
from services.compliance.domain.obligations import credential_obligations
from services.compliance.domain.rules import rulebook
from services.compliance.models import CredentialView, Filing, PolicyTermFact
from shared.kit.web import abort, db_session, visible_or_404

blp = Blueprint("clients", __name__, url_prefix="/api/v1/clients", description="Clients' regulatory obligations")


def _terms(session, client_id: str) -> list[PolicyTerm]:
    facts = session.scalars(select(PolicyTermFact).where(
        PolicyTermFact.client_id == client_id, PolicyTermFact.status == "in_force")).all()
    return [PolicyTerm(f.policy_number, f.line_of_business, f.carrier_name, f.effective_date, f.expiration_date)
            for f in facts]


def _requirement_json(req) -> dict:
    return {"rule_id": req.rule.id, "body": req.rule.body, "form": req.rule.form, "citation": req.rule.citation,
            "verified": req.rule.verified, "policy_number": req.policy.policy_number,
            "line_of_business": req.policy.line_of_business,
            "policy_effective_date": req.policy.effective_date, "policy_expiration_date": req.policy.expiration_date,
            "due_on": req.due_on, "state": req.state, "filing_id": req.filing.id if req.filing else None,
            "filing_status": req.filing.status if req.filing else None}


@blp.route("/<client_id>/obligations")
class ClientObligations(MethodView):
    @blp.response(200, ObligationsSchema)
    def get(self, client_id):
        """Per credential: the filings required for each policy term in force, their state,
        the lines with no policy on record, and the credential's standing."""
        session = db_session()
        view = session.get(CredentialView, client_id)
        if view is None:
            abort(404, "No such client.")
        visible_or_404(view.program, "client")
        today = datetime.now(timezone.utc).date()
        terms = _terms(session, client_id)
        filings = session.scalars(select(Filing).where(Filing.client_id == client_id)
                                  .order_by(Filing.created_at)).all()
        credentials = []
        for credential in view.credentials:
            result = credential_obligations(rulebook(), credential, entity_type=view.entity_type, terms=terms,
                                            filings=filings, today=today)
            credentials.append({
                "credential": credential, "standing": result.standing,
                "requirements": [_requirement_json(r) for r in result.requirements],
                "uncovered": [{"rule_id": r.id, "body": r.body, "form": r.form,
                               "lines_of_business": list(r.lines_of_business)} for r in result.uncovered],
            })
        return {"client_id": view.client_id, "program": view.program, "name": view.name, "as_of": today,
                "credentials": credentials}

"""Compliance's copies of other services' facts: clients' credentials and policy terms."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.compliance.domain.filings import Cancellation, PolicyTerm
from services.compliance.models import CredentialView, PolicyTermFact
from shared.kit.db import utcnow


def remember_client(session: Session, snapshot: dict, source_time: datetime) -> CredentialView | None:
    """Upsert the client's view from a whole snapshot; an older snapshot never overwrites a
    newer one (events may arrive out of order).  Returns the view if it changed."""
    view = session.get(CredentialView, snapshot["client_id"])
    if view is not None and view.source_time >= source_time:
        return None
    if view is None:
        view = CredentialView(client_id=snapshot["client_id"])
        session.add(view)
    view.program = snapshot["program"]
    view.name = snapshot["name"]
    view.dba = snapshot.get("dba")
    view.entity_type = snapshot.get("entity_type")
    view.account_manager = snapshot.get("account_manager")
    view.credentials = [_credential_json(c) for c in snapshot.get("credentials", [])]
    view.source_time = source_time
    view.updated_at = utcnow()
    return view


def _credential_json(credential: dict) -> dict:
    expires = credential.get("expires_on")
    return {"kind": credential["kind"], "number": credential["number"],
            "expires_on": expires.isoformat() if expires else None}


def remember_term(session: Session, *, client_id: str, program: str, policy: PolicyTerm, status: str,
                  policy_id: str | None = None) -> PolicyTermFact:
    fact = session.scalars(select(PolicyTermFact).where(
        PolicyTermFact.client_id == client_id, PolicyTermFact.policy_number == policy.policy_number,
        PolicyTermFact.effective_date == policy.effective_date)).first()
    if fact is None:
        fact = PolicyTermFact(client_id=client_id, policy_number=policy.policy_number,
                              effective_date=policy.effective_date)
        session.add(fact)
    fact.program = program
    fact.policy_id = policy_id or fact.policy_id
    fact.line_of_business = policy.line_of_business
    fact.carrier_name = policy.carrier_name
    fact.expiration_date = policy.expiration_date
    fact.status = status
    fact.updated_at = utcnow()
    session.flush()
    return fact


CONFIRMED_BY = "accounts.policy.cancelled"  # real dates, reason and requester
ESTIMATED_FROM = "accounts.policy.recorded"  # status cancelled only: notice date = message time


def cancellation_of(fact: PolicyTermFact) -> Cancellation | None:
    """The cancellation compliance has acted on for this term, if any."""
    if fact.cancellation_source is None or fact.cancellation_notice_date is None:
        return None
    return Cancellation(notice_date=fact.cancellation_notice_date, coverage_ends=fact.cancellation_effective_date,
                        reason=fact.cancellation_reason, requested_by=fact.cancellation_requested_by,
                        confirmed=fact.cancellation_source == CONFIRMED_BY)


def remember_cancellation(fact: PolicyTermFact, cancellation: Cancellation) -> None:
    fact.cancellation_source = CONFIRMED_BY if cancellation.confirmed else ESTIMATED_FROM
    fact.cancellation_notice_date = cancellation.notice_date
    fact.cancellation_effective_date = cancellation.coverage_ends
    fact.cancellation_reason = cancellation.reason
    fact.cancellation_requested_by = cancellation.requested_by
    fact.updated_at = utcnow()


def term_of(policy: dict) -> PolicyTerm:
    """A PolicyTerm from a policy snapshot or a bound policy of an event."""
    return PolicyTerm(policy_number=policy["policy_number"], line_of_business=policy["line_of_business"],
                      carrier_name=policy["market"]["carrier_name"],
                      effective_date=policy["period"]["effective_date"],
                      expiration_date=policy["period"]["expiration_date"])

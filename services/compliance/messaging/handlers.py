"""What compliance does with the events it consumes.  Each handler runs in the consumer's
transaction together with the inbox record, so a redelivered message takes effect once;
filings are also unique by natural key, so a second event for the same term adds nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.compliance.domain import docket
from services.compliance.domain.filings import derive_filings, merge_credentials
from services.compliance.domain.read_models import remember_client, remember_term, term_of
from services.compliance.domain.rules import rulebook
from services.compliance.models import CredentialView
from shared.kit.audit import audit
from shared.kit.consumer import Delivery


def _actor(delivery: Delivery) -> str:
    return f"service:{delivery.source or 'unknown'}"


def _event_time(delivery: Delivery) -> datetime:
    return datetime.fromisoformat(delivery.envelope["time"])


def client_snapshot(session: Session, delivery: Delivery) -> None:
    """accounts.client.registered / accounts.client.updated: keep the credential read model."""
    view = remember_client(session, delivery.data, _event_time(delivery))
    if view is not None:
        audit(session, _actor(delivery), "credentials.recorded", "client", view.client_id,
              credentials=view.credentials, event=delivery.type)


def policy_recorded(session: Session, delivery: Delivery) -> None:
    """accounts.policy.recorded: keep the term.  A cancellation starts the bodies' notice
    periods and the insurers' notices; a renewal recorded in accounts (not bound through
    marketing, which announces its own binds) needs the renewal evidence."""
    policy, insured = delivery.data["policy"], delivery.data["insured"]
    term = term_of(policy)
    remember_term(session, client_id=policy["client_id"], program=policy["program"], policy=term,
                  status=policy["status"], policy_id=policy["policy_id"])
    audit(session, _actor(delivery), "policy_term.recorded", "client", policy["client_id"],
          policy_number=term.policy_number, status=policy["status"])
    trigger = _recorded_trigger(delivery.data)
    if trigger is None:
        return
    view = session.get(CredentialView, policy["client_id"])
    notice_date = _event_time(delivery).date() if trigger == "policy_cancelled" else None
    drafts = derive_filings(rulebook(), credentials=merge_credentials(insured["credentials"], view and view.credentials),
                            policy=term, trigger=trigger, entity_type=view and view.entity_type,
                            notice_date=notice_date)
    docket.open_filings(session, drafts, client_id=policy["client_id"], program=policy["program"],
                        account_manager=view and view.account_manager, actor=_actor(delivery))
    if trigger == "policy_cancelled":
        docket.start_cancellation(session, client_id=policy["client_id"], policy_number=term.policy_number,
                                  notice_date=notice_date, actor=_actor(delivery))


def _recorded_trigger(data: dict) -> str | None:
    policy = data["policy"]
    if policy["status"] == "cancelled":
        return "policy_cancelled"
    if policy["status"] == "in_force" and policy.get("replaces_policy_id") and not data.get("bound_quote_id"):
        return "policy_renewed"
    return None


def policy_bound(session: Session, delivery: Delivery) -> None:
    """marketing.policy.bound: every bound term needs the filings its insured's credentials
    require; each is opened once and announced with compliance.filing.due."""
    data, insured = delivery.data, delivery.data["insured"]
    view = session.get(CredentialView, insured["client_id"])
    credentials = merge_credentials(insured["credentials"], view.credentials if view else [])
    account_manager = data.get("account_manager") or (view.account_manager if view else None)
    for policy in data["policies"]:
        term = term_of(policy)
        remember_term(session, client_id=insured["client_id"], program=insured["program"], policy=term,
                      status="in_force")
        audit(session, _actor(delivery), "policy_term.bound", "client", insured["client_id"],
              policy_number=term.policy_number, bind_id=data["bind_id"])
        drafts = derive_filings(rulebook(), credentials=credentials, policy=term, trigger="policy_bound",
                                entity_type=view.entity_type if view else None)
        docket.open_filings(session, drafts, client_id=insured["client_id"], program=insured["program"],
                            account_manager=account_manager, actor=_actor(delivery))


HANDLERS = {
    "accounts.client.registered": client_snapshot,
    "accounts.client.updated": client_snapshot,
    "accounts.policy.recorded": policy_recorded,
    "marketing.policy.bound": policy_bound,
}

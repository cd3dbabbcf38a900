"""What compliance does with the events it consumes.  Each handler runs in the consumer's
transaction together with the inbox record, so a redelivered message takes effect once;
filings are also unique by natural key, so a second event for the same term adds nothing.

A cancellation arrives twice: accounts.policy.cancelled (notice date, coverage end, reason,
requester) and accounts.policy.recorded with status cancelled, usually in that order.  The
term remembers which cancellation compliance acted on: the recorded status alone opens the
notices with an estimated notice date (the message's time), the cancellation event opens
them with the real dates or corrects the estimate, and anything heard again changes nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.compliance.domain import docket
from services.compliance.domain.filings import Cancellation, PolicyTerm, derive_filings, merge_credentials
from services.compliance.domain.read_models import (
    cancellation_of, remember_cancellation, remember_client, remember_term, term_of,
)
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
    """accounts.policy.recorded: keep the term.  A cancellation not yet heard of through
    accounts.policy.cancelled starts the bodies' notice periods from the message's date; a
    renewal recorded in accounts (not bound through marketing, which announces its own binds)
    needs the renewal evidence."""
    policy, insured = delivery.data["policy"], delivery.data["insured"]
    term = term_of(policy)
    fact = remember_term(session, client_id=policy["client_id"], program=policy["program"], policy=term,
                         status=policy["status"], policy_id=policy["policy_id"])
    audit(session, _actor(delivery), "policy_term.recorded", "client", policy["client_id"],
          policy_number=term.policy_number, status=policy["status"])
    trigger = _recorded_trigger(delivery.data)
    if trigger is None:
        return
    if trigger == "policy_cancelled":
        if cancellation_of(fact) is not None:  # acted on already (the cancellation event, or this one before)
            return
        cancellation = Cancellation(notice_date=_event_time(delivery).date(), confirmed=False)
        remember_cancellation(fact, cancellation)
        _cancel(session, delivery, policy, insured, term, cancellation, previous=None)
        return
    view = session.get(CredentialView, policy["client_id"])
    drafts = derive_filings(rulebook(), credentials=merge_credentials(insured["credentials"], view and view.credentials),
                            policy=term, trigger=trigger, entity_type=view and view.entity_type)
    docket.open_filings(session, drafts, client_id=policy["client_id"], program=policy["program"],
                        account_manager=view and view.account_manager, actor=_actor(delivery))


def policy_cancelled(session: Session, delivery: Delivery) -> None:
    """accounts.policy.cancelled: the regulators' cancellation notices, due and effective from
    the real notice date, the day coverage ends and the reason; the active evidence filings
    go cancel_pending until each body lets the cancellation take effect.  If the recorded
    status got here first, the filings it opened with an estimated date are corrected."""
    data = delivery.data
    policy, insured = data["policy"], data["insured"]
    term = term_of(policy)
    fact = remember_term(session, client_id=policy["client_id"], program=policy["program"], policy=term,
                         status="cancelled", policy_id=policy["policy_id"])
    cancellation = Cancellation(notice_date=data["notice_date"], coverage_ends=data["effective_date"],
                                reason=data["reason"], requested_by=data["requested_by"], confirmed=True)
    previous = cancellation_of(fact)
    if previous == cancellation:  # the same cancellation again (republished): nothing new
        return
    remember_cancellation(fact, cancellation)
    audit(session, _actor(delivery), "policy_term.cancelled", "client", policy["client_id"],
          policy_number=term.policy_number, reason=cancellation.reason, requested_by=cancellation.requested_by,
          notice_date=cancellation.notice_date, coverage_ends=cancellation.coverage_ends,
          corrects=previous.notice_date if previous else None)
    _cancel(session, delivery, policy, insured, term, cancellation, previous=previous)


def _cancel(session: Session, delivery: Delivery, policy: dict, insured: dict, term: PolicyTerm,
            cancellation: Cancellation, previous: Cancellation | None) -> None:
    view = session.get(CredentialView, policy["client_id"])
    credentials = merge_credentials(insured["credentials"], view and view.credentials)
    drafts = derive_filings(rulebook(), credentials=credentials, policy=term, trigger="policy_cancelled",
                            entity_type=view and view.entity_type, cancellation=cancellation)
    actor = _actor(delivery)
    docket.open_filings(session, drafts, client_id=policy["client_id"], program=policy["program"],
                        account_manager=view and view.account_manager, actor=actor)
    if previous is not None:
        docket.reschedule_filings(session, drafts, actor=actor)
    docket.start_cancellation(session, client_id=policy["client_id"], policy_number=term.policy_number,
                              cancellation=cancellation, actor=actor, previous=previous)


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
    "accounts.policy.cancelled": policy_cancelled,
    "marketing.policy.bound": policy_bound,
}

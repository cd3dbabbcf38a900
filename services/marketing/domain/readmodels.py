"""The clients and policies marketing knows from accounts' events.  Events can arrive out
of order, so a snapshot replaces the stored one only if it is not older."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from services.marketing.domain.intake import to_json
from services.marketing.models import ClientView, PolicyView, Submission


def apply_client(session: Session, client: dict, as_of: datetime) -> bool:
    """Store a client snapshot (ClientSnapshotSchema, loaded).  False if a newer one is held."""
    view = session.get(ClientView, client["client_id"])
    if view is not None and view.as_of > as_of:
        return False
    if view is None:
        view = ClientView(client_id=client["client_id"])
        session.add(view)
    data = to_json(client)
    view.program = data["program"]
    view.name = data["name"]
    view.dba = data.get("dba")
    view.status = data["status"]
    view.naics = data.get("naics")
    view.address = data.get("address")
    view.account_manager = data.get("account_manager")
    view.producer = data.get("producer")
    view.credentials = data.get("credentials") or []
    view.as_of = as_of
    return True


def apply_policy(session: Session, policy: dict, insured: dict, as_of: datetime) -> bool:
    """Store a policy snapshot (PolicySnapshotSchema, loaded) with its insured."""
    view = session.get(PolicyView, policy["policy_id"])
    if view is not None and view.as_of > as_of:
        return False
    if view is None:
        view = PolicyView(policy_id=policy["policy_id"])
        session.add(view)
    data = to_json(policy)
    view.client_id = data["client_id"]
    view.program = data["program"]
    view.line_of_business = data["line_of_business"]
    view.policy_number = data["policy_number"]
    view.market = data["market"]
    view.effective_date = policy["period"]["effective_date"]
    view.expiration_date = policy["period"]["expiration_date"]
    view.status = data["status"]
    view.coverages = data.get("coverages") or []
    view.premium = Decimal(str(policy["premium"]["amount"]))
    view.currency = data["premium"]["currency"]
    view.insured = to_json(insured)
    view.as_of = as_of
    return True


def policy_snapshot(view: PolicyView) -> dict:
    """The stored policy in PolicySnapshotSchema's JSON form."""
    return {
        "policy_id": view.policy_id,
        "client_id": view.client_id,
        "program": view.program,
        "line_of_business": view.line_of_business,
        "policy_number": view.policy_number,
        "market": view.market,
        "period": {"effective_date": view.effective_date.isoformat(),
                   "expiration_date": view.expiration_date.isoformat()},
        "status": view.status,
        "coverages": view.coverages,
        "premium": {"amount": f"{view.premium:.2f}", "currency": view.currency},
    }


def insured_of(session: Session, submission: Submission) -> dict:
    """The insured as InsuredSchema JSON: the latest client snapshot if marketing has one,
    else what the submission was opened with."""
    client = session.get(ClientView, submission.client_id)
    if client is None:
        return dict(submission.insured)
    return insured_from_client(client)


def insured_from_client(client: ClientView) -> dict:
    return {
        "client_id": client.client_id,
        "program": client.program,
        "name": client.name,
        "dba": client.dba,
        "address": client.address,
        "naics": client.naics,
        "credentials": client.credentials or [],
    }

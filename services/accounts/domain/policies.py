"""Policy terms: recording them (keyed in, or bound through marketing), the renewal chain
expiring -> renewal, and the snapshot other services receive."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.errors import Conflict, Invalid, NotFound
from services.accounts.domain.paging import Page, page
from services.accounts.domain.snapshots import insured_of
from services.accounts.models import Client, Policy, new_id
from shared.contracts.types import CoverageSchema
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "accounts"
POLICY_STATUSES = ("in_force", "cancelled", "expired", "renewed")
RENEWABLE_STATUSES = ("in_force", "expired")


def market_key(market: dict) -> str:
    """Who issued the number: the NAIC code when known, else the carrier's name."""
    if market.get("naic_code"):
        return f"naic:{market['naic_code']}"
    return "name:" + re.sub(r"\s+", " ", market["carrier_name"]).strip().lower()


def record_policy(session: Session, actor: str, client: Client, terms: dict, *, bind_id: str | None = None,
                  bound_quote_id: str | None = None, strict_replaces: bool = True) -> Policy:
    """Record one policy term for ``client`` and emit ``accounts.policy.recorded``.

    ``terms`` has the shape of BoundPolicySchema (market, period, premium, coverages …)."""
    _check_term(terms)
    existing = same_number(session, terms)
    if existing is not None:
        raise Conflict(f"Policy number {terms['policy_number']} is already recorded for "
                       f"{terms['market']['carrier_name']}.")
    replaced = _replaced_policy(session, client, terms.get("replaces_policy_id"), strict_replaces)
    policy = _new_policy(client, terms, bind_id, bound_quote_id)
    session.add(policy)
    if replaced is not None and replaced.status in RENEWABLE_STATUSES:
        replaced.status = "renewed"
        replaced.updated_at = utcnow()
        audit(session, actor, "policy.renewed", "policy", replaced.id, renewal_policy_id=policy.id)
    session.flush()
    audit(session, actor, "policy.recorded", "policy", policy.id, policy_number=policy.policy_number,
          line_of_business=policy.line_of_business, bind_id=bind_id)
    record_event(session, SOURCE, "accounts.policy.recorded",
                 {"policy": policy_snapshot(policy), "insured": insured_of(client), "bound_quote_id": bound_quote_id},
                 subject=client.id)
    return policy


def record_bound_policies(session: Session, actor: str, client: Client, bound: dict) -> list[Policy]:
    """Record the terms of a bind (``marketing.policy.bound``); a term already recorded
    for this bind, or under the same market and number for this client, is skipped."""
    recorded = []
    for terms in bound["policies"]:
        if _bound_already(session, bound["bind_id"], terms):
            continue
        existing = same_number(session, terms)
        if existing is not None:
            if existing.client_id != client.id:
                raise Conflict(f"Policy number {terms['policy_number']} of {terms['market']['carrier_name']} "
                               f"belongs to another client.")
            continue
        recorded.append(record_policy(session, actor, client, terms, bind_id=bound["bind_id"],
                                      bound_quote_id=bound["quote_id"], strict_replaces=False))
    return recorded


def get_policy(session: Session, policy_id: str) -> Policy:
    policy = session.get(Policy, policy_id)
    if policy is None:
        raise NotFound(f"No policy {policy_id}.")
    return policy


def client_policies(session: Session, client_id: str, *, limit: int, after: list | None) -> Page[Policy]:
    statement = select(Policy).where(Policy.client_id == client_id)
    return page(session, statement, Policy.expiration_date, Policy.id, limit=limit, after=after,
                key_of=lambda p: [p.expiration_date.isoformat(), p.id], parse_sort=_iso_date)


def renewals_of(session: Session, policy_ids: list[str]) -> dict[str, str]:
    """For each expiring term among ``policy_ids``, the id of its (latest) renewal term."""
    if not policy_ids:
        return {}
    rows = session.execute(select(Policy.replaces_policy_id, Policy.id)
                           .where(Policy.replaces_policy_id.in_(policy_ids))
                           .order_by(Policy.effective_date, Policy.id))
    return {expiring: renewal for expiring, renewal in rows}


def same_number(session: Session, terms: dict) -> Policy | None:
    return session.scalar(select(Policy).where(
        Policy.market_key == market_key(terms["market"]), Policy.policy_number == terms["policy_number"]))


def policy_snapshot(policy: Policy) -> dict:
    return {
        "policy_id": policy.id, "client_id": policy.client_id, "program": policy.client.program,
        "line_of_business": policy.line_of_business, "policy_number": policy.policy_number,
        "market": {"market_id": policy.market_id, "carrier_name": policy.carrier_name,
                   "naic_code": policy.naic_code, "admitted": policy.admitted, "wholesaler": policy.wholesaler},
        "period": {"effective_date": policy.effective_date, "expiration_date": policy.expiration_date},
        "status": policy.status, "coverages": policy.coverages,
        "premium": {"amount": policy.premium_amount, "currency": policy.premium_currency},
        "replaces_policy_id": policy.replaces_policy_id,
    }


def _new_policy(client: Client, terms: dict, bind_id: str | None, bound_quote_id: str | None) -> Policy:
    market, period, premium = terms["market"], terms["period"], terms["premium"]
    now = utcnow()
    return Policy(
        id=new_id(), client=client, client_id=client.id, line_of_business=terms["line_of_business"],
        policy_number=terms["policy_number"], carrier_name=market["carrier_name"],
        naic_code=market.get("naic_code"), admitted=market.get("admitted", True),
        wholesaler=market.get("wholesaler"), market_id=market.get("market_id"), market_key=market_key(market),
        effective_date=period["effective_date"], expiration_date=period["expiration_date"],
        status=terms.get("status") or "in_force", premium_amount=Decimal(premium["amount"]),
        premium_currency=premium.get("currency", "USD"),
        coverages=CoverageSchema(many=True).dump(terms.get("coverages") or []),
        replaces_policy_id=terms.get("replaces_policy_id"), bind_id=bind_id, bound_quote_id=bound_quote_id,
        created_at=now, updated_at=now,
    )


def _check_term(terms: dict) -> None:
    period = terms["period"]
    if period["expiration_date"] <= period["effective_date"]:
        raise Invalid("The term must end after it starts.",
                      {"period": {"expiration_date": ["The term must end after it starts."]}})
    if terms.get("status", "in_force") not in POLICY_STATUSES:
        raise Invalid("Unknown policy status.", {"status": [f"One of {', '.join(POLICY_STATUSES)}."]})


def _replaced_policy(session: Session, client: Client, policy_id: str | None, strict: bool) -> Policy | None:
    if not policy_id:
        return None
    replaced = session.get(Policy, policy_id)
    ours = replaced is not None and replaced.client_id == client.id
    if strict and not ours:
        # Keyed in: the expiring term must be one of this client's (another client's
        # policy answers the same as a missing one, so nothing leaks across programs).
        raise Invalid("The expiring policy is not one of this client's.",
                      {"replaces_policy_id": [f"No policy {policy_id} for this client."]})
    if replaced is not None and not ours:
        raise Conflict(f"Policy {policy_id} belongs to another client; it cannot be renewed for this one.")
    return replaced


def _bound_already(session: Session, bind_id: str, terms: dict) -> bool:
    return session.scalar(select(Policy.id).where(
        Policy.bind_id == bind_id, Policy.line_of_business == terms["line_of_business"])) is not None


def _iso_date(value) -> date:
    return date.fromisoformat(value)

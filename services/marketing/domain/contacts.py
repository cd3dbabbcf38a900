"""Underwriter contacts at a market: who to send to and call, for which lines and states;
one may be the market's primary contact."""
from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.marketing.domain.errors import NotFound
from services.marketing.domain.markets import get_market
from services.marketing.models import UnderwriterContact
from shared.kit.audit import audit
from shared.kit.db import utcnow

FIELDS = ("name", "title", "email", "phone", "lines", "states", "is_primary", "notes")


def contacts_of(session: Session, market_id: str) -> list[UnderwriterContact]:
    get_market(session, market_id)
    return list(session.scalars(select(UnderwriterContact).where(UnderwriterContact.market_id == market_id)
                                .order_by(UnderwriterContact.is_primary.desc(), UnderwriterContact.name,
                                          UnderwriterContact.id)))


def get_contact(session: Session, market_id: str, contact_id: str) -> UnderwriterContact:
    contact = session.get(UnderwriterContact, contact_id)
    if contact is None or contact.market_id != market_id:
        raise NotFound("No such contact at this market.")
    return contact


def add_contact(session: Session, market_id: str, data: dict, actor: str) -> UnderwriterContact:
    get_market(session, market_id)
    now = utcnow()
    contact = UnderwriterContact(id=str(uuid.uuid4()), market_id=market_id, created_at=now, updated_at=now,
                                 lines=[], states=[], is_primary=False)
    _apply(session, contact, data)
    session.add(contact)
    audit(session, actor, "market.contact_added", "market", market_id, contact_id=contact.id, **_details(contact))
    return contact


def update_contact(session: Session, market_id: str, contact_id: str, changes: dict, actor: str) -> UnderwriterContact:
    contact = get_contact(session, market_id, contact_id)
    _apply(session, contact, changes)
    audit(session, actor, "market.contact_updated", "market", market_id, contact_id=contact.id,
          changed=sorted(changes), **_details(contact))
    return contact


def remove_contact(session: Session, market_id: str, contact_id: str, actor: str) -> None:
    contact = get_contact(session, market_id, contact_id)
    session.delete(contact)
    audit(session, actor, "market.contact_removed", "market", market_id, contact_id=contact.id, name=contact.name)


def _apply(session: Session, contact: UnderwriterContact, data: dict) -> None:
    for name in FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    if data.get("is_primary"):
        # One primary contact per market.
        session.execute(update(UnderwriterContact).where(UnderwriterContact.market_id == contact.market_id,
                                                          UnderwriterContact.id != contact.id)
                        .values(is_primary=False))
    contact.updated_at = utcnow()


def _details(contact: UnderwriterContact) -> dict:
    return {name: getattr(contact, name) for name in FIELDS}

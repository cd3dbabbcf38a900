"""The markets the agency places business with: create, change, import."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.errors import Conflict, Invalid, NotFound
from services.marketing.domain.intake import to_json
from services.marketing.models import Market, ReachableCarrier
from shared.kit.audit import audit
from shared.kit.db import utcnow

FIELDS = ("name", "kind", "carrier_name", "naic_code", "admitted", "am_best_rating", "channel",
          "broker_user", "email", "appetite", "commission_percent", "active", "appointment_status",
          "appointment_effective_date")


def get_market(session: Session, market_id: str) -> Market:
    market = session.get(Market, market_id)
    if market is None:
        raise NotFound(f"No market {market_id!r}.")
    return market


def create_market(session: Session, data: dict, actor: str) -> Market:
    if session.get(Market, data["id"]) is not None:
        raise Conflict(f"Market {data['id']!r} already exists.")
    market = Market(id=data["id"], created_at=utcnow())
    _apply(session, market, data)
    session.add(market)
    audit(session, actor, "market.created", "market", market.id, **to_json(data))
    return market


def update_market(session: Session, market_id: str, changes: dict, actor: str) -> Market:
    market = get_market(session, market_id)
    _apply(session, market, {**_current(market), **changes})
    audit(session, actor, "market.updated", "market", market.id, **to_json(changes))
    return market


def upsert_market(session: Session, data: dict, actor: str) -> tuple[Market, bool]:
    """Create or replace a market by id (bulk import).  Returns (market, created)."""
    market = session.get(Market, data["id"])
    if market is None:
        return create_market(session, data, actor), True
    _apply(session, market, {**_current(market), **data})
    audit(session, actor, "market.imported", "market", market.id, **to_json(data))
    return market, False


def _current(market: Market) -> dict:
    return {name: getattr(market, name) for name in FIELDS}


def _apply(session: Session, market: Market, data: dict) -> None:
    check_channel(data)
    if data.get("kind") == "carrier" and market.kind == "wholesaler" and session.scalar(
            select(ReachableCarrier.id).where(ReachableCarrier.market_id == market.id).limit(1)) is not None:
        raise Conflict(f"Market {market.id!r} reaches other carriers; remove them before making it a carrier.")
    broker_user = data.get("broker_user")
    if broker_user:
        holder = session.scalar(select(Market.id).where(Market.broker_user == broker_user, Market.id != market.id))
        if holder is not None:
            raise Conflict(f"Broker user {broker_user!r} already publishes for market {holder!r}.")
    for name in FIELDS:
        if name in data:
            value = data[name]
            setattr(market, name, to_json(value) if name == "appetite" else value)
    market.updated_at = utcnow()


def check_channel(data: dict) -> None:
    """A queue market needs the broker user it publishes as; an email market an address."""
    if data.get("channel") == "queue" and not data.get("broker_user"):
        raise Invalid("A market on the queue channel needs its broker_user.")
    if data.get("channel") == "email" and not data.get("email"):
        raise Invalid("A market on the email channel needs its email address.")

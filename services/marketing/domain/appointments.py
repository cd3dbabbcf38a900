"""The agency's appointment with each market, and the carriers a wholesaler or MGA
reaches.

A market the agency is not appointed with (``not_appointed``, or ``terminated`` by the
submission's effective date) cannot go on a submission's list directly: the business is
reached through a wholesaler whose list of reachable carriers names it (by NAIC code, or
by name when either side has no NAIC code).  ``pending`` appointments may be chosen; the
ranking says the appointment is still pending.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.errors import Conflict, Invalid, NotFound
from services.marketing.domain.intake import to_json
from services.marketing.models import Market, ReachableCarrier
from shared.kit.audit import audit
from shared.kit.db import utcnow

APPOINTMENT_STATUSES = ("appointed", "pending", "terminated", "not_appointed")
REACH_FIELDS = ("carrier_name", "naic_code", "admitted", "lines")


@dataclass(frozen=True)
class Standing:
    can_place: bool
    detail: str


def standing(market: Market, on: date | None) -> Standing:
    """Whether the agency may place business directly with ``market`` for a term starting ``on``."""
    status = market.appointment_status or "appointed"
    since = market.appointment_effective_date
    if status == "appointed":
        if since is not None and on is not None and since > on:
            return Standing(True, f"Appointed from {since.isoformat()}, after the effective date {on.isoformat()}.")
        return Standing(True, "Appointed" + (f" since {since.isoformat()}." if since else "."))
    if status == "pending":
        return Standing(True, "Appointment pending" + (f" (applied {since.isoformat()})." if since else "."))
    if status == "terminated":
        if since is not None and on is not None and since > on:
            return Standing(True, f"Appointment terminates on {since.isoformat()}, after the effective date.")
        return Standing(False, "The agency's appointment was terminated" +
                        (f" on {since.isoformat()}." if since else "."))
    return Standing(False, "The agency is not appointed with this market.")


def matches(carrier: ReachableCarrier, market: Market) -> bool:
    if carrier.naic_code and market.naic_code:
        return carrier.naic_code == market.naic_code
    return carrier.carrier_name.casefold() in {market.carrier_name.casefold(), market.name.casefold()}


def reachers(session: Session, market: Market) -> list[Market]:
    """The active wholesalers/MGAs (other than ``market``) that reach ``market``'s carrier."""
    rows = session.execute(select(ReachableCarrier, Market).join(Market, Market.id == ReachableCarrier.market_id)
                           .where(Market.active.is_(True), Market.id != market.id).order_by(Market.id))
    found: dict[str, Market] = {}
    for carrier, wholesaler in rows:
        if matches(carrier, market):
            found[wholesaler.id] = wholesaler
    return list(found.values())


def check_appointed(session: Session, markets: list[Market], on: date | None) -> None:
    """Refuse markets the agency may not place with directly, naming the way round."""
    refused = []
    for market in markets:
        status = standing(market, on)
        if status.can_place:
            continue
        through = reachers(session, market)
        way = (f"reach it through {', '.join(f'{w.name} ({w.id})' for w in through)}" if through else
               "no wholesaler on the book reaches it")
        refused.append(f"{market.id}: {status.detail} Choose a wholesaler instead; {way}.")
    if refused:
        raise Conflict("Not appointed, so not a market for this submission: " + " ".join(refused))


def reach_for_lines(carriers: list[ReachableCarrier], lines: list[str] | tuple[str, ...]) -> list[dict]:
    """The reachable carriers that write at least one of ``lines`` (no lines = every line)."""
    return [reach_view(c) for c in carriers if not c.lines or any(line in c.lines for line in lines)]


def reach_view(carrier: ReachableCarrier) -> dict:
    return {"id": carrier.id, "market_id": carrier.market_id, "carrier_name": carrier.carrier_name,
            "naic_code": carrier.naic_code, "admitted": carrier.admitted, "lines": list(carrier.lines or []),
            "created_at": carrier.created_at, "updated_at": carrier.updated_at}


# -- the carriers a wholesaler reaches (CRUD) --------------------------------------------

def reachable(session: Session, market_id: str) -> list[ReachableCarrier]:
    return list(session.scalars(select(ReachableCarrier).where(ReachableCarrier.market_id == market_id)
                                .order_by(ReachableCarrier.carrier_name, ReachableCarrier.id)))


def get_reach(session: Session, market_id: str, carrier_id: int) -> ReachableCarrier:
    carrier = session.get(ReachableCarrier, carrier_id)
    if carrier is None or carrier.market_id != market_id:
        raise NotFound(f"Market {market_id!r} has no reachable carrier {carrier_id}.")
    return carrier


def add_reach(session: Session, market: Market, data: dict, actor: str) -> ReachableCarrier:
    if market.kind != "wholesaler":
        raise Conflict(f"Market {market.id!r} is a carrier; only a wholesaler or MGA reaches other carriers.")
    _check_unique(session, market.id, data["carrier_name"], None)
    now = utcnow()
    carrier = ReachableCarrier(market_id=market.id, created_at=now, updated_at=now,
                               **{name: data.get(name) for name in REACH_FIELDS})
    carrier.lines = list(carrier.lines or [])
    carrier.admitted = bool(carrier.admitted)
    session.add(carrier)
    session.flush()
    audit(session, actor, "market.reach_added", "market", market.id, carrier_id=carrier.id, **to_json(data))
    return carrier


def update_reach(session: Session, carrier: ReachableCarrier, changes: dict, actor: str) -> ReachableCarrier:
    if "carrier_name" in changes:
        _check_unique(session, carrier.market_id, changes["carrier_name"], carrier.id)
    for name in REACH_FIELDS:
        if name in changes:
            setattr(carrier, name, list(changes[name] or []) if name == "lines" else changes[name])
    carrier.updated_at = utcnow()
    audit(session, actor, "market.reach_updated", "market", carrier.market_id, carrier_id=carrier.id,
          **to_json(changes))
    return carrier


def remove_reach(session: Session, carrier: ReachableCarrier, actor: str) -> None:
    session.delete(carrier)
    audit(session, actor, "market.reach_removed", "market", carrier.market_id, carrier_id=carrier.id,
          carrier_name=carrier.carrier_name)


def _check_unique(session: Session, market_id: str, name: str, own_id: int | None) -> None:
    if not name.strip():
        raise Invalid("A reachable carrier needs its name.")
    for other in reachable(session, market_id):
        if other.id != own_id and other.carrier_name.casefold() == name.casefold():
            raise Conflict(f"Market {market_id!r} already reaches {other.carrier_name!r} (id {other.id}).")

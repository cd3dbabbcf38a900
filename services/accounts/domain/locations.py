"""A client's premises, numbered as applications and schedules number them (1, 2, 3 …,
unique per client), with occupancy, insured values and head count.  At most one is the
primary location and one the mailing location.  Every change is audited and announced
in ``accounts.client.updated`` (the snapshot lists the locations)."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.accounts.domain.client_parts import part_added, part_changed, part_removed
from services.accounts.domain.errors import Conflict, Invalid, NotFound
from services.accounts.domain.paging import Page, page
from services.accounts.domain.snapshots import ADDRESS_COLUMNS, VALUE_COLUMNS, location_snapshot
from services.accounts.models import Client, Location, new_id
from shared.kit.db import utcnow

MAX_LOCATION_NUMBER = 9999
# The flag given in the API -> the column; at most one location per client has each set.
FLAGS = {"primary": "is_primary", "mailing": "is_mailing"}


def add_location(session: Session, actor: str, client: Client, fields: dict) -> Location:
    number = fields.get("number") or _next_number(session, client.id)
    _check_number_free(session, client.id, number)
    now = utcnow()
    location = Location(id=new_id(), client_id=client.id, number=number, created_at=now, updated_at=now,
                        is_primary=False, is_mailing=False, values_currency="USD")
    _apply(location, fields)
    session.add(location)
    flags = {flag: fields.get(flag) for flag in FLAGS}
    if flags["primary"] is None:  # the first location is the primary one unless said otherwise
        flags["primary"] = _count(session, client.id) == 1
    for flag, wanted in flags.items():
        if wanted:
            _set_flag(session, location, flag)
    part_added(session, actor, client, "location", location, _audited(location))
    return location


def change_location(session: Session, actor: str, client: Client, location: Location, changes: dict) -> list[str]:
    """Apply ``changes`` (``address`` and ``values`` each replace the whole); returns the
    names of the fields that changed."""
    before = _audited(location)
    if changes.get("number") is not None and changes["number"] != location.number:
        _check_number_free(session, client.id, changes["number"])
        location.number = changes["number"]
    _apply(location, changes)
    for flag, column in FLAGS.items():
        if changes.get(flag) is True and not getattr(location, column):
            _set_flag(session, location, flag)
        elif changes.get(flag) is False:
            setattr(location, column, False)
    return part_changed(session, actor, client, "location", location, before, _audited(location))


def remove_location(session: Session, actor: str, client: Client, location: Location) -> None:
    part_removed(session, actor, client, "location", location, _audited(location))


def get_location(session: Session, client: Client, location_id: str) -> Location:
    location = session.get(Location, location_id)
    if location is None or location.client_id != client.id:
        raise NotFound(f"No location {location_id} at this client.")
    return location


def find_locations(session: Session, client_id: str, *, limit: int, after: list | None) -> Page[Location]:
    """The client's locations by number."""
    return page(session, select(Location).where(Location.client_id == client_id), Location.number, Location.id,
                limit=limit, after=after, key_of=lambda loc: [loc.number, loc.id], parse_sort=int)


# -- applying input ---------------------------------------------------------------------

def _apply(location: Location, fields: dict) -> None:
    if "address" in fields:
        for key, column in ADDRESS_COLUMNS.items():
            setattr(location, column, fields["address"].get(key))
    for name in ("description", "occupancy"):
        if name in fields:
            setattr(location, name, (fields[name] or "").strip() or None)
    if "employee_count" in fields:
        location.employee_count = fields["employee_count"]
    if "values" in fields:
        _apply_values(location, fields["values"] or {})


def _apply_values(location: Location, values: dict) -> None:
    given = {key: money for key, money in values.items() if money is not None}
    currencies = {money["currency"] for money in given.values()}
    if len(currencies) > 1:
        raise Invalid("A location's values are all in one currency.",
                      {"values": {key: [f"In {', '.join(sorted(currencies))}: give every value in one currency."]
                                  for key in given}})
    location.values_currency = currencies.pop() if currencies else "USD"
    for key, column in VALUE_COLUMNS.items():
        setattr(location, column, given[key]["amount"] if key in given else None)


def _set_flag(session: Session, location: Location, flag: str) -> None:
    # Clear it elsewhere first: the database allows one per client at any moment.
    column = getattr(Location, FLAGS[flag])
    session.execute(update(Location).where(Location.client_id == location.client_id, Location.id != location.id,
                                           column.is_(True))
                    .values({FLAGS[flag]: False}).execution_options(synchronize_session="fetch"))
    setattr(location, FLAGS[flag], True)


def _next_number(session: Session, client_id: str) -> int:
    highest = session.scalar(select(func.max(Location.number)).where(Location.client_id == client_id)) or 0
    if highest >= MAX_LOCATION_NUMBER:
        raise Invalid("Every location number is taken.", {"number": ["Give a free location number."]})
    return highest + 1


def _check_number_free(session: Session, client_id: str, number: int) -> None:
    taken = session.scalar(select(Location.id).where(Location.client_id == client_id, Location.number == number))
    if taken is not None:
        raise Conflict(f"Location {number} is already recorded for this client.")


def _count(session: Session, client_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Location).where(Location.client_id == client_id))


def _audited(location: Location) -> dict:
    snapshot = location_snapshot(location)
    snapshot.pop("location_id")
    snapshot["values"] = {k: v and {"amount": str(v["amount"]), "currency": v["currency"]}
                          for k, v in snapshot["values"].items()}
    return snapshot


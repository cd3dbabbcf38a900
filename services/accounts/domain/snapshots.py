"""The client as other services receive it: the snapshot in ``accounts.client.*`` events
(with its contacts and locations) and the insured in policy events."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from services.accounts.models import Client, Contact, Location
from shared.kit.outbox import record_event

SOURCE = "accounts"
ADDRESS_COLUMNS = {"line1": "address_line1", "line2": "address_line2", "city": "city", "state": "state",
                   "postal_code": "postal_code", "country": "country"}
# A location's insured values: the key in its ``values`` -> the column.
VALUE_COLUMNS = {"building": "building_value", "contents": "contents_value",
                 "business_income": "business_income_value"}


def client_snapshot(client: Client) -> dict:
    return {
        "client_id": client.id, "program": client.program, "name": client.name, "dba": client.dba,
        "entity_type": client.entity_type, "status": client.status, "naics": client.naics, "sic": client.sic,
        "address": address_of(client), "account_manager": client.account_manager,
        "producer": client.producer, "credentials": credentials_of(client),
        "classifications": classifications_of(client),
        "contacts": [contact_snapshot(c) for c in client.contacts],
        "locations": [location_snapshot(loc) for loc in client.locations],
    }


def announce_update(session: Session, client: Client, changed: list[str]) -> None:
    """Emit accounts.client.updated with the whole snapshot, as it now stands, naming what
    ``changed`` (e.g. ["contacts"])."""
    session.flush()
    session.refresh(client, ["contacts", "locations"])
    record_event(session, SOURCE, "accounts.client.updated", client_snapshot(client) | {"changed": changed},
                 subject=client.id)


def insured_of(client: Client) -> dict:
    """The client as another service needs it to act for it (InsuredSchema)."""
    return {
        "client_id": client.id, "program": client.program, "name": client.name, "dba": client.dba,
        "address": address_of(client), "naics": client.naics, "credentials": credentials_of(client),
    }


def address_of(row: Client | Location) -> dict | None:
    if row.address_line1 is None:
        return None
    return {key: getattr(row, column) for key, column in ADDRESS_COLUMNS.items()}


def credentials_of(client: Client) -> list[dict]:
    """The credentials as the shared CredentialSchema has them (kind, number, expires_on)."""
    return [{"kind": c.kind, "number": c.number, "expires_on": c.expires_on}
            for c in sorted(client.credentials, key=lambda c: (c.kind, c.number))]


def classifications_of(client: Client) -> list[dict]:
    """The classifications of each credential that has them (a CSLB licence's B, C-10 …),
    beside the credentials so the shared credential shape stays as every consumer knows it."""
    return [{"kind": c.kind, "number": c.number, "codes": list(c.classifications)}
            for c in sorted(client.credentials, key=lambda c: (c.kind, c.number)) if c.classifications]


def contact_snapshot(contact: Contact) -> dict:
    """A contact as events carry it (internal notes stay in accounts)."""
    return {"contact_id": contact.id, "name": contact.name, "title": contact.title, "roles": list(contact.roles),
            "email": contact.email, "phone": contact.phone, "preferred_channel": contact.preferred_channel,
            "primary": contact.is_primary}


def location_snapshot(location: Location) -> dict:
    return {"location_id": location.id, "number": location.number, "address": address_of(location),
            "description": location.description, "occupancy": location.occupancy,
            "values": values_of(location), "employee_count": location.employee_count,
            "primary": location.is_primary, "mailing": location.is_mailing}


def values_of(location: Location) -> dict:
    return {key: _money(getattr(location, column), location.values_currency) for key, column in VALUE_COLUMNS.items()}


def _money(amount: Decimal | None, currency: str) -> dict | None:
    return None if amount is None else {"amount": amount, "currency": currency}

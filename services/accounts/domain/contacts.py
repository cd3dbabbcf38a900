"""The people at a client: their roles, how to reach them and how they like to be reached.
At most one is the primary contact.  Every change is audited and announced in
``accounts.client.updated`` (the snapshot lists the contacts)."""
from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.accounts.domain.client_parts import part_added, part_changed, part_removed
from services.accounts.domain.errors import Invalid, NotFound
from services.accounts.domain.paging import Page, page
from services.accounts.domain.snapshots import contact_snapshot
from services.accounts.models import Client, Contact, new_id
from shared.kit.db import utcnow

CONTACT_ROLES = ("owner", "officer", "safety_manager", "risk_manager", "operations", "human_resources", "billing",
                 "claims", "certificate_holder_contact", "other")
CHANNELS = ("email", "phone", "mail", "text")
# The channel -> the detail it needs.
CHANNEL_NEEDS = {"email": "email", "phone": "phone", "text": "phone"}
EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*([0-9]{1,6})\s*$", re.IGNORECASE | re.ASCII)
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().\-/]+$")


def add_contact(session: Session, actor: str, client: Client, fields: dict) -> Contact:
    now = utcnow()
    contact = Contact(id=new_id(), client_id=client.id, created_at=now, updated_at=now, is_primary=False,
                      roles=[])
    _apply(contact, {"roles": [], **fields})
    session.add(contact)
    primary = fields.get("primary")
    if primary is None:  # the first contact is the primary one unless said otherwise
        primary = _primary_of(session, client.id) is None
    if primary:
        _make_primary(session, contact)
    part_added(session, actor, client, "contact", contact, _audited(contact))
    return contact


def change_contact(session: Session, actor: str, client: Client, contact: Contact, changes: dict) -> list[str]:
    """Apply ``changes``; returns the names of the fields that changed."""
    before = _audited(contact)
    _apply(contact, changes)
    if changes.get("primary") is True and not contact.is_primary:
        _make_primary(session, contact)
    elif changes.get("primary") is False:
        contact.is_primary = False
    return part_changed(session, actor, client, "contact", contact, before, _audited(contact))


def remove_contact(session: Session, actor: str, client: Client, contact: Contact) -> None:
    """Remove a contact (the audit log keeps who they were)."""
    part_removed(session, actor, client, "contact", contact, _audited(contact))


def get_contact(session: Session, client: Client, contact_id: str) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.client_id != client.id:
        raise NotFound(f"No contact {contact_id} at this client.")
    return contact


def find_contacts(session: Session, client_id: str, *, limit: int, after: list | None) -> Page[Contact]:
    """The client's contacts by name."""
    return page(session, select(Contact).where(Contact.client_id == client_id), Contact.name, Contact.id,
                limit=limit, after=after, key_of=lambda c: [c.name, c.id])


def normalise_phone(raw: str) -> str:
    """A North American number as (916) 555-0142, an international one as +<digits>, each
    with its extension (x12); ValueError when it is not a phone number."""
    text = raw.strip()
    extension = EXTENSION.search(text)
    if extension:
        text = text[:extension.start()]
    if not PHONE_CHARACTERS.match(text):
        raise ValueError("Digits, spaces and ( ) - . only, with an optional leading + and extension (x123).")
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("+") and not digits.startswith("1"):
        if not 8 <= len(digits) <= 15:
            raise ValueError("An international number has 8 to 15 digits after the +.")
        number = "+" + digits
    else:
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
            raise ValueError("A North American number has ten digits: area code, exchange and line.")
        number = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number + (f" x{extension.group(1)}" if extension else "")


# -- applying input ---------------------------------------------------------------------

def _apply(contact: Contact, fields: dict) -> None:
    errors: dict = {}
    for name in ("name", "title", "preferred_channel", "notes"):
        if name in fields:
            value = fields[name].strip() if isinstance(fields[name], str) else fields[name]
            setattr(contact, name, value if value or name == "name" else None)
    if not contact.name:
        errors["name"] = ["A contact needs a name."]
    if "roles" in fields:
        contact.roles = list(dict.fromkeys(fields["roles"]))  # each once, in the order given
    if "email" in fields:
        contact.email = _normalise_email(fields["email"])
    if "phone" in fields:
        try:
            contact.phone = normalise_phone(fields["phone"]) if fields["phone"] else None
        except ValueError as exc:
            errors["phone"] = [str(exc)]
    need = CHANNEL_NEEDS.get(contact.preferred_channel)
    if need and not errors.get(need) and getattr(contact, need) is None:
        errors["preferred_channel"] = [f"Reaching them by {contact.preferred_channel} needs their {need}."]
    if errors:
        raise Invalid("The contact did not pass validation.", errors)


def _normalise_email(raw: str | None) -> str | None:
    if not raw:
        return None
    local, _, domain = raw.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def _make_primary(session: Session, contact: Contact) -> None:
    # Clear the old primary first: the database allows one per client at any moment.
    session.execute(update(Contact).where(Contact.client_id == contact.client_id, Contact.id != contact.id,
                                          Contact.is_primary.is_(True))
                    .values(is_primary=False).execution_options(synchronize_session="fetch"))
    contact.is_primary = True


def _primary_of(session: Session, client_id: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.client_id == client_id, Contact.is_primary.is_(True)))


def _audited(contact: Contact) -> dict:
    snapshot = contact_snapshot(contact)
    snapshot.pop("contact_id")
    return snapshot | {"notes": contact.notes}


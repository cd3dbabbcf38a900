"""The communication log: notes, calls and emails on an account (and optionally a policy).
Entries are never changed or removed; a correction is a new entry that names the one it
corrects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.accounts.domain.attachments import AttachmentStore
from services.accounts.domain.email_import import ParsedEmail
from services.accounts.domain.errors import Conflict, Invalid, NotFound
from services.accounts.domain.paging import Page, page
from services.accounts.models import Client, Communication, CommunicationAttachment, Policy, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow

KINDS = ("note", "call", "email")
DIRECTIONS = ("inbound", "outbound", "internal")


@dataclass
class CommunicationFilter:
    client_id: str
    text: str | None = None
    since: date | None = None
    until: date | None = None
    author: str | None = None
    kind: str | None = None
    policy_id: str | None = None


def log_communication(session: Session, actor: str, client: Client, fields: dict) -> Communication:
    """Add an entry; ``fields``: kind, subject, body and optionally direction, contact,
    occurred_at, policy_id, corrects_id, sender, recipients."""
    _check_policy(session, client, fields.get("policy_id"))
    corrected = _corrected(session, client, fields.get("corrects_id"))
    entry = Communication(
        id=new_id(), client_id=client.id, policy_id=fields.get("policy_id"), kind=fields["kind"],
        direction=fields.get("direction"), subject=fields["subject"], body=fields["body"],
        contact=fields.get("contact"), sender=fields.get("sender"), recipients=list(fields.get("recipients") or []),
        message_id=fields.get("message_id"), author=actor, occurred_at=fields.get("occurred_at") or utcnow(),
        corrects_id=corrected.id if corrected else None, created_at=utcnow())
    session.add(entry)
    session.flush()
    audit(session, actor, "communication.logged", "communication", entry.id, client_id=client.id, kind=entry.kind,
          corrects_id=entry.corrects_id)
    return entry


def import_email(session: Session, actor: str, client: Client, parsed: ParsedEmail, store: AttachmentStore, *,
                 policy_id: str | None = None, direction: str | None = None) -> Communication:
    """Log an imported email with its attachments (stored first; the entry links them)."""
    if parsed.message_id and session.scalar(select(Communication.id).where(
            Communication.client_id == client.id, Communication.message_id == parsed.message_id)):
        raise Conflict(f"The email {parsed.message_id} is already in this account's log.")
    entry = log_communication(session, actor, client, {
        "kind": "email", "direction": direction, "subject": parsed.subject, "body": parsed.body,
        "sender": parsed.sender, "recipients": parsed.recipients, "occurred_at": parsed.occurred_at,
        "message_id": parsed.message_id, "policy_id": policy_id})
    for position, (filename, media_type, content) in enumerate(parsed.attachments, start=1):
        digest = store.put(content)
        session.add(CommunicationAttachment(id=new_id(), communication_id=entry.id, position=position,
                                            filename=filename, media_type=media_type[:200],
                                            size_bytes=len(content), sha256=digest))
    session.flush()
    session.refresh(entry, ["attachments"])
    audit(session, actor, "communication.email_imported", "communication", entry.id, message_id=parsed.message_id,
          attachments=[a.sha256 for a in entry.attachments])
    return entry


def get_communication(session: Session, communication_id: str) -> tuple[Communication, Client]:
    row = session.execute(select(Communication, Client).join(Client, Client.id == Communication.client_id)
                          .where(Communication.id == communication_id)).first()
    if row is None:
        raise NotFound(f"No communication {communication_id}.")
    return row[0], row[1]


def attachment(entry: Communication, position: int) -> CommunicationAttachment:
    for item in entry.attachments:
        if item.position == position:
            return item
    raise NotFound(f"The communication has no attachment {position}.")


def find_communications(session: Session, where: CommunicationFilter, *, limit: int,
                        after: list | None) -> Page[Communication]:
    """Newest first."""
    statement = select(Communication).where(Communication.client_id == where.client_id)
    if where.text:
        pattern = "%" + where.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(func.lower(Communication.subject).like(pattern, escape="\\"),
                                        func.lower(Communication.body).like(pattern, escape="\\")))
    if where.since:
        statement = statement.where(Communication.occurred_at >= _start_of(where.since))
    if where.until:
        statement = statement.where(Communication.occurred_at < _start_of(where.until + timedelta(days=1)))
    if where.author:
        statement = statement.where(Communication.author == where.author)
    if where.kind:
        statement = statement.where(Communication.kind == where.kind)
    if where.policy_id:
        statement = statement.where(Communication.policy_id == where.policy_id)
    return page(session, statement, Communication.occurred_at, Communication.id, limit=limit, after=after,
                key_of=lambda c: [c.occurred_at.isoformat(), c.id], parse_sort=_aware, descending=True)


def corrections_of(session: Session, ids: list[str]) -> dict[str, list[str]]:
    """For each entry id, the ids of the entries correcting it (oldest first)."""
    found: dict[str, list[str]] = {}
    if ids:
        rows = session.execute(select(Communication.corrects_id, Communication.id)
                               .where(Communication.corrects_id.in_(ids)).order_by(Communication.created_at))
        for corrected, correction in rows:
            found.setdefault(corrected, []).append(correction)
    return found


def _check_policy(session: Session, client: Client, policy_id: str | None) -> None:
    if policy_id is None:
        return
    policy = session.get(Policy, policy_id)
    if policy is None or policy.client_id != client.id:
        raise Invalid("The policy is not one of this client's.", {"policy_id": ["Not a policy of this client."]})


def _corrected(session: Session, client: Client, corrects_id: str | None) -> Communication | None:
    if corrects_id is None:
        return None
    corrected = session.get(Communication, corrects_id)
    if corrected is None or corrected.client_id != client.id:
        raise Invalid("Only an entry of this account's log can be corrected.",
                      {"corrects_id": ["No such entry in this account's log."]})
    return corrected


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("naive time in cursor")
    return value

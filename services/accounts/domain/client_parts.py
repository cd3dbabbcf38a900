"""How a change to one of a client's parts (a contact, a location) ends: an audit entry
naming the part (``contact.added``, ``location.changed`` …, with only the fields that
changed), and the client touched and announced in ``accounts.client.updated`` (its
snapshot lists the parts)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.domain.snapshots import announce_update
from services.accounts.models import Client
from shared.kit.audit import audit
from shared.kit.db import utcnow


def part_added(session: Session, actor: str, client: Client, kind: str, part, audited: dict) -> None:
    session.flush()
    audit(session, actor, f"{kind}.added", "client", client.id, **{f"{kind}_id": part.id}, **audited)
    _touch(session, client, kind)


def part_changed(session: Session, actor: str, client: Client, kind: str, part, before: dict,
                 after: dict) -> list[str]:
    """The names of the fields that differ between the ``before`` and ``after`` audit
    views of ``part``; when any does, the part's update time, the audit entry and the
    announcement."""
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        part.updated_at = utcnow()
        session.flush()
        audit(session, actor, f"{kind}.changed", "client", client.id, **{f"{kind}_id": part.id}, changed=changed,
              **{k: after[k] for k in changed})
        _touch(session, client, kind)
    return changed


def part_removed(session: Session, actor: str, client: Client, kind: str, part, audited: dict) -> None:
    """Delete ``part``; the audit log keeps what it was."""
    audit(session, actor, f"{kind}.removed", "client", client.id, **{f"{kind}_id": part.id}, **audited)
    session.delete(part)
    _touch(session, client, kind)


def _touch(session: Session, client: Client, kind: str) -> None:
    client.updated_at = utcnow()
    announce_update(session, client, [f"{kind}s"])

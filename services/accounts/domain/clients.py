"""Clients and prospects: registering, updating and finding them (the snapshots other
services receive are in :mod:`services.accounts.domain.snapshots`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from services.accounts.domain.checklists import start_checklist
from services.accounts.domain.credentials import (
    classification_problems, expiry_problem, format_problem, normalise_number,
)
from services.accounts.domain.errors import Invalid, NotFound
from services.accounts.domain.fein import fein_problem, normalise_fein
from services.accounts.domain.paging import Page, page, page_union
from services.accounts.domain.snapshots import ADDRESS_COLUMNS, SOURCE, client_snapshot
from services.accounts.models import Client, Credential, Policy, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

CLIENT_STATUSES = ("prospect", "client", "former")
SCALAR_FIELDS = ("program", "name", "dba", "entity_type", "naics", "sic", "status", "account_manager", "producer",
                 "assistant")


@dataclass
class ClientFilter:
    programs: frozenset[str] | None = None  # None: every program
    name: str | None = None  # name prefix
    dba: str | None = None  # DBA prefix
    name_or_dba: str | None = None  # prefix of either (one search box)
    credential_number: str | None = None
    policy_number: str | None = None
    fein: str | None = None
    naics: str | None = None  # a code or its prefix (48 -> every transportation code)
    sic: str | None = None  # likewise
    status: str | None = None
    account_manager: str | None = None
    producer: str | None = None
    assistant: str | None = None
    team_member: str | None = None  # account manager, producer or assistant
    program: str | None = None


def register_client(session: Session, actor: str, fields: dict) -> Client:
    client = Client(id=new_id(), created_at=utcnow(), updated_at=utcnow(), status="prospect")
    _apply(client, fields)
    session.add(client)
    session.flush()
    audit(session, actor, "client.registered", "client", client.id, name=client.name, program=client.program)
    record_event(session, SOURCE, "accounts.client.registered", client_snapshot(client), subject=client.id)
    start_checklist(session, actor, client, "new_account")
    return client


def update_client(session: Session, actor: str, client: Client, changes: dict) -> list[str]:
    """Apply ``changes``; returns the names of the fields that actually changed."""
    before = client_snapshot(client) | {"fein": client.fein, "assistant": client.assistant}
    _apply(client, changes)
    after = client_snapshot(client) | {"fein": client.fein, "assistant": client.assistant}
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        client.updated_at = utcnow()
        session.flush()
        audit(session, actor, "client.updated", "client", client.id, changed=changed)
        record_event(session, SOURCE, "accounts.client.updated", client_snapshot(client) | {"changed": changed},
                     subject=client.id)
    return changed


def get_client(session: Session, client_id: str, *, with_parts: bool = False) -> Client:
    """The client; ``with_parts`` also loads its contacts and locations (one query each)."""
    # One round trip for the account, its credentials and its policies (a handful each).
    options = [joinedload(Client.credentials), joinedload(Client.policies)]
    if with_parts:
        options += [selectinload(Client.contacts), selectinload(Client.locations)]
    client = session.get(Client, client_id, options=options)
    if client is None:
        raise NotFound(f"No client {client_id}.")
    return client


def find_clients(session: Session, where: ClientFilter, *, limit: int, after: list | None) -> Page[Client]:
    """Clients by name (keyset on (name_key, id)).  ``name_or_dba`` reads the name index
    and the DBA index each in name order and merges them."""
    statement = select(Client)
    if where.programs is not None:
        statement = statement.where(Client.program.in_(sorted(where.programs)))
    if where.program:
        statement = statement.where(Client.program == where.program)
    if where.name:
        statement = statement.where(Client.name_key.like(_like_prefix(where.name.lower()), escape="\\"))
    if where.dba:
        statement = statement.where(Client.dba_key.like(_like_prefix(where.dba.strip().lower()), escape="\\"))
    if where.credential_number:
        statement = statement.where(exists().where(
            Credential.client_id == Client.id, Credential.number == normalise_number(where.credential_number)))
    if where.policy_number:
        statement = statement.where(exists().where(
            Policy.client_id == Client.id, Policy.policy_number == where.policy_number.strip()))
    if where.fein:
        statement = statement.where(Client.fein == normalise_fein(where.fein))
    if where.naics:
        statement = statement.where(Client.naics.like(_like_prefix(where.naics), escape="\\"))
    if where.sic:
        statement = statement.where(Client.sic.like(_like_prefix(where.sic), escape="\\"))
    if where.status:
        statement = statement.where(Client.status == where.status)
    if where.account_manager:
        statement = statement.where(Client.account_manager == where.account_manager)
    if where.producer:
        statement = statement.where(Client.producer == where.producer)
    if where.assistant:
        statement = statement.where(Client.assistant == where.assistant)
    if where.team_member:
        statement = statement.where(or_(Client.account_manager == where.team_member,
                                        Client.producer == where.team_member,
                                        Client.assistant == where.team_member))
    order = dict(limit=limit, after=after, key_of=lambda c: [c.name_key, c.id])
    if where.name_or_dba:
        prefix = _like_prefix(where.name_or_dba.strip().lower())
        found = page_union(session, Client, [statement.where(Client.name_key.like(prefix, escape="\\")),
                                             statement.where(Client.dba_key.like(prefix, escape="\\"))],
                           Client.name_key, Client.id, **order)
    else:
        found = page(session, statement, Client.name_key, Client.id, **order)
    _load_credentials(session, found.items)
    return found


def _load_credentials(session: Session, clients: list[Client]) -> None:
    """Every listed client's credentials in one query (as selectinload would, for a page
    that may come from a union)."""
    if not clients:
        return
    found: dict[str, list[Credential]] = {c.id: [] for c in clients}
    for credential in session.scalars(select(Credential).where(Credential.client_id.in_(list(found)))
                                      .order_by(Credential.kind, Credential.number)):
        found[credential.client_id].append(credential)
    for client in clients:
        set_committed_value(client, "credentials", found[client.id])


# -- applying input ---------------------------------------------------------------------

def _apply(client: Client, fields: dict) -> None:
    errors: dict = {}
    for name in SCALAR_FIELDS:
        if name in fields:
            setattr(client, name, fields[name])
    if client.status not in CLIENT_STATUSES:
        errors["status"] = [f"One of {', '.join(CLIENT_STATUSES)}."]
    if "name" in fields:
        client.name_key = client.name.strip().lower()
    if "dba" in fields:
        client.dba_key = (client.dba or "").strip().lower() or None
    if "fein" in fields:
        _apply_fein(client, fields["fein"], errors)
    if "address" in fields:
        address = fields["address"] or {}
        for key, column in ADDRESS_COLUMNS.items():
            setattr(client, column, address.get(key))
    if "credentials" in fields:
        _apply_credentials(client, fields["credentials"], errors)
    if errors:
        raise Invalid("The client did not pass validation.", errors)


def _apply_fein(client: Client, raw: str | None, errors: dict) -> None:
    if raw is None:
        client.fein = None
        return
    problem = fein_problem(raw)
    if problem:
        errors["fein"] = [problem]
    else:
        client.fein = normalise_fein(raw)


def _apply_credentials(client: Client, given: list[dict], errors: dict) -> None:
    """The given list becomes the client's credentials (kept rows keep their ids)."""
    wanted: dict[tuple[str, str], dict] = {}
    for index, credential in enumerate(given):
        kind = credential["kind"]
        number = normalise_number(credential["number"])
        problems: dict = {}
        problem = format_problem(kind, number)
        if problem:
            problems["number"] = [problem]
        elif (kind, number) in wanted:
            problems["number"] = ["Listed twice."]
        problem = expiry_problem(kind, credential.get("expires_on"))
        if problem:
            problems["expires_on"] = [problem]
        codes, wrong = classification_problems(kind, credential.get("classifications") or [])
        if wrong:
            problems["classifications"] = wrong
        if problems:
            errors.setdefault("credentials", {})[index] = problems
        wanted[(kind, number)] = credential | {"classifications": codes}
    if errors.get("credentials"):
        return
    current = {(c.kind, c.number): c for c in client.credentials}
    for key, row in current.items():
        if key not in wanted:
            client.credentials.remove(row)
    for (kind, number), credential in wanted.items():
        row = current.get((kind, number))
        if row is None:
            client.credentials.append(Credential(id=new_id(), kind=kind, number=number,
                                                 expires_on=credential.get("expires_on"),
                                                 classifications=credential["classifications"]))
        else:
            row.expires_on = credential.get("expires_on")
            if (row.classifications or []) != credential["classifications"]:
                row.classifications = credential["classifications"]


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

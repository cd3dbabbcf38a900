"""File set-up: checklists started from templates kept as data (checklist_templates.json:
per program and kind, with a ``default`` program for any other), one for a new account and
one per policy term's renewal; items completed with who and when."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.accounts.domain.errors import Conflict, NotFound
from services.accounts.models import Checklist, ChecklistItem, Client, Policy, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow

TEMPLATES_FILE = Path(__file__).with_name("checklist_templates.json")
KINDS = ("new_account", "renewal")
DEFAULT_PROGRAM = "default"


@lru_cache(maxsize=1)
def templates() -> dict:
    data = json.loads(TEMPLATES_FILE.read_text())
    for program, kinds in data.items():
        for kind, items in kinds.items():
            keys = [item["key"] for item in items]
            if kind not in KINDS or not items or len(set(keys)) != len(keys):
                raise ValueError(f"checklist template {program}/{kind} is not valid")
    if set(data.get(DEFAULT_PROGRAM, {})) != set(KINDS):
        raise ValueError("checklist templates need a default for every kind")
    return data


def template_for(program: str, kind: str) -> tuple[str, list[dict]]:
    """(the template's program, its items): the program's own, else the default.  Program
    codes are matched with - and _ alike ("pest-control" uses the pest_control template)."""
    data = templates()
    key = program.replace("-", "_")
    name = key if kind in data.get(key, {}) else DEFAULT_PROGRAM
    return name, data[name][kind]


def start_checklist(session: Session, actor: str, client: Client, kind: str,
                    policy: Policy | None = None) -> Checklist | None:
    """Start the client's new-account checklist, or a policy term's renewal checklist;
    None when it was started already."""
    source_key = f"{kind}:{policy.id if policy else client.id}"
    if session.scalar(select(Checklist.id).where(Checklist.source_key == source_key)) is not None:
        return None
    template, items = template_for(client.program, kind)
    checklist = Checklist(id=new_id(), client_id=client.id, policy_id=policy.id if policy else None, kind=kind,
                          template=template, source_key=source_key, created_by=actor, created_at=utcnow())
    session.add(checklist)
    session.flush()
    session.add_all(ChecklistItem(id=new_id(), checklist_id=checklist.id, position=position, key=item["key"],
                                  label=item["label"]) for position, item in enumerate(items, start=1))
    session.flush()
    audit(session, actor, "checklist.started", "client", client.id, checklist_id=checklist.id, kind=kind,
          template=template, policy_id=checklist.policy_id)
    return checklist


def complete_item(session: Session, actor: str, item: ChecklistItem) -> ChecklistItem:
    if item.done_at is not None:
        raise Conflict(f"The item was completed by {item.done_by} at {item.done_at.isoformat()}.")
    item.done_by, item.done_at = actor, utcnow()
    session.flush()
    audit(session, actor, "checklist_item.completed", "checklist_item", item.id, checklist_id=item.checklist_id,
          key=item.key)
    return item


def get_item(session: Session, item_id: str) -> tuple[ChecklistItem, Client]:
    row = session.execute(select(ChecklistItem, Client).join(Checklist, Checklist.id == ChecklistItem.checklist_id)
                          .join(Client, Client.id == Checklist.client_id).where(ChecklistItem.id == item_id)).first()
    if row is None:
        raise NotFound(f"No checklist item {item_id}.")
    return row[0], row[1]


def client_checklists(session: Session, client_id: str) -> list[Checklist]:
    return list(session.scalars(select(Checklist).where(Checklist.client_id == client_id)
                                .order_by(Checklist.created_at, Checklist.id)))


def progress(session: Session, client_id: str) -> list[dict]:
    """Per checklist of the client: {checklist_id, kind, policy_id, done, total}, in one query."""
    rows = session.execute(
        select(Checklist.id, Checklist.kind, Checklist.policy_id, func.count(ChecklistItem.id),
               func.sum(case((ChecklistItem.done_at.is_not(None), 1), else_=0)))
        .join(ChecklistItem, ChecklistItem.checklist_id == Checklist.id)
        .where(Checklist.client_id == client_id)
        .group_by(Checklist.id, Checklist.kind, Checklist.policy_id, Checklist.created_at)
        .order_by(Checklist.created_at, Checklist.id))
    return [{"checklist_id": cid, "kind": kind, "policy_id": policy_id, "done": int(done or 0), "total": int(total)}
            for cid, kind, policy_id, total, done in rows]

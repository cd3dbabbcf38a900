"""Fixtures: a migrated compliance database (SQLite by default, PostgreSQL on request), the
app, tokens, and helpers to deliver events and read the outbox."""
from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from services.compliance import create_app
from services.compliance.messaging.handlers import HANDLERS
from shared import testing
from shared.contracts.envelope import build_envelope
from shared.contracts.registry import contract
from shared.kit.auth import mint_token
from shared.kit.config import Settings
from shared.kit.db import OUTBOX, Database


@dataclass
class Env:
    settings: Settings
    db: Database

    def deliver(self, envelope: dict):
        return testing.deliver(self.db, HANDLERS, envelope, consumer_name="compliance", settings=self.settings)

    def outbox(self, event_type: str | None = None) -> list[dict]:
        with self.db.transaction() as session:
            rows = session.execute(select(OUTBOX.c.routing_key, OUTBOX.c.body).order_by(OUTBOX.c.seq)).all()
        return [json.loads(body) for key, body in rows if event_type in (None, key)]

    def token(self, roles=("compliance",), programs=("transportation",), user="cm.lee") -> dict:
        return {"Authorization": f"Bearer {mint_token(self.settings, user, roles=list(roles), programs=list(programs))}"}


def make_env(tmp_path, database_url: str | None = None) -> Env:
    overrides = {"database_url": database_url} if database_url else {}
    return Env(*testing.migrated("compliance", tmp_path, **overrides))


@pytest.fixture
def env(tmp_path):
    environment = make_env(tmp_path)
    yield environment
    environment.db.dispose()


@pytest.fixture
def client(env):
    return create_app(env.settings).test_client()


def envelope(event_type: str, data: dict, *, time: str = "2027-01-10T12:00:00+00:00", source: str | None = None) -> dict:
    """A fresh envelope (new message id) carrying ``data``, validated strictly like a producer would."""
    body = contract(event_type, 1).dump(data)
    env_ = build_envelope(event_type=event_type, version=1, source=source or event_type.split(".")[0], data=body,
                          message_id=str(uuid.uuid4()), subject=None, correlation_id=str(uuid.uuid4()),
                          causation_id=None)
    env_["time"] = time
    return env_


def golden(event_type: str, index: int = 0) -> dict:
    return copy.deepcopy(testing.examples(event_type)[index])


def bound_event(*, client_id: str | None = None, program: str = "transportation", credentials=None,
                lines=("GL", "AUTO"), effective: str = "2027-02-25", expiration: str = "2028-02-25",
                suffix: str = "") -> dict:
    """A marketing.policy.bound envelope derived from the golden example."""
    data = golden("marketing.policy.bound")["data"]
    data["insured"]["client_id"] = client_id or data["insured"]["client_id"]
    data["insured"]["program"] = program
    if credentials is not None:
        data["insured"]["credentials"] = credentials
    template = {p["line_of_business"]: p for p in data["policies"]}
    policies = []
    for line in lines:
        policy = copy.deepcopy(template.get(line, template["GL"]))
        policy["line_of_business"] = line
        policy["policy_number"] = f"{line}-{effective}{suffix}"
        policy["period"] = {"effective_date": effective, "expiration_date": expiration}
        policies.append(policy)
    data["policies"] = policies
    return envelope("marketing.policy.bound", data)

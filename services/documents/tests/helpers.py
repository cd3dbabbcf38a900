"""Helpers the tests share: a migrated environment, and the events a test caused."""
import json

from sqlalchemy import select

from shared import testing
from shared.kit.db import OUTBOX
from shared.kit.migrations import upgrade


def make_env(tmp_path, **overrides):
    settings = testing.embedded_settings("documents", tmp_path, **overrides)
    upgrade("documents", settings)
    return settings


def outbox_events(db, event_type=None) -> list[dict]:
    with db.transaction() as session:
        bodies = session.execute(select(OUTBOX.c.body).order_by(OUTBOX.c.seq)).scalars().all()
    events = [json.loads(body) for body in bodies]
    return [e for e in events if event_type is None or e["type"] == event_type]

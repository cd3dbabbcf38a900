"""The worker process end to end on a real transport: an event published on
platform.events is consumed from compliance's queue, the filing is stored once despite a
redelivery, and its compliance.filing.due is relayed from the outbox to the broker."""
import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from services.compliance.models import CredentialView, Filing
from services.compliance.tests.conftest import golden, make_env
from shared import testing
from shared.kit import broker
from shared.kit.config import REPO_ROOT
from shared.kit.db import OUTBOX
from shared.kit.topology import EVENTS, declare_service


@pytest.fixture(params=["embedded", pytest.param("rabbitmq+postgresql", marks=[pytest.mark.rabbitmq, pytest.mark.postgres])])
def live(request, tmp_path):
    database_url = request.getfixturevalue("postgres_url_for")("compliance") if request.param != "embedded" else None
    environment = make_env(tmp_path, database_url)
    if request.param != "embedded":
        environment.settings = testing.embedded_settings(
            "compliance", tmp_path, database_url=environment.settings.database_url,
            broker_url=request.getfixturevalue("rabbit_url"))
    with broker.connect(environment.settings) as conn:  # the queue exists before anything is published
        declare_service(conn, "compliance")
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.compliance", "worker"], cwd=REPO_ROOT,
        env={**os.environ, "VAR_DIR": str(tmp_path), "COMPLIANCE_DATABASE_URL": environment.settings.database_url,
             "COMPLIANCE_BROKER_URL": environment.settings.broker_url},
        stdout=log, stderr=subprocess.STDOUT)
    yield environment
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()
    environment.db.dispose()


def _publish(settings, envelope):
    with broker.connect(settings) as conn:
        conn.Producer().publish(json.dumps(envelope).encode(), exchange=EVENTS, routing_key=envelope["type"],
                                content_type="application/json", content_encoding="utf-8",
                                message_id=envelope["id"], delivery_mode=2)


def _relayed_due(env) -> int:
    with env.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(OUTBOX).where(
            OUTBOX.c.routing_key == "compliance.filing.due", OUTBOX.c.sent_at.is_not(None)))


def _seen(env, client_id) -> bool:
    with env.db.transaction() as session:
        return session.get(CredentialView, client_id) is not None


def test_a_published_bind_becomes_a_relayed_filing_due_once(live):
    bind = golden("marketing.policy.bound")
    marker = golden("accounts.client.registered", 1)  # published last: once seen, the rest was consumed
    _publish(live.settings, bind)
    _publish(live.settings, bind)  # a redelivery
    _publish(live.settings, marker)
    testing.wait_for(lambda: _seen(live, marker["data"]["client_id"]), timeout=45, message="marker consumed")
    testing.wait_for(lambda: _relayed_due(live) >= 1, timeout=30, message="filing.due relayed")
    with live.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Filing)) == 1
    assert _relayed_due(live) == 1

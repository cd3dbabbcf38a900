"""What compliance announces about a filing after it opens: every move in its lifecycle
(compliance.filing.status_changed, from the API and the sweep alike, with who and when) and a
due date passed unfiled (compliance.filing.overdue, raised once per filing by the sweep)."""
import copy
import json
import subprocess
import sys
from datetime import date, datetime

import pytest
from sqlalchemy import select

from services.compliance.domain.docket import transition
from services.compliance.messaging.tasks import run_deadline_sweep
from services.compliance.models import Filing
from services.compliance.tests.conftest import bound_event, golden
from shared import testing
from shared.contracts.registry import contract
from shared.kit.config import REPO_ROOT


def _paths(value, prefix=""):
    """Every field path of a payload, to compare an emitted event with its golden example."""
    if isinstance(value, dict):
        return set().union(*[{f"{prefix}{k}"} | _paths(v, f"{prefix}{k}.") for k, v in value.items()])
    return set()


def _valid(envelope) -> dict:
    contract(envelope["type"], 1).load_strict(envelope["data"])
    golden_paths = set().union(*[_paths(e["data"]) for e in testing.examples(envelope["type"])])
    assert _paths(envelope["data"]) == golden_paths
    assert envelope["source"] == "compliance" and envelope["subject"] == envelope["data"]["filing_id"]
    return envelope["data"]


def _filing(env, rule_id="dmv-mcp-liability"):
    with env.db.transaction() as session:
        return session.scalars(select(Filing).where(Filing.rule_id == rule_id)).one()


def _move(client, env, filing_id, to, roles=("compliance",), **extra):
    return client.post(f"/api/v1/filings/{filing_id}/transition", json={"to": to, **extra},
                       headers=env.token(roles=roles))


@pytest.fixture
def bound(env):
    env.deliver(golden("marketing.policy.bound"))  # DMV 65 MCP for GSC-CA-2027-000119, due 2027-02-25
    return env


def test_every_move_through_the_api_is_announced_with_who_and_when(client, bound):
    filing = _filing(bound)
    before = datetime.now().astimezone()
    for status in ("requested", "submitted", "pending_review", "rejected"):
        assert _move(client, bound, filing.id, status, note=f"now {status}").status_code == 200
    changes = [_valid(e) for e in bound.outbox("compliance.filing.status_changed")]
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("draft", "requested"), ("requested", "submitted"), ("submitted", "pending_review"),
        ("pending_review", "rejected")]
    last = changes[-1]
    assert (last["changed_by"], last["note"], last["due_on"], last["rule_id"]) == (
        "user:cm.lee", "now rejected", "2027-02-25", "dmv-mcp-liability")
    assert (last["filing_id"], last["account_manager"], last["credential"]["number"]) == (
        filing.id, "am.garcia", "CA123456")
    assert datetime.fromisoformat(last["changed_at"]) >= before.replace(microsecond=0)
    history = client.get(f"/api/v1/filings/{filing.id}", headers=bound.token()).json["history"]
    assert [h["at"] for h in history[1:]] == [c["changed_at"] for c in changes]


def test_a_refused_move_announces_nothing(client, bound):
    assert _move(client, bound, _filing(bound).id, "active").status_code == 409
    assert bound.outbox("compliance.filing.status_changed") == []


def test_the_sweeps_moves_are_announced_as_the_service(bound):
    filing = _filing(bound)
    with bound.db.transaction() as session:
        row = session.get(Filing, filing.id)
        for status in ("requested", "submitted", "pending_review", "accepted", "active"):
            transition(session, row, status, actor="user:test")
        transition(session, row, "cancel_pending", actor="user:test", effective_on=date(2027, 6, 30))
    run_deadline_sweep(bound.db, today=date(2027, 7, 1))
    last = _valid(bound.outbox("compliance.filing.status_changed")[-1])
    assert (last["from_status"], last["to_status"], last["changed_by"], last["cancellation_effective_on"]) == (
        "cancel_pending", "cancelled", "service:compliance", "2027-06-30")
    assert last["note"] == "cancellation took effect on 2027-06-30"


def test_waiving_a_filing_takes_a_note_and_the_compliance_role(client, bound):
    filing_id = _filing(bound).id
    assert _move(client, bound, filing_id, "waived").status_code == 422
    assert _move(client, bound, filing_id, "waived", note="  ").status_code == 422
    refused = _move(client, bound, filing_id, "waived", roles=("account_manager",), note="no employees")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    done = _move(client, bound, filing_id, "waived", note="DMV confirmed no filing is owed for this term")
    assert done.status_code == 200 and done.json["status"] == "waived" and done.json["allowed_transitions"] == []
    [change] = bound.outbox("compliance.filing.status_changed")
    assert (change["data"]["to_status"], change["data"]["note"]) == (
        "waived", "DMV confirmed no filing is owed for this term")
    assert run_deadline_sweep(bound.db, today=date(2027, 3, 1)).newly_overdue == []  # not owed, never overdue


def test_a_waived_requirement_counts_as_met_in_the_obligations(client, env):
    env.deliver(golden("accounts.client.registered"))
    env.deliver(bound_event(lines=("AUTO",), effective="2020-02-25", expiration="2099-02-25"))
    filing_id = _filing(env).id
    client_id = "3f9a2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c"
    standing = lambda: {c["credential"]["kind"]: c["standing"] for c in client.get(  # noqa: E731
        f"/api/v1/clients/{client_id}/obligations", headers=env.token()).json["credentials"]}["DMV_CA"]
    assert standing() == "suspended"
    assert _move(client, env, filing_id, "waived", note="exempt").status_code == 200
    assert standing() == "at_risk"  # met, though the WC section still has no policy on record


def test_a_filing_past_due_is_announced_overdue_once(bound):
    filing = _filing(bound)
    assert run_deadline_sweep(bound.db, today=date(2027, 2, 25)).announced_overdue == []
    result = run_deadline_sweep(bound.db, today=date(2027, 3, 1))
    assert result.newly_overdue == result.announced_overdue == [filing.id]
    [overdue] = bound.outbox("compliance.filing.overdue")
    data = _valid(overdue)
    assert (data["due_on"], data["detected_on"], data["days_overdue"], data["status"]) == (
        "2027-02-25", "2027-03-01", 4, "draft")
    assert (data["form"], data["who_files"], data["account_manager"], data["policy_number"]) == (
        "DMV 65 MCP", "insurer", "am.garcia", "GSC-CA-2027-000119")
    assert data["reason"] == filing.reason
    assert run_deadline_sweep(bound.db, today=date(2027, 3, 2)).announced_overdue == []
    assert len(bound.outbox("compliance.filing.overdue")) == 1
    assert _filing(bound).overdue_announced_at is not None


def test_a_filing_late_again_after_a_rejection_is_not_announced_twice(bound):
    filing_id = _filing(bound).id
    run_deadline_sweep(bound.db, today=date(2027, 3, 1))
    with bound.db.transaction() as session:
        row = session.get(Filing, filing_id)
        for status in ("requested", "submitted", "pending_review", "rejected"):
            transition(session, row, status, actor="user:test")
    result = run_deadline_sweep(bound.db, today=date(2027, 3, 10))
    assert result.newly_overdue == [filing_id] and result.announced_overdue == []
    assert len(bound.outbox("compliance.filing.overdue")) == 1


def test_a_filing_submitted_in_time_is_never_announced_overdue(bound):
    with bound.db.transaction() as session:
        row = session.get(Filing, _filing(bound).id)
        for status in ("requested", "submitted"):
            transition(session, row, status, actor="user:test")
    assert run_deadline_sweep(bound.db, today=date(2027, 3, 1)).announced_overdue == []
    assert bound.outbox("compliance.filing.overdue") == []


def test_the_sweep_command_raises_the_overdue_events(bound):
    out = subprocess.run(
        [sys.executable, "-m", "services.compliance", "sweep", "--today", "2027-03-01"], cwd=REPO_ROOT,
        env={**__import__("os").environ, "COMPLIANCE_DATABASE_URL": bound.settings.database_url},
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "newly overdue 1 (1 announced)" in out.stdout
    assert [e["data"]["form"] for e in bound.outbox("compliance.filing.overdue")] == ["DMV 65 MCP"]


def test_golden_examples_of_the_new_events_match_what_compliance_emits(bound, client):
    _move(client, bound, _filing(bound).id, "requested")
    run_deadline_sweep(bound.db, today=date(2027, 3, 1))
    for event_type in ("compliance.filing.status_changed", "compliance.filing.overdue"):
        emitted = bound.outbox(event_type)
        assert emitted, event_type
        for envelope in emitted:
            _valid(copy.deepcopy(envelope))
    assert json.loads(json.dumps(bound.outbox("compliance.filing.overdue")[0]))["data"]["status"] == "requested"

"""Accounts opens a high-priority activity for the account manager when compliance says a
regulatory filing is overdue (compliance.filing.overdue, fed with its golden examples):
once per filing, however often and under however many message ids it arrives, on the policy
it is about, and dead-lettered for a client accounts does not have."""
from __future__ import annotations

import copy
import uuid
from datetime import date

from sqlalchemy import select

from services.accounts.messaging.handlers import HANDLERS
from services.accounts.models import Activity, Client, Policy, new_id
from shared import testing
from shared.kit.audit import history
from shared.kit.consumer import Rejected
from shared.kit.db import utcnow
from shared.kit.topology import SUBSCRIPTIONS

EXAMPLES = testing.examples("compliance.filing.overdue")


def _seed(db, data, account_manager="am.lee"):
    with db.transaction() as session:
        client = Client(id=data["client_id"], program=data["program"], name="Delta Valley Freight LLC",
                        name_key="delta valley freight llc", status="client", account_manager=account_manager)
        session.add(client)
        session.add(Policy(id=new_id(), client=client, line_of_business="AUTO", policy_number="SMA-2026-004412",
                           carrier_name="Sierra Mutual Insurance Company", naic_code="12345",
                           market_key="naic:12345", effective_date=date(2026, 2, 25),
                           expiration_date=date(2027, 2, 25), premium_amount=1000, coverages=[]))


def _deliver(db, settings, envelope):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="accounts", settings=settings)


def _activities(db):
    with db.transaction() as session:
        rows = session.scalars(select(Activity).where(Activity.source_key.like("filing-overdue:%"))
                               .order_by(Activity.source_key)).all()
        return [(a.type, a.subject, a.assignee, a.priority, a.due_on, a.source_key, a.details, a.policy_id,
                 a.source_event_id, a.created_by, a.id) for a in rows]


def test_accounts_subscribes_to_overdue_filings():
    assert "compliance.filing.overdue" in SUBSCRIPTIONS["accounts"]
    assert HANDLERS["compliance.filing.overdue"].__module__ == "services.accounts.messaging.compliance_events"


def test_an_overdue_filing_opens_a_high_priority_activity_for_the_account_manager(db, settings):
    notice, _evidence = EXAMPLES
    data = notice["data"]
    _seed(db, data)
    assert _deliver(db, settings, notice) == "processed"
    [(kind, subject, assignee, priority, due_on, source_key, details, policy_id, event_id, actor, activity_id)] = \
        _activities(db)
    assert (kind, priority, due_on, assignee) == ("filing_due", "high", utcnow().date(), "am.garcia")
    assert subject == "OVERDUE: DMV filing MCP 66 was due 2027-01-15 (DMV_CA CA123456, 1 day(s) late)"
    assert source_key == f"filing-overdue:{data['filing_id']}"
    assert details.startswith("Chase the insurer to file it: still draft on 2027-01-16, due 2027-01-15.")
    assert data["reason"] in details and data["filing_id"] in details
    assert (event_id, actor) == (notice["id"], "service:compliance")
    with db.transaction() as session:
        assert session.get(Policy, policy_id).policy_number == "SMA-2026-004412"
        assert [entry["actor"] for entry in history(session, "activity", activity_id)] == ["service:compliance"]


def test_without_an_account_manager_on_the_event_the_clients_own_gets_it(db, settings):
    _notice, evidence = EXAMPLES
    _seed(db, evidence["data"], account_manager="am.lee")
    assert _deliver(db, settings, evidence) == "processed"
    [row] = _activities(db)
    assert row[2] == "am.lee" and row[7] is None  # GSC-CA-2027-000119 is not on record here: no policy link


def test_each_overdue_filing_opens_one_activity_however_often_it_is_announced(db, settings):
    notice, evidence = EXAMPLES
    _seed(db, notice["data"])
    for envelope in (notice, evidence, notice, {**copy.deepcopy(notice), "id": str(uuid.uuid4())},
                     {**copy.deepcopy(evidence), "id": str(uuid.uuid4())}):
        assert _deliver(db, settings, envelope) in ("processed", "duplicate")
    assert [row[5] for row in _activities(db)] == sorted(
        f"filing-overdue:{e['data']['filing_id']}" for e in EXAMPLES)


def test_the_overdue_activity_is_separate_from_the_filing_due_one(db, settings):
    notice, _ = EXAMPLES
    _seed(db, notice["data"])
    [due] = testing.examples("compliance.filing.due")
    assert _deliver(db, settings, due) == "processed"
    assert _deliver(db, settings, notice) == "processed"
    with db.transaction() as session:
        keys = sorted(session.scalars(select(Activity.source_key).where(Activity.type == "filing_due")).all())
    assert keys == sorted([f"{due['data']['filing_id']}:{due['data']['due_on']}",
                           f"filing-overdue:{notice['data']['filing_id']}"])


def test_an_overdue_filing_of_an_unknown_client_or_another_program_is_dead_lettered(db, settings):
    notice, _ = EXAMPLES
    outcome = _deliver(db, settings, notice)
    assert isinstance(outcome, Rejected) and outcome.kind == "unknown_client"
    assert notice["data"]["client_id"] in outcome.reason
    _seed(db, {**notice["data"], "program": "pest-control"})
    outcome = _deliver(db, settings, {**copy.deepcopy(notice), "id": str(uuid.uuid4())})
    assert isinstance(outcome, Rejected) and outcome.kind == "program_mismatch"
    assert _activities(db) == []

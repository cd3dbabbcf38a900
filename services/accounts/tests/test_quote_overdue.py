"""Accounts opens a "follow_up" activity for marketing's quote-overdue events (fed with the
golden examples): chase the market for a quote on the submission, once per (submission,
market), for the event's account manager or the client's."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.accounts.messaging.handlers import HANDLERS
from services.accounts.models import Activity, Client
from shared import testing
from shared.kit.db import utcnow

EXAMPLES = testing.examples("marketing.quote.overdue")


def _seed(db, data):
    with db.transaction() as session:
        session.add(Client(id=data["client_id"], program=data["program"], name="Delta Valley Freight LLC",
                           name_key="delta valley freight llc", status="client", account_manager="am.lee"))


def _deliver(db, settings, envelope):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="accounts", settings=settings)


def _follow_ups(db):
    with db.transaction() as session:
        return [(a.subject, a.assignee, a.priority, a.due_on, a.source_key, a.details)
                for a in session.scalars(select(Activity).where(Activity.type == "follow_up").order_by(Activity.subject))]


def test_an_overdue_quote_opens_a_chase_activity_for_the_account_manager(db, settings):
    golden, _pacific = EXAMPLES
    data = golden["data"]
    _seed(db, data)
    assert _deliver(db, settings, golden) == "processed"
    ((subject, assignee, priority, due_on, source_key, details),) = _follow_ups(db)
    assert subject == ("Chase Golden State Casualty for a quote on Delta Valley Freight LLC (GL, AUTO, "
                       "effective 2027-02-25): due 2026-12-11")
    assert (assignee, priority, due_on) == ("am.garcia", "high", utcnow().date())
    assert source_key == f"quote-overdue:{data['submission_id']}:golden-state-casualty"
    assert data["submission_id"] in details and "no answer by 2026-12-11" in details


def test_each_market_is_chased_once_however_often_it_is_announced(db, settings):
    golden, pacific = EXAMPLES
    _seed(db, golden["data"])
    for envelope in (golden, pacific, golden, {**pacific, "id": str(uuid.uuid4())}):
        assert _deliver(db, settings, envelope) in ("processed", "duplicate")
    chased = _follow_ups(db)
    assert [subject.split(" for ")[0] for subject, *_ in chased] == ["Chase Golden State Casualty",
                                                                     "Chase Pacific Crest Specialty"]
    assert [assignee for _s, assignee, *_ in chased] == ["am.garcia", "am.lee"]  # no manager named: the client's

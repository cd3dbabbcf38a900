"""Accounts follows marketing's quote expiries and bind orders (marketing_events.py, fed
with the golden examples): a follow-up per fact, once however often and under however many
message ids it arrives; a bind order that ends unbound closes the chase for its binder; a
term discrepancy on an issued policy is taken like any other; an unknown client is
dead-lettered."""
from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import select

from services.accounts.messaging.handlers import HANDLERS
from services.accounts.models import Activity, Client
from shared import testing
from shared.kit.consumer import Rejected
from shared.kit.db import utcnow
from shared.kit.topology import SUBSCRIPTIONS

TYPES = ("marketing.quote.expired", "marketing.bind.requested", "marketing.bind.declined", "marketing.bind.cancelled")
EXAMPLES = [(t, i, e) for t in TYPES for i, e in enumerate(testing.examples(t))]


def _seed(db, data):
    with db.transaction() as session:
        session.add(Client(id=data["client_id"], program=data["program"], name="Delta Valley Freight LLC",
                           name_key="delta valley freight llc", status="client", account_manager="am.lee"))


def _deliver(db, settings, envelope):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="accounts", settings=settings)


def _activities(db):
    with db.transaction() as session:
        return {a.source_key: a for a in session.scalars(select(Activity))}


def test_accounts_subscribes_to_every_one():
    for event_type in TYPES:
        assert event_type in SUBSCRIPTIONS["accounts"]
        assert HANDLERS[event_type].__module__ == "services.accounts.messaging.marketing_events"


@pytest.mark.parametrize("event_type, index, envelope", EXAMPLES, ids=[f"{t}[{i}]" for t, i, _ in EXAMPLES])
def test_each_example_opens_one_follow_up_for_the_account_manager(db, settings, event_type, index, envelope):
    data = envelope["data"]
    _seed(db, data)
    assert _deliver(db, settings, envelope) == "processed"
    assert _deliver(db, settings, envelope) == "duplicate"
    assert _deliver(db, settings, {**copy.deepcopy(envelope), "id": str(uuid.uuid4())}) == "processed"
    [activity] = _activities(db).values()
    assert activity.type == "follow_up" and activity.status == "open"
    assert activity.assignee == (data["account_manager"] or "am.lee")
    assert (activity.source_event_id, activity.created_by) == (envelope["id"], f"service:{envelope['source']}")
    assert data["market_name"] in activity.subject and data["submission_id"] in activity.details


def test_what_each_follow_up_says(db, settings):
    expired, indication = testing.examples("marketing.quote.expired")
    requested = testing.examples("marketing.bind.requested")[0]
    _seed(db, expired["data"])
    for envelope in (expired, indication, requested):
        assert _deliver(db, settings, envelope) == "processed"
    found = _activities(db)
    quote = found[f"quote-expired:{expired['data']['quote_id']}"]
    assert quote.subject == ("Golden State Casualty quote GSC-Q-778812 (revision 1) expired 2027-01-26 unbound: "
                             "ask to re-validate or re-quote")
    assert quote.due_on == utcnow().date() and "47330.00 USD" in quote.details
    assert found[f"quote-expired:{indication['data']['quote_id']}"].subject.startswith(
        "Redwood Coast Underwriters indication RCU-I-20331 (revision 2)")
    chase = found[f"binder-due:{requested['data']['bind_id']}"]
    assert chase.subject == ("Binder due from Golden State Casualty by 2026-11-30: Delta Valley Freight LLC, "
                             "GSC-Q-778812 r1")
    assert chase.due_on.isoformat() == "2026-11-30" and "over the carrier contract" in chase.details


@pytest.mark.parametrize("ending", ["marketing.bind.declined", "marketing.bind.cancelled"])
def test_an_order_that_ends_unbound_closes_its_binder_chase(db, settings, ending):
    requested = testing.examples("marketing.bind.requested")[0]
    ended = testing.examples(ending)[0]
    assert ended["data"]["bind_id"] == requested["data"]["bind_id"]
    _seed(db, requested["data"])
    assert _deliver(db, settings, requested) == "processed"
    assert _deliver(db, settings, ended) == "processed"
    found = _activities(db)
    chase = found[f"binder-due:{requested['data']['bind_id']}"]
    assert chase.status == "done" and ended["data"]["reason"] in chase.outcome
    assert chase.completed_by == "service:marketing"
    kind = ending.rsplit(".", 1)[1]
    follow_up = found[f"bind-{kind}:{ended['data']['bind_id']}"]
    assert follow_up.status == "open" and ended["data"]["reason"] in follow_up.details
    if kind == "declined":
        assert follow_up.priority == "high" and "refused to bind" in follow_up.subject
    # a second delivery of the ending neither fails on the closed chase nor opens another
    assert _deliver(db, settings, {**copy.deepcopy(ended), "id": str(uuid.uuid4())}) == "processed"
    assert len(_activities(db)) == 2


def test_a_term_discrepancy_is_taken_like_any_other(db, settings):
    [envelope] = copy.deepcopy(testing.examples("marketing.policy.discrepancies_found"))
    envelope["data"]["discrepancies"] = [{
        "kind": "term", "line_of_business": None, "coverage_code": None,
        "expected": "2027-02-25 to 2028-02-25", "found": "2027-03-01 to 2028-03-01",
        "detail": "Policy term 2027-03-01 to 2028-03-01 instead of 2027-02-25 to 2028-02-25 as bound "
                  "(effective and expiration date differs)."}]
    _seed(db, envelope["data"])
    assert _deliver(db, settings, envelope) == "processed"
    [activity] = _activities(db).values()
    assert activity.type == "review_policy" and "Policy term 2027-03-01" in activity.details


@pytest.mark.parametrize("event_type, index, envelope", EXAMPLES, ids=[f"{t}[{i}]" for t, i, _ in EXAMPLES])
def test_an_unknown_client_is_dead_lettered(db, settings, event_type, index, envelope):
    outcome = _deliver(db, settings, envelope)
    assert isinstance(outcome, Rejected) and outcome.kind == "unknown_client"
    assert _activities(db) == {}


def test_a_bound_policy_completes_the_binder_chase(db, settings):
    requested = testing.examples("marketing.bind.requested")[0]
    bound = testing.examples("marketing.policy.bound")[0]
    assert bound["data"]["bind_id"] == requested["data"]["bind_id"]
    _seed(db, requested["data"])
    assert _deliver(db, settings, requested) == "processed"
    assert _activities(db)[f"binder-due:{requested['data']['bind_id']}"].status == "open"
    assert _deliver(db, settings, bound) == "processed"
    chase = _activities(db)[f"binder-due:{requested['data']['bind_id']}"]
    assert chase.status == "done" and chase.outcome.startswith("bound: ") and chase.completed_by == "service:marketing"


def test_a_bound_policy_without_a_chase_still_records(db, settings):
    bound = testing.examples("marketing.policy.bound")[0]
    _seed(db, {"client_id": bound["data"]["insured"]["client_id"], "program": bound["data"]["insured"]["program"]})
    assert _deliver(db, settings, bound) == "processed"
    assert f"binder-due:{bound['data']['bind_id']}" not in _activities(db)


@pytest.mark.parametrize("ending", ["marketing.policy.bound", "marketing.bind.declined", "marketing.bind.cancelled"])
def test_a_bind_request_arriving_after_its_order_ended_opens_no_chase(db, settings, ending):
    requested = testing.examples("marketing.bind.requested")[0]
    ended = testing.examples(ending)[0]
    assert ended["data"]["bind_id"] == requested["data"]["bind_id"]
    _seed(db, requested["data"])
    assert _deliver(db, settings, ended) == "processed"
    assert _deliver(db, settings, requested) == "processed"
    assert f"binder-due:{requested['data']['bind_id']}" not in _activities(db)

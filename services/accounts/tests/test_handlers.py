"""The events accounts consumes, fed with every golden example: each takes effect once,
however often (and under however many message ids) it is delivered."""
from __future__ import annotations

import copy
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from services.accounts.messaging.handlers import HANDLERS
from services.accounts.models import AccountDocument, Activity, Client, Credential, Policy, new_id
from services.accounts.tests.helpers import emitted
from shared import testing
from shared.kit.audit import history
from shared.kit.consumer import Rejected
from shared.kit.topology import SUBSCRIPTIONS

EXPECTED_ACTIVITY = {
    "marketing.policy.bound": "review_policy",
    "marketing.quote.received": "review_quote",
    "marketing.quote.declined": "review_declination",
    "marketing.comparison.ready": "review_comparison",
    "marketing.policy.discrepancies_found": "review_policy",
    "documents.document.generated": "document_ready",
    "documents.document.failed": "follow_up",
    "compliance.filing.due": "filing_due",
    "compliance.filing.overdue": "filing_due",
    "marketing.quote.overdue": "follow_up",
    # Quote expiry and bind orders (messaging/marketing_events.py, test_marketing_events.py).
    "marketing.quote.expired": "follow_up",
    "marketing.bind.requested": "follow_up",
    "marketing.bind.declined": "follow_up",
    "marketing.bind.cancelled": "follow_up",
}
ALL_EXAMPLES = [(t, i, e) for t in SUBSCRIPTIONS["accounts"] for i, e in enumerate(testing.examples(t))]
# Events logged on the account without an activity (each tested in its own module).
NO_ACTIVITY = {"marketing.submission.emailed": "test_email_log.py"}
ACTIVITY_EXAMPLES = [(t, i, e) for t, i, e in ALL_EXAMPLES if t not in NO_ACTIVITY]


def _about(data: dict) -> tuple[str, str]:
    insured = data.get("insured") or data
    return insured["client_id"], insured["program"]


def _seed_client(db, client_id: str, program: str, expiring_ids=()) -> None:
    """The account the examples speak of, with the terms a bind replaces."""
    with db.transaction() as session:
        client = Client(id=client_id, program=program, name="Delta Valley Freight LLC",
                        name_key="delta valley freight llc", status="client", account_manager="am.garcia",
                        credentials=[Credential(id=new_id(), kind="DMV_CA", number="CA123456")])
        session.add(client)
        for index, policy_id in enumerate(expiring_ids):
            session.add(Policy(id=policy_id, client=client, line_of_business="GL", policy_number=f"EXP-{index}",
                               carrier_name="Sierra Mutual Insurance Company", naic_code="12345",
                               market_key="naic:12345", effective_date=date(2026, 2, 25),
                               expiration_date=date(2027, 2, 25), premium_amount=1000, coverages=[]))


def _seed_for(db, envelope):
    data = envelope["data"]
    client_id, program = _about(data)
    replaced = [p["replaces_policy_id"] for p in data.get("policies", []) if p.get("replaces_policy_id")]
    _seed_client(db, client_id, program, replaced)


def _count(db, model, *where):
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _deliver(db, settings, envelope):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="accounts", settings=settings)


def test_accounts_handles_exactly_the_types_it_subscribes_to():
    assert set(HANDLERS) == set(SUBSCRIPTIONS["accounts"])


@pytest.mark.parametrize("event_type, index, envelope", ACTIVITY_EXAMPLES,
                         ids=[f"{t}[{i}]" for t, i, _ in ACTIVITY_EXAMPLES])
def test_every_golden_example_opens_its_activity_once(db, settings, event_type, index, envelope):
    _seed_for(db, envelope)
    assert _deliver(db, settings, envelope) == "processed"
    assert _deliver(db, settings, envelope) == "duplicate"
    again = {**copy.deepcopy(envelope), "id": str(uuid.uuid4())}  # the same fact, republished
    assert _deliver(db, settings, again) == "processed"
    activity_type = EXPECTED_ACTIVITY[event_type]
    assert _count(db, Activity, Activity.type == activity_type) == 1
    with db.transaction() as session:
        activity = session.scalar(select(Activity).where(Activity.type == activity_type))
        assert activity.assignee == (envelope["data"].get("account_manager") or "am.garcia")
        assert activity.source_event_id == envelope["id"]
        assert activity.created_by == f"service:{envelope['source']}"
        trail = history(session, "activity", activity.id)
    assert [entry["actor"] for entry in trail] == [f"service:{envelope['source']}"]


@pytest.mark.parametrize("event_type, index, envelope", ALL_EXAMPLES,
                         ids=[f"{t}[{i}]" for t, i, _ in ALL_EXAMPLES])
def test_an_event_about_an_unknown_client_is_dead_lettered_with_the_reason(db, settings, event_type, index, envelope):
    outcome = _deliver(db, settings, envelope)
    assert isinstance(outcome, Rejected) and outcome.kind == "unknown_client"
    assert _about(envelope["data"])[0] in outcome.reason
    assert _count(db, Activity) == 0


def test_an_event_naming_the_wrong_program_is_dead_lettered(db, settings):
    [envelope] = testing.examples("marketing.quote.received")
    _seed_client(db, envelope["data"]["client_id"], "pest-control")
    outcome = _deliver(db, settings, envelope)
    assert isinstance(outcome, Rejected) and outcome.kind == "program_mismatch"


@pytest.fixture
def bound(db):
    [envelope] = testing.examples("marketing.policy.bound")
    _seed_for(db, envelope)
    return envelope


def test_a_bind_records_each_new_term_once_and_renews_the_expiring_ones(db, settings, bound):
    assert _deliver(db, settings, bound) == "processed"
    assert _deliver(db, settings, {**bound, "id": str(uuid.uuid4())}) == "processed"
    data = bound["data"]
    numbers = [p["policy_number"] for p in data["policies"]]
    with db.transaction() as session:
        new_terms = list(session.scalars(select(Policy).where(Policy.policy_number.in_(numbers))))
        replaced = list(session.scalars(select(Policy).where(
            Policy.id.in_([p["replaces_policy_id"] for p in data["policies"]]))))
    assert sorted(p.policy_number for p in new_terms) == sorted(numbers)
    assert {p.status for p in new_terms} == {"in_force"} and {p.bind_id for p in new_terms} == {data["bind_id"]}
    assert {p.status for p in replaced} == {"renewed"}
    auto = next(p for p in new_terms if p.line_of_business == "AUTO")
    assert [c["code"] for c in auto.coverages] == ["LIAB", "UM", "COLL"]
    assert auto.coverages[0]["limits"][0]["amount"] == {"amount": "1000000.00", "currency": "USD"}
    assert str(auto.premium_amount) == "38090.00"


def test_a_bind_emits_policy_recorded_per_new_term_with_the_bound_quote(db, settings, bound):
    _deliver(db, settings, bound)
    _deliver(db, settings, {**bound, "id": str(uuid.uuid4())})
    events = emitted(db, "accounts.policy.recorded")
    assert sorted(e["data"]["policy"]["policy_number"] for e in events) == sorted(
        p["policy_number"] for p in bound["data"]["policies"])
    for event in events:
        assert event["data"]["bound_quote_id"] == bound["data"]["quote_id"]
        assert event["data"]["policy"]["status"] == "in_force"
        assert event["causationid"] == bound["id"]
        assert event["correlationid"] == bound["correlationid"]


def test_a_bind_reusing_another_clients_policy_number_is_dead_lettered(db, settings, bound):
    _seed_client(db, "someone-else", "transportation")
    terms = bound["data"]["policies"][0]
    with db.transaction() as session:
        session.add(Policy(id=new_id(), client_id="someone-else", line_of_business="GL",
                           policy_number=terms["policy_number"], carrier_name="Golden State Casualty Company",
                           naic_code=terms["market"]["naic_code"], market_key=f"naic:{terms['market']['naic_code']}",
                           effective_date=date(2027, 2, 25), expiration_date=date(2028, 2, 25),
                           premium_amount=1, coverages=[]))
    outcome = _deliver(db, settings, bound)
    assert isinstance(outcome, Rejected) and "another client" in outcome.reason
    assert emitted(db, "accounts.policy.recorded") == []


def test_a_generated_document_is_linked_to_the_account_once(db, settings, http, auth):
    [envelope] = testing.examples("documents.document.generated")
    _seed_for(db, envelope)
    _deliver(db, settings, envelope)
    _deliver(db, settings, {**envelope, "id": str(uuid.uuid4())})
    assert _count(db, AccountDocument) == 1
    client_id = envelope["data"]["client_id"]
    listed = http.get(f"/api/v1/clients/{client_id}/documents", headers=auth()).get_json()["items"]
    assert [(d["document_id"], d["download_path"]) for d in listed] == [
        (envelope["data"]["document_id"], envelope["data"]["download_path"])]


def test_a_filing_due_is_diarised_on_its_due_date_against_the_policy(db, settings):
    [bound_envelope] = testing.examples("marketing.policy.bound")
    _seed_for(db, bound_envelope)
    _deliver(db, settings, bound_envelope)
    [envelope] = testing.examples("compliance.filing.due")
    assert _deliver(db, settings, envelope) == "processed"
    with db.transaction() as session:
        activity = session.scalar(select(Activity).where(Activity.type == "filing_due"))
        policy = session.get(Policy, activity.policy_id)
    assert activity.due_on.isoformat() == envelope["data"]["due_on"]
    assert policy.policy_number == envelope["data"]["policy_number"]
    assert "DMV 65 MCP" in activity.subject and activity.priority == "high"


def test_a_failed_document_becomes_a_follow_up_with_the_reason(db, settings):
    [envelope] = testing.examples("documents.document.failed")
    _seed_for(db, envelope)
    _deliver(db, settings, envelope)
    with db.transaction() as session:
        activity = session.scalar(select(Activity).where(Activity.type == "follow_up"))
    assert envelope["data"]["reason"] in activity.subject


def test_a_revised_quote_opens_a_new_review(db, settings):
    [envelope] = testing.examples("marketing.quote.received")
    _seed_for(db, envelope)
    revised = copy.deepcopy(envelope)
    revised["id"], revised["data"]["revision"] = str(uuid.uuid4()), 2
    _deliver(db, settings, envelope)
    _deliver(db, settings, revised)
    assert _count(db, Activity, Activity.type == "review_quote") == 2

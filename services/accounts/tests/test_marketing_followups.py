"""Accounts opens a "review_policy" activity for marketing's policy discrepancies (fed with
the golden example), once per check, listing every difference."""
from __future__ import annotations

import copy
import uuid
from datetime import date

from sqlalchemy import select

from services.accounts.messaging.handlers import HANDLERS
from services.accounts.models import Activity, Client, Policy
from shared import testing


def _seed(db, data, policy_numbers=()):
    with db.transaction() as session:
        client = Client(id=data["client_id"], program=data["program"], name="Delta Valley Freight LLC",
                        name_key="delta valley freight llc", status="client", account_manager="am.lee")
        session.add(client)
        for number in policy_numbers:
            session.add(Policy(id=str(uuid.uuid4()), client=client, line_of_business="GL", policy_number=number,
                               carrier_name="Golden State Casualty Company", naic_code="23456",
                               market_key="naic:23456", effective_date=date(2027, 2, 25),
                               expiration_date=date(2028, 2, 25), premium_amount=8990, coverages=[]))


def _deliver(db, settings, envelope):
    return testing.deliver(db, HANDLERS, envelope, consumer_name="accounts", settings=settings)


def _activities(db):
    with db.transaction() as session:
        return [(a.type, a.subject, a.details, a.assignee, a.priority, a.policy_id, a.source_key)
                for a in session.scalars(select(Activity))]


def test_discrepancies_open_one_review_policy_activity_listing_every_difference(db, settings):
    [envelope] = testing.examples("marketing.policy.discrepancies_found")
    data = envelope["data"]
    _seed(db, data)
    assert _deliver(db, settings, envelope) == "processed"
    assert _deliver(db, settings, {**copy.deepcopy(envelope), "id": str(uuid.uuid4())}) == "processed"
    [(kind, subject, details, assignee, priority, policy_id, source_key)] = _activities(db)
    assert (kind, assignee, priority, policy_id) == ("review_policy", "am.garcia", "high", None)
    assert "2 difference(s)" in subject and data["market_name"] in subject
    for discrepancy in data["discrepancies"]:
        assert discrepancy["detail"] in details
    assert source_key == f"discrepancies:{data['check_id']}"


def test_a_later_check_of_the_same_bind_opens_its_own_activity_on_the_one_policy(db, settings):
    [envelope] = testing.examples("marketing.policy.discrepancies_found")
    later = copy.deepcopy(envelope)
    later["id"] = str(uuid.uuid4())
    later["data"].update(check_id=str(uuid.uuid4()), policy_numbers=["GSC-GL-2027-000118"], account_manager=None)
    _seed(db, later["data"], policy_numbers=["GSC-GL-2027-000118"])
    assert _deliver(db, settings, envelope) == "processed"
    assert _deliver(db, settings, later) == "processed"
    activities = _activities(db)
    assert len(activities) == 2
    second = next(a for a in activities if a[6] == f"discrepancies:{later['data']['check_id']}")
    assert second[3] == "am.lee" and second[5] is not None

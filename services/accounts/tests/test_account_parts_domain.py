"""Domain rules without HTTP: phone numbers, contacts' primary flag and reachability,
location numbering and values, delegation, hand-over kinds, and the diary's merged read
of owned and delegated activities."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.accounts.domain.activities import ActivityFilter, find_activities, open_activity
from services.accounts.domain.clients import register_client
from services.accounts.domain.contacts import add_contact, change_contact, normalise_phone
from services.accounts.domain.diary import delegate, undelegate
from services.accounts.domain.errors import Conflict, Invalid
from services.accounts.domain.hand_overs import hand_overs, record_hand_over
from services.accounts.domain.locations import add_location, change_location
from services.accounts.models import Contact, UserAbsence

ACTOR = "user:am.garcia"
TODAY = date(2026, 11, 27)
ADDRESS = {"line1": "1 Main St", "line2": None, "city": "Fresno", "state": "CA", "postal_code": "93721",
           "country": "US"}


@pytest.fixture
def session(db):
    with db.transaction() as session:
        yield session


@pytest.fixture
def client(session):
    return register_client(session, ACTOR, {"program": "transportation", "name": "Delta Valley Freight LLC",
                                            "account_manager": "am.garcia"})


@pytest.mark.parametrize("raw, shown", [
    ("916-555-0142", "(916) 555-0142"), ("(916) 555.0142", "(916) 555-0142"), ("1 916 555 0142", "(916) 555-0142"),
    ("+1 916 555 0142 ext. 12", "(916) 555-0142 x12"), ("916 555 0142 x7", "(916) 555-0142 x7"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phone_numbers_are_shown_one_way(raw, shown):
    assert normalise_phone(raw) == shown


@pytest.mark.parametrize("raw", ["555-0142", "016-555-0142", "916-055-0142", "+44 20", "9165550142123",
                                 "916-555-0142 ext", "call me", "916-555-0142; DROP TABLE",
                                 "\u0669\u0661\u0666 555 0142", "916\t555\t0142"])
def test_what_is_not_a_phone_number_is_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_the_first_contact_is_primary_and_a_new_primary_replaces_it(session, client):
    first = add_contact(session, ACTOR, client, {"name": "Ann"})
    second = add_contact(session, ACTOR, client, {"name": "Bo", "primary": True})
    session.refresh(first)
    assert (first.is_primary, second.is_primary) == (False, True)
    assert change_contact(session, ACTOR, client, first, {"primary": True}) == ["primary"]
    session.refresh(second)
    assert [c.name for c in session.query(Contact).filter_by(is_primary=True)] == ["Ann"]


def test_a_preferred_channel_needs_its_detail(session, client):
    with pytest.raises(Invalid) as refused:
        add_contact(session, ACTOR, client, {"name": "Ann", "preferred_channel": "text", "email": "a@b.example"})
    assert "preferred_channel" in refused.value.errors
    contact = add_contact(session, ACTOR, client, {"name": "Ann", "preferred_channel": "mail"})
    assert contact.preferred_channel == "mail"


def test_locations_number_themselves_and_keep_their_values_in_one_currency(session, client):
    first = add_location(session, ACTOR, client, {"address": ADDRESS})
    second = add_location(session, ACTOR, client, {"address": ADDRESS, "values": {
        "building": {"amount": Decimal("500000.00"), "currency": "USD"}, "contents": None}})
    assert (first.number, first.is_primary, second.number, second.is_primary) == (1, True, 2, False)
    assert (second.building_value, second.contents_value, second.values_currency) == (Decimal("500000.00"), None,
                                                                                      "USD")
    with pytest.raises(Conflict):
        add_location(session, ACTOR, client, {"address": ADDRESS, "number": 2})
    with pytest.raises(Invalid):
        change_location(session, ACTOR, client, second, {"values": {
            "building": {"amount": Decimal("1.00"), "currency": "USD"},
            "contents": {"amount": Decimal("1.00"), "currency": "CAD"}}})
    assert change_location(session, ACTOR, client, second, {"mailing": True, "employee_count": 3}) == [
        "employee_count", "mailing"]


def test_delegation_rules(session, client):
    activity = open_activity(session, ACTOR, client=client, type="follow_up", subject="Call", due_on=TODAY,
                             assignee="am.garcia")
    with pytest.raises(Invalid):
        delegate(session, ACTOR, activity, "am.garcia", None, TODAY)
    with pytest.raises(Conflict):
        undelegate(session, ACTOR, activity, None)
    session.add(UserAbsence(user="as.out", starts_on=TODAY, ends_on=TODAY + timedelta(days=2), backup="as.lee",
                            state="active", updated_by=ACTOR))
    session.flush()
    with pytest.raises(Conflict, match="as.lee"):
        delegate(session, ACTOR, activity, "as.out", None, TODAY)
    delegate(session, ACTOR, activity, "as.lee", "Please call", TODAY)
    undelegate(session, ACTOR, activity, None)
    assert [(h.kind, h.from_assignee, h.to_assignee) for h in hand_overs(session, activity.id)] == [
        ("delegate", "am.garcia", "as.lee"), ("undelegate", "as.lee", "am.garcia")]


def test_a_hand_over_of_an_unknown_kind_is_a_programming_error(session, client):
    activity = open_activity(session, ACTOR, client=client, type="follow_up", subject="Call", due_on=TODAY,
                             assignee="am.garcia")
    with pytest.raises(ValueError):
        record_hand_over(session, activity, "teleport", from_user="a", to_user="b", by=ACTOR)


def test_a_users_diary_merges_owned_and_delegated_activities_once_each_in_due_order(session, client):
    def make(day, assignee, helper=None):
        activity = open_activity(session, ACTOR, client=client, type="follow_up", subject=f"{assignee} {day}",
                                 due_on=TODAY + timedelta(days=day), assignee=assignee)
        activity.delegate = helper
        return activity.id

    ids = [make(3, "as.lee"), make(1, "am.garcia", "as.lee"), make(2, "as.lee", "as.lee"), make(0, "am.garcia")]
    session.flush()
    first = find_activities(session, ActivityFilter(assignee="as.lee"), limit=2, after=None)
    rest = find_activities(session, ActivityFilter(assignee="as.lee"), limit=2, after=first.next_key)
    assert [a.id for a in first.items + rest.items] == [ids[1], ids[2], ids[0]]
    assert rest.next_key is None
    mine = find_activities(session, ActivityFilter(assignee="am.garcia", programs=frozenset({"transportation"})),
                           limit=10, after=None)
    assert [a.id for a in mine.items] == [ids[3], ids[1]]
    elsewhere = find_activities(session, ActivityFilter(assignee="am.garcia", programs=frozenset({"pest-control"})),
                                limit=10, after=None)
    assert elsewhere.items == []

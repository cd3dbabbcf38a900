"""The renewal scan: each (policy term, lead time) raised at most once, the nearest
crossed tier raised and farther ones marked passed, a second run raising nothing."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings as hypothesis_settings, strategies as st
from sqlalchemy import select

from services.accounts.__main__ import main as cli
from services.accounts.domain.renewals import DEFAULT_LEAD_DAYS, parse_lead_days, plan_tiers, scan
from services.accounts.messaging.worker import renewal_scan_task
from services.accounts.models import Activity, RenewalNotice
from services.accounts.tests.helpers import create_client, create_policy, emitted
from shared.kit.audit import history

TODAY = date(2026, 11, 27)


def _book(http, auth, expires=TODAY + timedelta(days=90)):
    headers = auth()
    client = create_client(http, headers)
    gl = create_policy(http, headers, client["id"], line="GL", number="GL-1", expires=expires)
    auto = create_policy(http, headers, client["id"], line="AUTO", number="AUTO-1", expires=expires)
    return client, gl, auto


def _scan(db, today, tiers=DEFAULT_LEAD_DAYS):
    with db.transaction() as session:
        return scan(session, today, tiers)


def _notices(db):
    with db.transaction() as session:
        return sorted((n.policy_id, n.lead_days, n.outcome) for n in session.scalars(select(RenewalNotice)))


def test_a_policy_90_days_out_raises_the_90_day_renewal_once_and_marks_120_passed(http, auth, db):
    client, gl, auto = _book(http, auth)
    first = _scan(db, TODAY)
    assert sorted(first.raised) == sorted([(gl["id"], 90), (auto["id"], 90)])
    assert first.passed == 2
    assert _notices(db) == sorted([(gl["id"], 90, "raised"), (gl["id"], 120, "passed"),
                                   (auto["id"], 90, "raised"), (auto["id"], 120, "passed")])
    events = emitted(db, "accounts.renewal.due")
    assert {(e["data"]["policy"]["policy_id"], e["data"]["lead_days"]) for e in events} == set(first.raised)
    for event in events:
        assert event["data"]["expiration_date"] == (TODAY + timedelta(days=90)).isoformat()
        assert event["data"]["account_manager"] == "am.garcia"
        assert event["data"]["insured"]["client_id"] == client["id"]
        assert event["data"]["policy"]["coverages"][0]["code"] in ("CGL", "LIAB")
    second = _scan(db, TODAY)
    assert (second.raised, second.passed) == ([], 0)
    assert len(emitted(db, "accounts.renewal.due")) == 2


def test_each_raised_renewal_opens_a_request_for_renewal_information_for_the_account_manager(http, auth, db):
    _client, gl, _auto = _book(http, auth)
    _scan(db, TODAY)
    _scan(db, TODAY)
    with db.transaction() as session:
        activities = list(session.scalars(select(Activity).where(Activity.type == "request_renewal_info")))
    assert len(activities) == 2
    gl_activity = next(a for a in activities if a.policy_id == gl["id"])
    assert gl_activity.assignee == "am.garcia"
    assert gl_activity.due_on == TODAY + timedelta(days=7)
    assert "GL GL-1" in gl_activity.subject and "90-day" in gl_activity.subject
    assert gl_activity.created_by == "service:accounts.renewal-scan"


def test_later_scans_raise_each_nearer_lead_time_in_turn(http, auth, db):
    _client, gl, _auto = _book(http, auth, expires=TODAY + timedelta(days=130))
    raised = []
    for days_left in range(130, -3, -1):
        raised += [tier for policy, tier in _scan(db, TODAY + timedelta(days=130 - days_left)).raised
                   if policy == gl["id"]]
    assert raised == [120, 90, 60, 30]


def test_policies_not_in_force_or_already_expired_are_not_raised(http, auth, db):
    headers = auth()
    client = create_client(http, headers)
    create_policy(http, headers, client["id"], number="CXL-1", status="cancelled")
    create_policy(http, headers, client["id"], number="OLD-1", expires=TODAY - timedelta(days=1))
    create_policy(http, headers, client["id"], number="FAR-1", expires=TODAY + timedelta(days=200))
    summary = _scan(db, TODAY)
    assert summary.raised == [] and summary.checked == 0


def test_the_scan_marks_lapsed_in_force_terms_expired_once_and_audits_them(http, auth, db):
    headers = auth()
    client = create_client(http, headers)
    lapsed = create_policy(http, headers, client["id"], number="OLD-1", expires=TODAY - timedelta(days=1))
    cancelled = create_policy(http, headers, client["id"], number="CXL-1", expires=TODAY - timedelta(days=5),
                              status="cancelled")
    today_ends = create_policy(http, headers, client["id"], number="END-1", expires=TODAY)
    summary = _scan(db, TODAY)
    assert summary.expired == [lapsed["id"]]
    assert "1 lapsed terms marked expired" in summary.line()
    statuses = {p["policy_number"]: p["status"]
                for p in http.get(f"/api/v1/clients/{client['id']}", headers=headers).get_json()["policies"]}
    assert statuses == {"OLD-1": "expired", "CXL-1": "cancelled", "END-1": "in_force"}
    with db.transaction() as session:
        assert [e["actor"] for e in history(session, "policy", lapsed["id"]) if e["action"] == "policy.expired"] == [
            "service:accounts.renewal-scan"]
    assert _scan(db, TODAY).expired == []
    assert _scan(db, TODAY + timedelta(days=1)).expired == [today_ends["id"]]
    assert cancelled["id"] not in _scan(db, TODAY + timedelta(days=2)).expired


def test_the_cli_scans_as_of_a_date_and_prints_a_summary(http, auth, db, settings, monkeypatch, capsys):
    _book(http, auth)
    monkeypatch.setenv("ACCOUNTS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    assert cli(["renewal-scan", "--today", TODAY.isoformat(), "--lead-days", "120,90,60,30"]) == 0
    assert "2 renewals raised, 2 farther lead times marked passed" in capsys.readouterr().out
    assert cli(["renewal-scan", "--today", TODAY.isoformat()]) == 0
    assert "0 renewals raised" in capsys.readouterr().out


def test_the_cli_refuses_lead_days_out_of_range(settings, monkeypatch, capsys):
    monkeypatch.setenv("ACCOUNTS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    assert cli(["renewal-scan", "--lead-days", "120,0"]) == 2
    assert "between 1 and 365" in capsys.readouterr().err


def test_the_worker_task_scans_today(http, auth, db, settings, monkeypatch):
    from shared.kit.db import utcnow

    _book(http, auth, expires=utcnow().date() + timedelta(days=60))
    monkeypatch.setenv("RENEWAL_LEAD_DAYS", "60,30")
    renewal_scan_task(db, settings)
    assert {e["data"]["lead_days"] for e in emitted(db, "accounts.renewal.due")} == {60}


def test_lead_days_parse_into_descending_tiers():
    assert parse_lead_days("30, 120,90,60,90") == (120, 90, 60, 30)


# -- properties -------------------------------------------------------------------------

tiers_strategy = st.sets(st.integers(min_value=1, max_value=365), min_size=1, max_size=5)
scan_days = st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=12)


@given(tiers=tiers_strategy, expires_in=st.integers(min_value=0, max_value=400), days=scan_days)
def test_any_sequence_of_scans_raises_each_tier_at_most_once_and_always_the_nearest(tiers, expires_in, days):
    expiration = TODAY + timedelta(days=expires_in)
    noted: set[int] = set()
    raised: list[int] = []
    for day in days:
        today = TODAY + timedelta(days=day)
        plan = plan_tiers(expiration, today, tiers, noted)
        if plan.raise_tier is not None:
            days_left = (expiration - today).days
            assert plan.raise_tier == min(t for t in tiers if t >= days_left)
            assert plan.raise_tier not in noted and not noted.intersection(plan.passed)
            raised.append(plan.raise_tier)
            noted |= {plan.raise_tier, *plan.passed}
    assert len(raised) == len(set(raised))


@hypothesis_settings(max_examples=25, deadline=None)
@given(expirations=st.lists(st.integers(min_value=0, max_value=150), min_size=1, max_size=4),
       days=st.lists(st.integers(min_value=0, max_value=150), min_size=1, max_size=5))
def test_scanning_the_database_on_any_dates_raises_each_policy_tier_at_most_once(tmp_path_factory, expirations, days):
    from services.accounts.models import Client, Policy, metadata
    from shared.kit.db import Database

    db = Database(f"sqlite:///{tmp_path_factory.mktemp('property') / 'accounts.db'}")
    metadata.create_all(db.engine)
    with db.transaction() as session:
        client = Client(id="c-1", program="transportation", name="Delta", name_key="delta", status="client")
        session.add(client)
        for index, expires_in in enumerate(expirations):
            session.add(Policy(id=f"p-{index}", client=client, line_of_business="GL", policy_number=f"N-{index}",
                               carrier_name="Sierra", market_key="naic:12345", effective_date=date(2025, 1, 1),
                               expiration_date=TODAY + timedelta(days=expires_in), premium_amount=1000,
                               coverages=[]))
    for day in days:
        _scan(db, TODAY + timedelta(days=day))
    events = emitted(db, "accounts.renewal.due")
    keys = [(e["data"]["policy"]["policy_id"], e["data"]["lead_days"]) for e in events]
    assert len(keys) == len(set(keys))
    with db.transaction() as session:
        requests = session.scalars(select(Activity.source_key).where(Activity.type == "request_renewal_info")).all()
    assert sorted(requests) == sorted(f"{p}:{t}" for p, t in keys)
    db.dispose()

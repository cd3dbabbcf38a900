"""Credentials with an expiration date: a licence or permit running out is diarised for the
account manager once per credential and date, by the renewal-scan command and the worker."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.accounts.__main__ import main as cli
from services.accounts.domain.credential_expiry import configured_expiry_days, watch_credentials
from services.accounts.messaging.worker import renewal_scan_task
from services.accounts.models import Activity
from services.accounts.tests.helpers import create_client
from shared.kit.db import utcnow

TODAY = date(2026, 11, 27)


def _watch(db, today=TODAY, days=60):
    with db.transaction() as session:
        return watch_credentials(session, today, days).opened


def _activities(db):
    with db.transaction() as session:
        return [(a.subject, a.assignee, a.due_on, a.priority) for a in session.scalars(
            select(Activity).where(Activity.type == "credential_renewal").order_by(Activity.due_on, Activity.id))]


@pytest.fixture
def contractor(http, auth):
    headers = auth(programs=["construction"])
    return headers, create_client(http, headers, program="construction", name="Sierra Ridge Roofing", credentials=[
        {"kind": "CSLB_LICENSE", "number": "1012345", "expires_on": (TODAY + timedelta(days=30)).isoformat(),
         "classifications": ["B"]},
        {"kind": "DPR_LICENSE", "number": "34567", "expires_on": (TODAY + timedelta(days=90)).isoformat()},
        {"kind": "WCIRB_BUREAU", "number": "12345678"}])


def test_a_licence_expiring_within_the_lead_time_is_diarised_once(http, auth, db, contractor):
    assert _watch(db) == 1
    [(subject, assignee, due_on, priority)] = _activities(db)
    assert subject.startswith("CSLB contractor licence 1012345 expires 2026-12-27")
    assert (assignee, due_on, priority) == ("am.garcia", TODAY + timedelta(days=16), "normal")
    assert _watch(db) == 0 and _watch(db, TODAY + timedelta(days=1)) == 0
    # 90 days out is beyond 60; a longer lead time reaches it.
    assert _watch(db, days=120) == 1


def test_a_renewed_licence_with_its_new_date_is_diarised_again_when_that_comes_near(http, auth, db, contractor):
    headers, client = contractor
    assert _watch(db) == 1
    renewed = [{**c, "expires_on": "2028-12-27"} if c["kind"] == "CSLB_LICENSE" else c for c in client["credentials"]]
    assert http.patch(f"/api/v1/clients/{client['id']}", headers=headers,
                      json={"credentials": renewed}).status_code == 200
    assert _watch(db) == 0
    assert _watch(db, date(2028, 11, 20)) == 1
    assert len(_activities(db)) == 2


def test_a_lapsed_licence_is_urgent_and_a_former_clients_are_not_watched(http, auth, db, contractor):
    headers, client = contractor
    assert _watch(db, TODAY + timedelta(days=35), days=30) == 1  # the DPR licence is 55 days out
    [(subject, _assignee, due_on, priority)] = _activities(db)
    assert "expired 2026-12-27" in subject and priority == "high" and due_on == TODAY + timedelta(days=35)
    http.patch(f"/api/v1/clients/{client['id']}", headers=headers, json={"status": "former"})
    assert _watch(db, TODAY + timedelta(days=60), days=120) == 0


def test_the_scan_command_and_the_worker_watch_credentials(http, auth, db, settings, monkeypatch, capsys,
                                                            contractor):
    monkeypatch.setenv("ACCOUNTS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    assert cli(["renewal-scan", "--today", TODAY.isoformat()]) == 0
    assert "1 expiring credentials diarised" in capsys.readouterr().out
    monkeypatch.setenv("CREDENTIAL_EXPIRY_DAYS", "0")
    assert cli(["renewal-scan", "--today", TODAY.isoformat()]) == 2
    assert "CREDENTIAL_EXPIRY_DAYS" in capsys.readouterr().err
    # The worker's task watches as of today: the CSLB licence is 30 days from TODAY.
    monkeypatch.setenv("CREDENTIAL_EXPIRY_DAYS", str(max(1, min(365, (TODAY - utcnow().date()).days + 31))))
    renewal_scan_task(db, settings)
    assert len(_activities(db)) == 1


@pytest.mark.parametrize("raw, days", [("", 60), ("90", 90), ("365", 365)])
def test_the_lead_time_is_configurable(monkeypatch, raw, days):
    monkeypatch.setenv("CREDENTIAL_EXPIRY_DAYS", raw)
    assert configured_expiry_days() == days


@pytest.mark.parametrize("raw", ["0", "366", "-5", "sixty", "1.5"])
def test_a_bad_lead_time_is_refused(monkeypatch, raw):
    monkeypatch.setenv("CREDENTIAL_EXPIRY_DAYS", raw)
    with pytest.raises(ValueError, match="CREDENTIAL_EXPIRY_DAYS"):
        configured_expiry_days()

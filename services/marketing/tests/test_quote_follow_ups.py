"""Quote-due follow-ups: a market sent a submission that has not answered by the respond-by
date raises marketing.quote.overdue once per (submission, market), on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from services.marketing.domain.follow_ups import raise_overdue_quotes
from services.marketing.messaging.tasks import QUOTE_FOLLOW_UPS, chase_overdue_quotes
from services.marketing.messaging import worker
from services.marketing.models import Submission
from shared import testing
from shared.kit.audit import history
from shared.kit.db import utcnow

from .helpers import answer, emitted, golden_submission_sent

GOLDEN, PACIFIC = "golden-state-casualty", "pacific-crest-specialty"


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path):
    if request.param == "sqlite":
        settings, db = testing.migrated("marketing", tmp_path)
    else:
        url = request.getfixturevalue("postgres_url_for")(f"marketing_{uuid.uuid4().hex[:8]}")
        settings, db = testing.migrated("marketing", tmp_path, database_url=url)
    submission_id = golden_submission_sent(db)
    with db.transaction() as session:
        respond_by = session.get(Submission, submission_id).respond_by
    yield settings, db, submission_id, respond_by
    db.dispose()


def raise_on(db, day):
    with db.transaction() as session:
        return raise_overdue_quotes(session, day)


class TestQuoteOverdue:
    def test_only_the_market_that_has_not_answered_is_chased_once(self, world):
        _settings, db, submission_id, respond_by = world
        assert answer(db, submission_id, 0) == "processed"
        assert raise_on(db, respond_by) == []  # the respond-by date itself is still in time
        assert raise_on(db, respond_by + timedelta(days=1)) == [(submission_id, PACIFIC)]
        assert raise_on(db, respond_by + timedelta(days=2)) == []
        (event,) = emitted(db, "marketing.quote.overdue")
        data = event["data"]
        assert (data["market_id"], data["market_name"], data["respond_by"]) == (
            PACIFIC, "Pacific Crest Specialty", respond_by.isoformat())
        assert data["insured_name"] == "Delta Valley Freight LLC" and set(data["lines"]) == {"GL", "AUTO"}
        with db.transaction() as session:
            trail = [e for e in history(session, "submission", submission_id) if e["action"] == "submission.quote_overdue"]
        assert [(e["actor"], e["details"]["market_id"]) for e in trail] == [("service:marketing", PACIFIC)]

    def test_an_answer_after_the_date_is_not_chased_and_a_late_answer_does_not_re_raise(self, world):
        _settings, db, submission_id, respond_by = world
        assert answer(db, submission_id, 1) == "processed"  # Pacific Crest declines in time
        assert raise_on(db, respond_by + timedelta(days=1)) == [(submission_id, GOLDEN)]
        assert answer(db, submission_id, 0) == "processed"  # Golden State quotes late
        assert raise_on(db, respond_by + timedelta(days=3)) == []
        assert len(emitted(db, "marketing.quote.overdue")) == 1


def test_a_bound_or_closed_submission_is_never_chased(db, settings):
    submission_id = golden_submission_sent(db)
    with db.transaction() as session:
        session.execute(update(Submission).where(Submission.id == submission_id).values(status="closed"))
    assert raise_on(db, utcnow().date() + timedelta(days=365)) == []


def test_the_worker_task_chases_markets_past_the_date(db, settings):
    submission_id = golden_submission_sent(db)
    with db.transaction() as session:
        session.execute(update(Submission).where(Submission.id == submission_id)
                        .values(respond_by=utcnow().date() - timedelta(days=1)))
    chase_overdue_quotes(db, settings)
    chase_overdue_quotes(db, settings)
    assert sorted(e["data"]["market_id"] for e in emitted(db, "marketing.quote.overdue")) == [GOLDEN, PACIFIC]


def test_the_worker_runs_the_follow_ups_among_its_periodic_tasks(monkeypatch):
    started = {}
    monkeypatch.setattr(worker, "run_worker", lambda service, handlers, **kwargs: started.update(kwargs))
    worker.main()
    assert QUOTE_FOLLOW_UPS in started["tasks"] and QUOTE_FOLLOW_UPS.run is chase_overdue_quotes

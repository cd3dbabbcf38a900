"""The worker's business gauges count open submissions and answers per market."""
from __future__ import annotations

from services.marketing.messaging.tasks import OPEN_SUBMISSIONS, QUOTES_RECEIVED, refresh_gauges

from .helpers import answer, golden_submission_sent


def test_gauges_count_open_submissions_and_answers_per_market(db, settings):
    submission_id = golden_submission_sent(db)
    answer(db, submission_id, 0)
    answer(db, submission_id, 1)
    refresh_gauges(db, settings)
    assert OPEN_SUBMISSIONS.labels("quoted")._value.get() == 1
    assert OPEN_SUBMISSIONS.labels("draft")._value.get() == 0
    assert QUOTES_RECEIVED.labels("golden-state-casualty", "quoted")._value.get() == 1
    assert QUOTES_RECEIVED.labels("pacific-crest-specialty", "declined")._value.get() == 1

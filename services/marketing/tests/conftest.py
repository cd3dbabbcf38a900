"""Fixtures: a migrated marketing database per test (copied from one migrated template),
the app on it, tokens for any user, roles and programs, and the golden renewal path
through the API one step at a time (markets, draft, sent, answered)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from shared.kit.db import utcnow
from shared.service_fixtures import *  # noqa: F401,F403 - migrated_template, settings, app, http, db, auth

from .helpers import AM, GOLDEN_MARKETS, PM, PRODUCER, answer, deliver_accounts_examples, market_body


@pytest.fixture(scope="session")
def service_name():
    return "marketing"


# -- the golden path through the API, step by step --------------------------------------

@pytest.fixture
def markets(http, auth):
    """Both golden markets, added by a program manager."""
    for market_id in GOLDEN_MARKETS:
        response = http.post("/api/v1/markets", json=market_body(market_id), headers=auth(**PM))
        assert response.status_code == 201, response.get_json()
    return list(GOLDEN_MARKETS)


@pytest.fixture
def draft(db, http, auth, markets):
    """The draft renewal submission the golden renewal notices opened."""
    deliver_accounts_examples(db)
    listing = http.get("/api/v1/submissions?status=draft", headers=auth(**AM)).get_json()
    (submission,) = listing["items"]
    return submission


@pytest.fixture
def sent(http, auth, draft, markets):
    """The draft with both markets chosen, approved by the producer and sent."""
    sid = draft["id"]
    assert http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": markets},
                    headers=auth(**AM)).status_code == 200
    assert http.post(f"/api/v1/submissions/{sid}/approve", headers=auth(**PRODUCER)).status_code == 200
    response = http.post(f"/api/v1/submissions/{sid}/send", json={}, headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def answered(db, sent):
    """Golden State quoted (valid for 60 more days), Pacific Crest declined."""
    valid_until = (utcnow().date() + timedelta(days=60)).isoformat()
    assert answer(db, sent["id"], 0, valid_until=valid_until) == "processed"
    assert answer(db, sent["id"], 1) == "processed"
    return sent

"""Each market's status on a submission: acknowledged over the carrier contract (golden
examples) or by hand, answered, expired past valid-until, lost when another market binds;
illegal moves refused; every change audited and shown with its history."""
from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.marketing.domain import market_status
from services.marketing.domain.expiry import expire_quotes
from services.marketing.models import Quote, SubmissionMarket
from shared import testing
from shared.kit.consumer import Rejected
from shared.kit.db import utcnow

from .helpers import (
    AM, GOLDEN_SUBMISSION, PRODUCER, add_markets, answer, bind_and_confirm, broker_user, carrier_envelope, deliver,
    emitted, golden_submission_sent, quote_data, quote_envelope, quote_ids,
)

GOLDEN, DECLINING, THIRD = "golden-state-casualty", "pacific-crest-specialty", "harbor-point-insurance"


def _entry(db, market_id, submission_id=GOLDEN_SUBMISSION) -> SubmissionMarket:
    with db.transaction() as session:
        entry = session.scalars(select(SubmissionMarket).where(SubmissionMarket.submission_id == submission_id,
                                                               SubmissionMarket.market_id == market_id)).one()
        session.expunge(entry)
        return entry


def _replies(db):
    return [(e["data"]["in_reply_to"], e["data"]["outcome"], e["data"]["reasons"])
            for e in emitted(db, "carrier.quote.replied")]


def test_the_transition_table_allows_only_the_lifecycle():
    assert market_status.allowed("sent", "acknowledged") and market_status.allowed("acknowledged", "quoted")
    assert market_status.allowed("quoted", "expired") and market_status.allowed("expired", "quoted")
    assert market_status.allowed("quoted", "bind_requested") and market_status.allowed("bind_requested", "bound")
    assert not market_status.allowed("draft", "acknowledged")
    assert not market_status.allowed("declined", "bound")
    assert not market_status.allowed("bound", "lost") and not market_status.allowed("lost", "quoted")
    assert not market_status.allowed("quoted", "acknowledged")
    assert set(market_status.TRANSITIONS) == set(market_status.STATUSES)


def test_every_golden_acknowledgement_is_recorded_once_and_answered(db):
    golden_submission_sent(db)
    examples = testing.examples("carrier.submission.acknowledged")
    for envelope in examples:
        assert deliver(db, envelope, user_id=broker_user(envelope["data"]["market_id"])) == "processed"
    resent = {**copy.deepcopy(examples[0]), "id": "resent-ack-1"}
    assert deliver(db, resent, user_id=broker_user(GOLDEN)) == "processed"
    assert _replies(db) == [(examples[0]["id"], "accepted", []), (examples[1]["id"], "accepted", []),
                            ("resent-ack-1", "duplicate", [])]
    golden = _entry(db, GOLDEN)
    assert golden.status == "acknowledged" and golden.carrier_submission_ref == "GSC-S-55120"
    assert golden.underwriter["name"] == "J. Alvarez" and golden.acknowledged_at is not None
    assert _entry(db, DECLINING).status == "acknowledged"


def test_acknowledgements_that_cannot_be_taken_are_dead_lettered(db):
    golden_submission_sent(db)
    envelope = testing.examples("carrier.submission.acknowledged")[0]
    forged = deliver(db, envelope, user_id=broker_user(DECLINING))
    assert isinstance(forged, Rejected) and forged.kind == "forged_market"
    stray = carrier_envelope("carrier.submission.acknowledged",
                             {**envelope["data"], "submission_id": "no-such-submission"})
    unknown = deliver(db, stray, user_id=broker_user(GOLDEN))
    assert isinstance(unknown, Rejected) and unknown.kind == "unknown_submission"
    assert _entry(db, GOLDEN).status == "sent"


def test_a_late_acknowledgement_does_not_undo_a_quote_and_the_history_shows_every_move(db, http, auth, answered):
    sid = answered["id"]
    ack = carrier_envelope("carrier.submission.acknowledged", {"market_id": GOLDEN, "submission_id": sid})
    assert deliver(db, ack, user_id=broker_user(GOLDEN)) == "processed"
    detail = http.get(f"/api/v1/submissions/{sid}/markets/{GOLDEN}", headers=auth(**AM)).get_json()
    assert detail["status"] == "quoted" and detail["acknowledged_at"] is not None
    assert [(h["from"], h["to"]) for h in detail["history"]] == [("draft", "sent"), ("sent", "quoted")]
    assert detail["history"][0]["by"] == "user:am.garcia" and detail["history"][1]["by"] == f"carrier:{GOLDEN}"
    assert "bind_requested" in detail["allowed_next"]
    listing = http.get(f"/api/v1/submissions/{sid}", headers=auth(**AM)).get_json()
    assert {m["market_id"]: m["status"] for m in listing["markets"]} == {GOLDEN: "quoted", DECLINING: "declined"}


def test_keyed_status_changes_are_validated_and_audited(db, http, auth, sent):
    sid = sent["id"]
    url = f"/api/v1/submissions/{sid}/markets/{GOLDEN}/status"
    response = http.post(url, json={"status": "acknowledged", "carrier_submission_ref": "GSC-S-1",
                                    "underwriter": {"name": "J. Alvarez", "email": "ja@gsc.example"},
                                    "reason": "Underwriter emailed"}, headers=auth(**AM))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "acknowledged"
    assert response.get_json()["history"][-1] == {**response.get_json()["history"][-1], "from": "sent",
                                                  "to": "acknowledged", "reason": "Underwriter emailed"}
    assert http.post(url, json={"status": "acknowledged"}, headers=auth(**AM)).status_code == 409
    assert http.post(url, json={"status": "quoted"}, headers=auth(**AM)).status_code == 422
    assert http.post(f"/api/v1/submissions/{sid}/markets/nope/status", json={"status": "lost"},
                     headers=auth(**AM)).status_code == 404
    assert answer(db, sid, 1) == "processed"  # Pacific Crest declines
    declined = http.post(f"/api/v1/submissions/{sid}/markets/{DECLINING}/status", json={"status": "lost"},
                         headers=auth(**AM))
    assert declined.status_code == 409 and "declined" in declined.get_json()["detail"]
    lost = http.post(url, json={"status": "lost", "reason": "Client chose to stay with incumbent"},
                     headers=auth(**AM))
    assert lost.status_code == 200 and lost.get_json()["status"] == "lost"


def test_a_quote_past_its_valid_until_expires_once_cannot_be_bound_and_a_revision_revives_it(db, http, auth, sent):
    sid = sent["id"]
    today = utcnow().date()
    stale = quote_data(sid, GOLDEN, ref="GSC-X", valid_days=-1)
    assert deliver(db, quote_envelope(stale), user_id=broker_user(GOLDEN)) == "processed"
    with db.transaction() as session:
        (expired,) = expire_quotes(session, today)
    with db.transaction() as session:
        assert expire_quotes(session, today) == []
        assert session.get(Quote, expired).expired_at is not None
    assert _entry(db, GOLDEN, sid).status == "expired"
    quote = http.get(f"/api/v1/quotes/{expired}", headers=auth(**AM)).get_json()
    assert quote["expired_at"] is not None
    refused = http.post(f"/api/v1/quotes/{expired}/bind", json={}, headers=auth(**AM))
    assert refused.status_code == 409 and "expired" in refused.get_json()["detail"]
    fresh = quote_data(sid, GOLDEN, ref="GSC-X", revision=2, valid_days=30)
    assert deliver(db, quote_envelope(fresh), user_id=broker_user(GOLDEN)) == "processed"
    assert _entry(db, GOLDEN, sid).status == "quoted"
    history = [(h["from"], h["to"]) for h in http.get(f"/api/v1/submissions/{sid}/markets/{GOLDEN}",
                                                       headers=auth(**AM)).get_json()["history"]]
    assert history == [("draft", "sent"), ("sent", "quoted"), ("quoted", "expired"), ("expired", "quoted")]


def test_binding_with_one_market_loses_the_others(db, http, auth, answered):
    sid = answered["id"]
    add_markets(db, THIRD)
    assert http.post(f"/api/v1/submissions/{sid}/markets/additions", json={"market_ids": [THIRD]},
                     headers=auth(**AM)).status_code == 200
    assert http.post(f"/api/v1/submissions/{sid}/markets/additions/approve", json={},
                     headers=auth(**PRODUCER)).status_code == 200
    third = quote_data(sid, THIRD, ref="HPI-1")
    assert deliver(db, quote_envelope(third), user_id=broker_user(THIRD)) == "processed"
    bind_and_confirm(http, auth, db, quote_ids(http, auth, sid)[GOLDEN])
    markets = {m["market_id"]: m["status"] for m in http.get(f"/api/v1/submissions/{sid}",
                                                             headers=auth(**AM)).get_json()["markets"]}
    assert markets == {GOLDEN: "bound", DECLINING: "declined", THIRD: "lost"}
    history = http.get(f"/api/v1/submissions/{sid}/markets/{THIRD}", headers=auth(**AM)).get_json()["history"]
    assert history[-1]["to"] == "lost" and history[-1]["reason"] == f"bound with {GOLDEN}"


@pytest.mark.parametrize("status", ["acknowledged", "lost"])
def test_a_draft_market_cannot_be_moved_by_hand(http, auth, draft, status):
    sid = draft["id"]
    assert http.put(f"/api/v1/submissions/{sid}/markets", json={"market_ids": [GOLDEN]},
                    headers=auth(**AM)).status_code == 200
    response = http.post(f"/api/v1/submissions/{sid}/markets/{GOLDEN}/status", json={"status": status},
                         headers=auth(**AM))
    assert response.status_code == 409


def test_a_market_that_acknowledged_but_never_answered_is_still_chased(db):
    from services.marketing.domain.follow_ups import overdue_markets

    golden_submission_sent(db)
    envelope = testing.examples("carrier.submission.acknowledged")[0]
    deliver(db, envelope, user_id=broker_user(GOLDEN))
    with db.transaction() as session:
        due = overdue_markets(session, utcnow().date() + timedelta(days=400))
        assert {market.id for _entry, _submission, market in due} == {GOLDEN, DECLINING}

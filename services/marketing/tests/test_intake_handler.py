"""The carrier quote intake handler, fed with the golden examples and with the messages
that must be refused: every answer stored once, every carrier answered."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from services.marketing.messaging.handlers import on_dead_letter
from services.marketing.models import Quote, Submission, SubmissionMarket
from shared import testing
from shared.kit.consumer import Rejected
from shared.kit.topology import CARRIER_REPLIES, INTAKE_QUEUE

from .helpers import (
    GOLDEN_SUBMISSION, broker_user, deliver, emitted, golden_quote, golden_submission_sent, quote_envelope,
)


@pytest.fixture
def sent(db):
    return golden_submission_sent(db)


def _quotes(db, **where):
    with db.transaction() as session:
        query = select(Quote).order_by(Quote.revision)
        for name, value in where.items():
            query = query.where(getattr(Quote, name) == value)
        return list(session.scalars(query))


def _replies(db):
    return [(e["data"]["outcome"], e["data"]) for e in emitted(db, "carrier.quote.replied")]


def _deliver_example(db, envelope):
    return deliver(db, envelope, user_id=broker_user(envelope["data"]["market_id"]))


def test_every_golden_quote_example_is_stored_and_answered(db, sent):
    examples = testing.examples("carrier.quote.submitted")
    for envelope in examples:
        assert _deliver_example(db, envelope) == "processed"
    stored = _quotes(db)
    assert len(stored) == len(examples)
    replies = emitted(db, "carrier.quote.replied")
    assert [r["data"]["outcome"] for r in replies] == ["accepted"] * len(examples)
    assert [r["data"]["in_reply_to"] for r in replies] == [e["id"] for e in examples]
    assert all(r["_exchange"] == CARRIER_REPLIES.name and r["_routing_key"] == r["data"]["market_id"] for r in replies)


def test_golden_revision_supersedes_its_predecessor_and_keeps_the_chain(db, sent):
    for envelope in testing.examples("carrier.quote.submitted"):
        _deliver_example(db, envelope)
    first, second = _quotes(db, carrier_quote_ref="GSC-Q-778812")
    assert (first.revision, first.is_current) == (1, False)
    assert (second.revision, second.is_current, second.supersedes_id) == (2, True, first.id)
    with db.transaction() as session:
        entry = session.scalars(select(SubmissionMarket).where(
            SubmissionMarket.market_id == "golden-state-casualty")).one()
        assert entry.status == "indicated"


def test_quote_and_declination_raise_their_events_and_complete_the_comparison(db, sent):
    quote, declination, _revision = testing.examples("carrier.quote.submitted")
    _deliver_example(db, quote)
    assert emitted(db, "marketing.comparison.ready") == []
    _deliver_example(db, declination)
    received = emitted(db, "marketing.quote.received")
    declined = emitted(db, "marketing.quote.declined")
    assert [e["data"]["total_cost"]["amount"] for e in received] == ["47330.00"]
    assert declined[0]["data"]["reason"] == "Fleet radius exceeds appetite"
    ready = emitted(db, "marketing.comparison.ready")
    assert len(ready) == 1
    assert (ready[0]["data"]["quote_count"], ready[0]["data"]["declination_count"]) == (1, 1)
    requests = [r for r in emitted(db, "documents.document.requested") if r["data"]["subject_type"] == "submission"
                and r["data"]["kind"] not in ("application", "specifications", "submission_letter")]  # the package
    assert sorted(r["data"]["kind"] for r in requests) == ["comparison_xlsx", "proposal_docx"]
    payload = requests[0]["data"]["payload"]
    assert payload["agency"]["name"] == "Sacramento Programs Insurance Services"
    assert payload["comparison"]["options"][0]["quote_id"] == ready[0]["data"]["best_quote_id"]
    with db.transaction() as session:
        assert session.get(Submission, GOLDEN_SUBMISSION).status == "quoted"


def test_a_redelivered_message_takes_effect_once(db, sent):
    envelope = testing.examples("carrier.quote.submitted")[0]
    assert _deliver_example(db, envelope) == "processed"
    assert _deliver_example(db, envelope) == "duplicate"
    assert len(_quotes(db)) == 1
    assert len(emitted(db, "carrier.quote.replied")) == 1


def test_the_same_quote_sent_again_is_answered_duplicate_and_stored_once(db, sent):
    data = golden_quote(0)
    assert deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"])) == "processed"
    assert deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"])) == "processed"
    assert len(_quotes(db)) == 1
    (first, _), (second, detail) = _replies(db)
    assert (first, second) == ("accepted", "duplicate")
    assert detail["quote_id"] == _quotes(db)[0].id
    assert len(emitted(db, "marketing.quote.received")) == 1


def test_the_same_revision_with_other_content_is_rejected(db, sent):
    data = golden_quote(0)
    deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
    changed = golden_quote(0, underwriter="Someone Else")
    assert deliver(db, quote_envelope(changed), user_id=broker_user(data["market_id"])) == "processed"
    outcome, detail = _replies(db)[-1]
    assert outcome == "rejected"
    assert "revision 1 was already received with different content" in detail["reasons"][0]
    assert len(_quotes(db)) == 1


def test_an_older_revision_arriving_late_joins_the_chain_without_becoming_current(db, sent):
    user = broker_user("golden-state-casualty")
    deliver(db, testing.examples("carrier.quote.submitted")[2], user_id=user)
    deliver(db, testing.examples("carrier.quote.submitted")[0], user_id=user)
    first, second = _quotes(db, carrier_quote_ref="GSC-Q-778812")
    assert (first.revision, first.is_current, first.supersedes_id) == (1, False, None)
    assert (second.revision, second.is_current, second.supersedes_id) == (2, True, first.id)
    assert len(emitted(db, "marketing.quote.received")) == 1


def test_a_quote_published_by_another_markets_user_is_dead_lettered_as_forged(db, sent):
    envelope = testing.examples("carrier.quote.submitted")[0]
    result = deliver(db, envelope, user_id=broker_user("pacific-crest-specialty"))
    assert result.kind == "forged_market"
    assert _quotes(db) == []


def test_a_quote_without_a_vouched_publisher_is_dead_lettered_as_forged(db, sent):
    result = deliver(db, testing.examples("carrier.quote.submitted")[0], user_id=None)
    assert result.kind == "forged_market"


def test_unknown_market_and_unknown_submission_are_dead_lettered(db, sent):
    unknown_market = deliver(db, quote_envelope(golden_quote(0, market_id="nobody-mutual")), user_id="carrier-x")
    assert unknown_market.kind == "unknown_market"
    unknown_submission = deliver(db, quote_envelope(golden_quote(0, submission_id="no-such-submission")),
                                 user_id=broker_user("golden-state-casualty"))
    assert unknown_submission.kind == "unknown_submission"
    assert _quotes(db) == [] and emitted(db, "carrier.quote.replied") == []


def test_a_line_that_was_not_requested_is_rejected_with_the_reason(db, sent):
    data = golden_quote(0)
    data["lines"][0]["line_of_business"] = "WC"
    deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
    outcome, detail = _replies(db)[-1]
    assert outcome == "rejected" and "line WC was not requested" in detail["reasons"][0]
    assert _quotes(db) == []


def test_a_dead_lettered_intake_message_gets_a_rejected_reply_sent_to_its_publisher(db, sent):
    envelope = quote_envelope(golden_quote(0))
    refused = Rejected(raw=SimpleNamespace(properties={"message_id": envelope["id"]}), queue=INTAKE_QUEUE,
                       kind="forged_market", reason="broker user may not answer for market golden-state-casualty",
                       envelope=envelope, user_id=broker_user("pacific-crest-specialty"))
    with db.transaction() as session:
        on_dead_letter(session, refused)
    (reply,) = emitted(db, "carrier.quote.replied")
    assert reply["_routing_key"] == "pacific-crest-specialty"
    assert reply["data"]["outcome"] == "rejected"
    assert reply["data"]["reasons"][0].startswith("forged_market:")
    assert reply["data"]["in_reply_to"] == envelope["id"]


def test_a_malformed_intake_message_from_a_known_publisher_is_answered(db, sent):
    refused = Rejected(raw=SimpleNamespace(properties={"message_id": "m-1"}), queue=INTAKE_QUEUE,
                       kind="malformed", reason="body is not valid JSON", envelope=None,
                       user_id=broker_user("golden-state-casualty"))
    with db.transaction() as session:
        on_dead_letter(session, refused)
    (reply,) = emitted(db, "carrier.quote.replied")
    assert (reply["data"]["in_reply_to"], reply["data"]["market_id"]) == ("m-1", "golden-state-casualty")


def test_dead_letters_from_strangers_or_other_queues_get_no_reply(db, sent):
    for refused in (
        Rejected(raw=None, queue=INTAKE_QUEUE, kind="malformed", reason="x", user_id="stranger"),
        Rejected(raw=None, queue="marketing.events", kind="schema_violation", reason="x",
                 envelope={"type": "accounts.client.registered"}, user_id=broker_user("golden-state-casualty")),
    ):
        with db.transaction() as session:
            on_dead_letter(session, refused)
    assert emitted(db, "carrier.quote.replied") == []


def test_a_schema_violation_is_refused_before_the_handler(db, sent):
    data = golden_quote(0)
    data["lines"][0]["premium"] = {"amount": 8990.5, "currency": "USD"}
    result = deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
    assert result.kind == "schema_violation"
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Quote)) == 0


def test_after_binding_a_new_answer_is_rejected_and_a_resent_one_is_a_duplicate(db, sent):
    from services.marketing.domain import binding

    data = golden_quote(0, valid_until=None)
    deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
    with db.transaction() as session:
        binding.order(session, session.scalars(select(Quote)).one(), {}, "user:am.garcia", date(2026, 11, 27),
                      binding.BindRules(confirmation="immediate"))
    deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
    deliver(db, quote_envelope(golden_quote(0, valid_until=None, revision=3)), user_id=broker_user(data["market_id"]))
    outcomes = [(outcome, detail["reasons"]) for outcome, detail in _replies(db)]
    assert outcomes == [("accepted", []), ("duplicate", []),
                        ("rejected", ["the submission is bound and takes no more quotes"])]


def test_a_quote_reference_reused_for_another_submission_is_rejected(db, sent):
    data = golden_quote(0)
    deliver(db, quote_envelope(data), user_id=broker_user(data["market_id"]))
    with db.transaction() as session:
        other = session.get(Submission, GOLDEN_SUBMISSION)
        session.expunge(other)
    with db.transaction() as session:
        clone = Submission(**{c.key: getattr(other, c.key) for c in Submission.__table__.columns if c.key != "id"},
                           id="other-submission")
        session.add(clone)
        session.flush()
        session.add(SubmissionMarket(submission_id="other-submission", market_id=data["market_id"], status="sent",
                                     sent_at=other.sent_at))
    deliver(db, quote_envelope({**data, "submission_id": "other-submission", "revision": 2}),
            user_id=broker_user(data["market_id"]))
    outcome, detail = _replies(db)[-1]
    assert outcome == "rejected" and "belongs to another submission" in detail["reasons"][0]

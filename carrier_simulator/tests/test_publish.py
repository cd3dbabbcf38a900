"""Ready-made quotes and poison messages, judged by the platform's own consumer."""
from __future__ import annotations

import json
from datetime import date

import pytest
from kombu.exceptions import ContentDisallowed

from shared import testing
from shared.contracts.carrier import INTAKE_TYPE
from shared.kit.consumer import Delivery, Rejected, ServiceConsumer

from carrier_simulator.publish import POISON_KINDS, poison_messages, quote_envelopes, submission_for


class _Message:
    """A delivered intake message as the platform's consumer sees it."""

    def __init__(self, body: bytes, user_id: str):
        self.body = body
        self.properties = {"user_id": user_id, "message_id": None}
        self.headers = {}
        self.delivery_info = {"routing_key": "carrier.quote.submitted", "exchange": "carrier.intake"}
        self.content_type = "application/json"
        self.content_encoding = "utf-8"

    def decode(self):
        if self.content_type != "application/json":
            raise ContentDisallowed(self.content_type)
        return json.loads(self.body)


@pytest.fixture
def intake(tmp_path):
    settings = testing.embedded_settings("marketing", tmp_path)
    return ServiceConsumer(settings, None, [], {INTAKE_TYPE: lambda session, delivery: None}, name="intake")


def test_generated_quotes_are_valid_and_distinct(fleet, intake):
    market = fleet["golden-state-casualty"]
    envelopes = quote_envelopes(submission_for("sub-bench", market.id), market, 300, today=date(2026, 11, 27))
    deliveries = [intake.prepare(_Message(json.dumps(e).encode(), market.broker_user), "intake") for e in envelopes]
    assert all(isinstance(d, Delivery) for d in deliveries)
    assert len({d.message_id for d in deliveries}) == 300
    assert len({(d.data["carrier_quote_ref"], d.data["revision"]) for d in deliveries}) == 300
    assert {d.data["submission_id"] for d in deliveries} == {"sub-bench"}
    assert {d.data["market_id"] for d in deliveries} == {market.id}


def test_poison_messages_get_the_dead_letter_kind_they_are_labelled_with(fleet, intake):
    market, forger = fleet["golden-state-casualty"], fleet["pacific-crest-specialty"]
    poisons = poison_messages(submission_for("sub-poison", market.id), market, forger,
                              max_message_bytes=intake.settings.max_message_bytes)
    assert [p.kind for p in poisons] == list(POISON_KINDS)
    for poison in poisons:
        outcome = intake.prepare(_Message(poison.body, poison.user_id), "intake")
        if poison.kind == "forged_market":
            # Well formed: marketing's handler refuses it because the publisher is another market.
            assert isinstance(outcome, Delivery)
            assert outcome.data["market_id"] == market.id and outcome.user_id == forger.broker_user
        else:
            assert isinstance(outcome, Rejected), poison.kind
            assert outcome.kind == poison.kind, outcome.reason

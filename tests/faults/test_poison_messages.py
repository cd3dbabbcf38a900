"""Poison messages interleaved with a stream of valid quotes: malformed JSON, a schema
violation, an unknown contract version, an oversized body and an answer forged by another
carrier's broker user.  Each lands in ``marketing.intake.dlq`` with its kind and reason,
each publisher gets a "rejected" reply, and every valid quote behind them is processed:
the queue never blocks."""
from __future__ import annotations

from collections import Counter

import pytest

from carrier_simulator.publish import POISON_KINDS, poison_messages, submission_for
from shared import testing
from shared.kit.topology import INTAKE_QUEUE

from .stack import FORGING_MARKET, QUOTING_MARKET, IntakeStack, assert_every_quote_stored_and_accepted_once, fleet_market

pytestmark = pytest.mark.faults

VALID, POISON_ROUNDS = 1000, 10
REASONS = {  # what each kind's x-dead-letter-reason says
    "malformed": "body is not valid JSON",
    "schema_violation": "Give decimals as strings",
    "unknown_version": "unknown version 7 of carrier.quote.submitted",
    "oversized": "exceeds 262144",
    "forged_market": f"broker user 'sim-{FORGING_MARKET}' may not answer for market '{QUOTING_MARKET}'",
}


def interleaved(stack: IntakeStack, quotes: list[dict]) -> tuple[list, list]:
    """A poison round first, then each further round spread through a chunk of quotes."""
    submission = submission_for(stack.submission_id, QUOTING_MARKET)
    quoting, forger = fleet_market(QUOTING_MARKET), fleet_market(FORGING_MARKET)
    rounds = [poison_messages(submission, quoting, forger) for _ in range(POISON_ROUNDS)]
    stream = list(rounds[0])
    chunk = len(quotes) // (POISON_ROUNDS - 1)
    for number, poison in enumerate([list(r) for r in rounds[1:]]):
        valid = quotes[number * chunk:(number + 1) * chunk if number < POISON_ROUNDS - 2 else len(quotes)]
        step = max(1, len(valid) // len(poison))
        for index, message in enumerate(valid):
            stream.append(message)
            if index % step == step - 1 and poison:
                stream.append(poison.pop())
        stream.extend(poison)
    return stream, [p for r in rounds for p in r]


def test_poison_messages_are_dead_lettered_with_their_reason_and_never_block_the_queue(intake_stack: IntakeStack):
    stack = intake_stack
    quotes = stack.quotes(VALID)
    stream, poisons = interleaved(stack, quotes)
    assert len(stream) == VALID + len(POISON_KINDS) * POISON_ROUNDS
    worker = stack.start_worker()

    publisher = stack.publisher(stream)
    publisher.start()
    publisher.finish(timeout=60)
    testing.wait_for(lambda: stack.stored_quotes() >= VALID, timeout=30, interval=0.1,
                     message=f"every valid quote stored (log: {stack.worker_log(worker)})")
    testing.wait_for(lambda: stack.outbox_backlog() == 0, timeout=30, interval=0.2, message="the outbox drained")
    letters = stack.dead_letters(expected=len(poisons))
    stack.stop_worker(worker)

    expected_kinds = {p.message_id: p.kind for p in poisons}
    assert {letter["message_id"]: letter["headers"]["x-dead-letter-kind"] for letter in letters} == expected_kinds
    assert len(letters) == len(poisons)
    for letter in letters:
        headers = letter["headers"]
        assert headers["x-original-queue"] == INTAKE_QUEUE
        assert REASONS[headers["x-dead-letter-kind"]] in headers["x-dead-letter-reason"], headers

    assert_every_quote_stored_and_accepted_once(stack, quotes)
    assert stack.intake_ready() == 0
    rejected = Counter()
    for (market_id, _ref), outcomes in stack.replies().items():
        rejected[market_id] += outcomes["rejected"]
    assert rejected == {QUOTING_MARKET: 4 * POISON_ROUNDS, FORGING_MARKET: POISON_ROUNDS}

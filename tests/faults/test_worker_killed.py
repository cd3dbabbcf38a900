"""The marketing worker killed with SIGKILL while a carrier streams 2,000 quotes in:
whatever it had not acked comes back to the next worker (a batch it had not committed is
processed again, one it had committed is recognised by the inbox), and the new worker
finishes the stream.  Every quote is stored exactly once and answered "accepted" once."""
from __future__ import annotations

import pytest

from shared import testing

from .stack import IntakeStack, assert_every_quote_stored_and_accepted_once

pytestmark = pytest.mark.faults

QUOTES = 2000


def test_a_worker_killed_mid_stream_loses_no_quote_and_stores_none_twice(intake_stack: IntakeStack):
    stack = intake_stack
    quotes = stack.quotes(QUOTES)
    first = stack.start_worker()
    publisher = stack.publisher(quotes, per_second=400)
    publisher.start()

    testing.wait_for(lambda: stack.stored_quotes() >= 300, timeout=30, interval=0.02, message="300 quotes stored")
    first.kill()
    first.wait(timeout=10)
    stored_at_kill, published_at_kill = stack.stored_quotes(), publisher.published
    assert 0 < stored_at_kill < QUOTES and published_at_kill < QUOTES, (stored_at_kill, published_at_kill)

    second = stack.start_worker()
    assert publisher.finish(timeout=60) == QUOTES
    testing.wait_for(lambda: stack.stored_quotes() >= QUOTES, timeout=60, interval=0.2,
                     message=f"{QUOTES} quotes stored (log: {stack.worker_log(second)})")
    testing.wait_for(lambda: stack.outbox_backlog() == 0, timeout=30, interval=0.2, message="the outbox drained")
    stack.stop_worker(second)

    refs = assert_every_quote_stored_and_accepted_once(stack, quotes)
    assert {ref for _market, ref in stack.replies()} == refs  # nothing was refused
    assert stack.intake_ready() == 0
    assert stack.dead_letter_depth() == 0, stack.dead_letters()

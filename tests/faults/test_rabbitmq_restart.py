"""RabbitMQ stopped and started again (``rabbitmqctl stop_app`` / ``start_app``) while a
carrier streams 2,000 quotes in.  The carrier republishes what the broker had not
confirmed, the same worker process reconnects by itself, every quote is stored exactly
once, and the events marketing recorded while the broker was down are published after it
(the outbox drains to zero).

This test stops the broker for the whole machine: it runs after every other test of the
session (see conftest.py), and the broker is running again when it ends, pass or fail."""
from __future__ import annotations

import time

import pytest

from shared import testing
from shared.kit.outbox import record_event

from .rabbitmq import rabbitmq_stopped
from .stack import IntakeStack, assert_every_quote_stored_and_accepted_once, message_ids_in, observe

pytestmark = pytest.mark.faults
STOPS_THE_BROKER = True

QUOTES = 2000
OUTAGE_EVENTS = 5
SENT = "marketing.submission.sent"


def record_during_outage(stack: IntakeStack) -> set[str]:
    """Events marketing records while the broker is down (the golden "submission sent")."""
    data = testing.examples(SENT)[0]["data"]
    with stack.db.transaction() as session:
        envelopes = [record_event(session, "marketing", SENT, data, subject=data["submission_id"])
                     for _ in range(OUTAGE_EVENTS)]
    return {envelope["id"] for envelope in envelopes}


def test_a_broker_restart_mid_stream_loses_no_quote_and_the_worker_reconnects_by_itself(intake_stack: IntakeStack):
    stack = intake_stack
    quotes = stack.quotes(QUOTES)
    observer = observe(stack.settings, "faults.observer.sent", SENT)
    worker = stack.start_worker()
    publisher = stack.publisher(quotes, per_second=300)
    publisher.start()
    testing.wait_for(lambda: stack.stored_quotes() >= 300, timeout=30, interval=0.02, message="300 quotes stored")

    with rabbitmq_stopped():
        stored_in_outage = stack.stored_quotes()
        outage_events = record_during_outage(stack)
        time.sleep(2)
        assert stack.outbox_backlog() >= OUTAGE_EVENTS  # nothing could be published
        published_in_outage = publisher.published
    assert 0 < stored_in_outage < QUOTES and published_in_outage < QUOTES, (stored_in_outage, published_in_outage)

    assert publisher.finish(timeout=90) == QUOTES
    testing.wait_for(lambda: stack.stored_quotes() >= QUOTES, timeout=60, interval=0.2,
                     message=f"{QUOTES} quotes stored (log: {stack.worker_log(worker)})")
    testing.wait_for(lambda: stack.outbox_backlog() == 0, timeout=40, interval=0.2, message="the outbox drained")
    assert worker.poll() is None and stack.workers == [worker]  # the same process, reconnected
    assert "consumer marketing lost its connection" in stack.worker_log(worker, tail=None)
    stack.stop_worker(worker)

    assert_every_quote_stored_and_accepted_once(stack, quotes)
    assert outage_events <= message_ids_in(stack.settings, observer)
    assert stack.intake_ready() == 0
    assert stack.dead_letter_depth() == 0, stack.dead_letters()

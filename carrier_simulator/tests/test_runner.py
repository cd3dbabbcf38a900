"""The simulator as a process beside the platform: submissions in through each market's
inbox, answers out on the intake exchange as the market's broker user, replies logged."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from shared import testing
from shared.kit.config import REPO_ROOT

from carrier_simulator.runner import Simulator
from carrier_simulator.tests.conftest import TODAY, Platform, renamed, submission_envelope, write_fleet

MOTOR_MARKETS = ("golden-state-casualty", "pacific-crest-specialty")


def _by_market(messages) -> dict[str, tuple[dict, object]]:
    bodies = [(json.loads(m.body), m) for m in messages]
    return {body["data"]["market_id"]: (body, m) for body, m in bodies}


def _assert_answered_as_the_market(answers, markets):
    for market in markets:
        envelope, message = answers[market.id]
        assert message.properties["user_id"] == market.broker_user
        assert message.properties["message_id"] == envelope["id"]
        assert message.content_type == "application/json"
        assert message.delivery_info["routing_key"] == "carrier.quote.submitted"
        assert envelope["type"] == "carrier.quote.submitted" and envelope["source"] == f"carrier:{market.id}"
    quote = answers[markets[0].id][0]["data"]
    declination = answers[markets[1].id][0]["data"]
    assert quote["status"] == "quoted" and quote["lines"]
    assert declination["status"] == "declined" and declination["declination_reason"] == "Fleet radius exceeds appetite"


def test_simulator_answers_one_quote_and_one_declination_on_the_filesystem_transport(embedded, fleet, golden_submissions):
    settings, platform = embedded
    markets = [renamed(fleet[i]) for i in MOTOR_MARKETS]
    for market in markets:
        platform.open_market(market)
        platform.send(submission_envelope(golden_submissions[0], market))
    platform.reply(markets[0], {"in_reply_to": "earlier-message", "market_id": markets[0].id,
                                "carrier_quote_ref": "GSC-Q-1", "revision": 1, "outcome": "rejected",
                                "reasons": ["schema violation: lines"]})
    simulator = Simulator(settings, markets, time_scale=0, today=TODAY)
    simulator.run(threading.Event(), once=True, idle_seconds=0.5)
    _assert_answered_as_the_market(_by_market(platform.answers(2)), markets)
    assert [(r["market_id"], r["outcome"], r["reasons"]) for r in simulator.replies] == [
        (markets[0].id, "rejected", ["schema violation: lines"])]


def test_a_slow_market_does_not_hold_up_a_quick_one(embedded, fleet, golden_submissions):
    settings, platform = embedded
    slow = renamed(fleet["golden-state-casualty"], delay_seconds=1.5)
    quick = renamed(fleet["pacific-crest-specialty"], delay_seconds=0.0)
    for market in (slow, quick):
        platform.open_market(market)
    platform.send(submission_envelope(golden_submissions[0], slow))
    platform.send(submission_envelope(golden_submissions[0], quick))
    simulator = Simulator(settings, [slow, quick], today=TODAY)
    started = time.monotonic()
    simulator.run(threading.Event(), once=True, idle_seconds=0.3)
    assert [s["market_id"] for s in simulator.sent] == [quick.id, slow.id]
    assert time.monotonic() - started < 6
    assert len(platform.answers(2)) == 2


def test_redelivered_submission_is_answered_with_the_same_message_ids(embedded, fleet, golden_submissions):
    settings, platform = embedded
    market = renamed(fleet["sierra-mutual"])
    platform.open_market(market)
    envelope = submission_envelope(golden_submissions[0], market)
    platform.send(envelope)
    platform.send(envelope)  # the broker delivers it again
    simulator = Simulator(settings, [market], time_scale=0, today=TODAY)
    simulator.run(threading.Event(), once=True, idle_seconds=0.5)
    sent = [(s["label"], s["message_id"]) for s in simulator.sent]
    assert len(sent) == 4 and len(set(sent)) == 2
    revisions = [json.loads(m.body)["data"]["revision"] for m in platform.answers(4)]
    assert sorted(revisions) == [1, 1, 2, 2]


def _cli(tmp_path, *args, env=None):
    environment = {**os.environ, "VAR_DIR": str(tmp_path), **(env or {})}
    environment.pop("BROKER_URL", None)
    environment.pop("SIMULATOR_BROKER_URL", None)
    return [sys.executable, "-m", "carrier_simulator", *args], environment


def test_command_line_answers_waiting_submissions_and_exits_with_once(embedded, tmp_path, fleet, golden_submissions):
    settings, platform = embedded
    fleet_file, [market, _other] = write_fleet(tmp_path / "fleet.json", ["golden-state-casualty", "sierra-mutual"])
    platform.open_market(market)
    platform.send(submission_envelope(golden_submissions[0], market))
    command, env = _cli(tmp_path, "--fleet", fleet_file, "--markets", market.id, "--once", "--time-scale", "0",
                        "--idle", "1")
    result = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    [message] = platform.answers(1)
    assert json.loads(message.body)["data"]["status"] == "quoted"
    assert f"{market.id} sent quoted r1" in result.stderr


def test_command_line_stops_cleanly_on_sigterm(tmp_path):
    command, env = _cli(tmp_path, "--markets", "golden-state-casualty,sierra-mutual")
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
    try:
        testing.wait_for(lambda: (tmp_path / "broker" / "control").exists(), timeout=20, message="simulator start")
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "link shared connected" in process.stderr.read()


@pytest.mark.rabbitmq
def test_each_market_answers_as_its_own_rabbitmq_user(rabbit_url, tmp_path, fleet, golden_submissions):
    settings = testing.embedded_settings("simulator", tmp_path, broker_url=rabbit_url)
    markets = [renamed(fleet[i]) for i in MOTOR_MARKETS]
    for market in markets:
        testing.create_carrier_user(rabbit_url, market.broker_user, market.broker_password, market.id)
    platform = Platform(settings)
    try:
        for market in markets:
            platform.open_market(market)
            platform.send(submission_envelope(golden_submissions[0], market))
        platform.reply(markets[1], {"in_reply_to": "m-1", "market_id": markets[1].id, "carrier_quote_ref": "PCS-D-1",
                                    "revision": 1, "outcome": "accepted", "reasons": [], "quote_id": "q-1"})
        simulator = Simulator(settings, markets, per_market_users=True, time_scale=0, today=TODAY)
        assert {link.settings.broker_url.split("@")[0] for link in simulator.links} == {
            f"amqp://{m.broker_user}:{m.broker_password}" for m in markets}
        stop = threading.Event()
        deadline = threading.Timer(60, stop.set)  # a refused connection must fail the test, not hang it
        deadline.start()
        try:
            simulator.run(stop, once=True, idle_seconds=1.0)
        finally:
            deadline.cancel()
        _assert_answered_as_the_market(_by_market(platform.answers(2)), markets)
        assert [(r["market_id"], r["outcome"]) for r in simulator.replies] == [(markets[1].id, "accepted")]
    finally:
        platform.close()


def _run_in_thread(simulator: Simulator) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=simulator.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


@pytest.mark.rabbitmq
def test_simulator_reconnects_after_the_broker_drops_its_connections(rabbit_url, tmp_path, fleet, golden_submissions):
    settings = testing.embedded_settings("simulator", tmp_path, broker_url=rabbit_url)
    market = renamed(fleet["golden-state-casualty"], delay_seconds=0.0)
    testing.create_carrier_user(rabbit_url, market.broker_user, market.broker_password, market.id)
    platform = Platform(settings)
    platform.open_market(market)
    simulator = Simulator(settings, [market], per_market_users=True, today=TODAY)
    stop, thread = _run_in_thread(simulator)
    try:
        link = simulator.links[0]
        testing.wait_for(lambda: link.is_open and link.generation == 1, message="first connection")
        subprocess.run(["rabbitmqctl", "close_all_user_connections", market.broker_user, "test: broker loss"],
                       check=True, capture_output=True, timeout=60)
        platform.send(submission_envelope(golden_submissions[0], market))
        [message] = platform.answers(1, timeout=40)
        assert json.loads(message.body)["data"]["status"] == "quoted"
        assert link.generation >= 2
    finally:
        stop.set()
        thread.join(timeout=15)
        platform.close()
    assert not thread.is_alive()


@pytest.mark.rabbitmq
def test_rabbitmq_refuses_a_market_publishing_as_another(rabbit_url, tmp_path, fleet, golden_submissions):
    from kombu import Connection

    from carrier_simulator.links import market_settings
    from carrier_simulator.publish import publish_quotes, quote_envelopes, submission_for

    settings = testing.embedded_settings("simulator", tmp_path, broker_url=rabbit_url)
    market, victim = renamed(fleet["cascade-excess-wholesale"]), renamed(fleet["golden-state-casualty"])
    testing.create_carrier_user(rabbit_url, market.broker_user, market.broker_password, market.id)
    [forged] = quote_envelopes(submission_for("sub-forged", victim.id), victim, 1, today=TODAY)
    own = market_settings(settings, market)
    with Connection(own.broker_url, transport_options={"confirm_publish": True}) as conn:
        with pytest.raises(Exception, match="user_id"):
            publish_quotes(conn, [forged], user_id=victim.broker_user)

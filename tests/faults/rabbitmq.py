"""Stopping and starting the RabbitMQ application on this machine (``rabbitmqctl
stop_app`` / ``start_app``), always leaving it running and accepting connections."""
from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager

from shared import testing


def _ctl(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout)


def accepting_connections() -> bool:
    return testing.rabbitmq_available()


def ensure_running(timeout: float = 120) -> None:
    """Start the application if it is stopped; return once it accepts AMQP connections."""
    deadline = time.monotonic() + timeout
    if not accepting_connections():
        _ctl("start_app", timeout=timeout)
    _ctl("await_startup", timeout=max(5.0, deadline - time.monotonic()))
    while not accepting_connections():
        if time.monotonic() > deadline:
            raise RuntimeError("RabbitMQ is not accepting connections again")
        time.sleep(0.5)


@contextmanager
def rabbitmq_stopped():
    """The broker application stopped for the duration of the block (the Erlang node
    keeps running); started again afterwards, even if the block fails."""
    try:
        stopped = _ctl("stop_app")
        assert stopped.returncode == 0, stopped.stderr
        yield
    finally:
        started = _ctl("start_app")
        ensure_running()
        assert started.returncode == 0, started.stderr

"""Start the whole platform (every web server, worker and the carrier simulator under
honcho, as `make run` does) on the embedded defaults or on RabbitMQ + PostgreSQL."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carrier_simulator.fleet import load_fleet
from shared import testing
from shared.kit.config import REPO_ROOT, SERVICES, load_settings

PORTS = {"embedded": 18100, "real": 18200}


def _env(var_dir: Path, base_port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_BROKER_URL"))}
    env.pop("DATABASE_URL", None)
    env.pop("BROKER_URL", None)
    env.update(VAR_DIR=str(var_dir), SIM_TIME_SCALE="0.2", WEB_CONCURRENCY="1", PYTHONPATH=str(REPO_ROOT))
    for i, service in enumerate(SERVICES, start=1):
        env[f"{service.upper()}_PORT"] = str(base_port + i)
        env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{base_port + i}"
    env.update(extra)
    return env


class RunningPlatform:
    def __init__(self, env: dict):
        self.env = env
        self.urls = {s: env[f"{s.upper()}_URL"] for s in SERVICES}

    def settings(self):
        old = dict(os.environ)
        os.environ.update(self.env)
        try:
            return load_settings("accounts")
        finally:
            os.environ.clear()
            os.environ.update(old)

    def command(self, *args, timeout=180):
        return subprocess.run([sys.executable, *args], env=self.env, cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=timeout)

    def log(self) -> str:
        path = Path(self.env["VAR_DIR"]) / "log" / "platform.log"
        return path.read_text()[-6000:] if path.exists() else ""


@pytest.fixture(scope="module", params=["embedded", "real"])
def platform(request, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp(f"platform-{request.param}")
    if request.param == "embedded":
        env = _env(var_dir, PORTS["embedded"])
        yield from _run(env)
        return
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    with testing.rabbit_vhost("e2e") as broker_url, testing.postgres_database("e2e") as (base, created):
        for service in SERVICES:
            testing.ensure_postgres_database(f"{base}_{service}", created)
        for market in load_fleet():
            testing.create_carrier_user(broker_url, market.broker_user, market.broker_password, market.id)
        env = _env(var_dir, PORTS["real"], BROKER_URL=broker_url, SIM_PER_MARKET_USERS="1",
                   DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{base}_{{service}}")
        yield from _run(env)


def _run(env):
    running = RunningPlatform(env)
    started = running.command("-m", "ops.run", "start", "--no-seed")
    if started.returncode != 0:
        pytest.fail(f"platform did not start: {started.stdout[-3000:]}\n{started.stderr[-3000:]}\n{running.log()}")
    try:
        yield running
    finally:
        running.command("-m", "ops.run", "stop", timeout=60)

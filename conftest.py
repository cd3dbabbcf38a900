"""Fixtures for every test in the repository (service tests and cross-service tests)."""
import os

import pytest

from shared import testing

# Every fast ContractSchema.dump in the suite (and in the processes it starts) is checked
# against marshmallow's own dump (shared/contracts/dumping.py).
os.environ.setdefault("CONTRACTS_VERIFY_FAST_DUMP", "1")


@pytest.fixture(scope="session")
def rabbit_url():
    """A RabbitMQ vhost of this test session's own (fails under CI if the server is absent)."""
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    with testing.rabbit_vhost("test") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url_for():
    """``postgres_url_for("accounts")`` → a fresh PostgreSQL database for that service."""
    testing.require_server("PostgreSQL", testing.postgres_available())
    with testing.postgres_database("test") as (base, created):
        yield lambda service: testing.ensure_postgres_database(f"{base}_{service}", created)

import pytest

from shared import testing


@pytest.fixture(scope="session")
def rabbit_url():
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    with testing.rabbit_vhost("kit") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_dbs():
    testing.require_server("PostgreSQL", testing.postgres_available())
    with testing.postgres_database("kit") as handle:
        yield handle

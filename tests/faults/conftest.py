"""Fixtures of the fault tests: marketing's intake on RabbitMQ + PostgreSQL (a quorum-queue
vhost and a database of each test's own), with carrier broker users for the quoting market
and for a market that will try to forge its answers.  The test that stops the broker runs
after every other test of the session, and the broker is running again when it ends."""
from __future__ import annotations

import pytest

from shared import testing

from .rabbitmq import ensure_running
from .stack import FORGING_MARKET, QUOTING_MARKET, IntakeStack, declare_intake, fleet_market, sent_submission


def pytest_collection_modifyitems(session, config, items):
    """Tests that stop the broker go last, so that no other test of this run sees it down."""
    stops = [item for item in items if getattr(item.module, "STOPS_THE_BROKER", False)]
    items[:] = [item for item in items if item not in stops] + stops


@pytest.fixture
def intake_stack(tmp_path):
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    ensure_running()
    with testing.rabbit_vhost("faults") as broker_url, testing.postgres_database("faults") as (base, created):
        database_url = testing.ensure_postgres_database(f"{base}_marketing", created)
        settings, db = testing.migrated("marketing", tmp_path / "var", broker_url=broker_url,
                                        database_url=database_url)
        carrier_urls = {}
        for market_id in (QUOTING_MARKET, FORGING_MARKET):
            market = fleet_market(market_id)
            carrier_urls[market_id] = testing.create_carrier_user(broker_url, market.broker_user,
                                                                  market.broker_password, market_id)
        declare_intake(settings)
        stack = IntakeStack(settings, db, sent_submission(settings, db, QUOTING_MARKET), tmp_path / "var",
                            carrier_urls)
        try:
            yield stack
        finally:
            stack.shut_down()
            db.dispose()

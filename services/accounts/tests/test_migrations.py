"""The migrations build exactly the models' schema on SQLite and PostgreSQL, and unwind."""
from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.accounts.models import metadata
from shared import testing
from shared.kit.db import make_engine
from shared.kit.migrations import alembic_config, upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accounts.db'}"
    postgres_url_for = request.getfixturevalue("postgres_url_for")
    return postgres_url_for(f"accounts_migrations_{uuid.uuid4().hex[:6]}")


def test_upgrade_head_leaves_no_drift_from_the_models_and_downgrade_unwinds(database_url, tmp_path):
    settings = testing.embedded_settings("accounts", tmp_path, database_url=database_url)
    upgrade("accounts", settings)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        command.check(alembic_config("accounts", settings))
        command.downgrade(alembic_config("accounts", settings), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()

"""The migrations build exactly the schema the models describe, on both databases."""
import pytest
from alembic import command
from sqlalchemy import inspect

from services.documents.tests.helpers import make_env
from shared.kit.db import Database
from shared.kit.migrations import alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request, tmp_path):
    overrides = {}
    if request.param == "postgresql":
        overrides["database_url"] = request.getfixturevalue("postgres_url_for")("documents_migrations")
    return make_env(tmp_path, **overrides)


def test_upgrade_to_head_leaves_no_drift_from_the_models(migrated):
    command.check(alembic_config("documents", migrated))  # raises on any difference
    db = Database(migrated.database_url)
    tables = set(inspect(db.engine).get_table_names())
    db.dispose()
    assert {"document", "outbox", "inbox", "audit_log", "alembic_version"} <= tables


def test_downgrade_to_base_and_upgrade_again(migrated):
    config = alembic_config("documents", migrated)
    command.downgrade(config, "base")
    db = Database(migrated.database_url)
    assert "document" not in inspect(db.engine).get_table_names()
    db.dispose()
    command.upgrade(config, "head")
    command.check(config)

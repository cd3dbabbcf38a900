"""The migrations build exactly the models' schema on SQLite and on PostgreSQL."""
import pytest
from alembic import command

from services.compliance.tests.conftest import make_env
from shared.kit.migrations import alembic_config


def test_sqlite_migrations_match_the_models(tmp_path):
    env = make_env(tmp_path)
    command.check(alembic_config("compliance", env.settings))  # raises on drift


@pytest.mark.postgres
def test_postgresql_migrations_match_the_models_and_run_down_and_up(tmp_path, postgres_url_for):
    env = make_env(tmp_path, postgres_url_for("compliance"))
    config = alembic_config("compliance", env.settings)
    command.check(config)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)

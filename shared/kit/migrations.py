"""Alembic, the same way in every service: each service keeps its revisions in
``services/<name>/migrations`` with a two-line ``env.py`` that calls :func:`run_env`."""
from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from shared.kit.config import REPO_ROOT, Settings, load_settings
from shared.kit.db import KIT_METADATA, make_engine


def alembic_config(service: str, settings: Settings | None = None) -> Config:
    settings = settings or load_settings(service)
    config = Config()
    config.set_main_option("script_location", str(REPO_ROOT / "services" / service / "migrations"))
    config.attributes["database_url"] = settings.database_url
    return config


def upgrade(service: str, settings: Settings | None = None, revision: str = "head") -> None:
    settings = settings or load_settings(service)
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, settings), revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``."""
    url = context.config.attributes.get("database_url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_kit_tables(op) -> None:
    """Used by each service's first revision: the outbox, inbox and audit log."""
    KIT_METADATA.create_all(op.get_bind())


def drop_kit_tables(op) -> None:
    KIT_METADATA.drop_all(op.get_bind())

"""Fixtures: a migrated accounts database per test (copied from one migrated template),
the app on it, and tokens for any user, roles and programs."""
from __future__ import annotations

import shutil

import pytest

from services.accounts import create_app
from shared import testing
from shared.kit.auth import mint_token
from shared.kit.db import Database
from shared.kit.migrations import upgrade


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    directory = tmp_path_factory.mktemp("accounts-template")
    settings = testing.embedded_settings("accounts", directory)
    upgrade("accounts", settings)
    return directory / "accounts.db"


@pytest.fixture
def settings(tmp_path, migrated_template):
    settings = testing.embedded_settings("accounts", tmp_path)
    shutil.copy(migrated_template, tmp_path / "accounts.db")
    return settings


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def db(settings):
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def auth(settings):
    """``auth("am.garcia", roles=[...], programs=[...])`` -> request headers."""
    def headers(user="am.garcia", roles=("account_manager",), programs=("transportation",)):
        return {"Authorization": "Bearer " + mint_token(settings, user, roles=list(roles), programs=list(programs))}

    return headers

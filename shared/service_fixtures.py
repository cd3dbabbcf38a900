"""Fixtures a service's tests share: a migrated database per test (copied from one
migrated template per session), the app on it, the test client, the database, and
tokens for any user, roles and programs.

In a service's ``tests/conftest.py``::

    from shared.service_fixtures import *  # noqa: F401,F403

    @pytest.fixture(scope="session")
    def service_name():
        return "accounts"
"""
from __future__ import annotations

import importlib
import shutil

import pytest

from shared import testing
from shared.kit.auth import mint_token
from shared.kit.db import Database
from shared.kit.migrations import upgrade

__all__ = ["migrated_template", "settings", "app", "http", "db", "auth"]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, service_name):
    directory = tmp_path_factory.mktemp(f"{service_name}-template")
    upgrade(service_name, testing.embedded_settings(service_name, directory))
    return directory / f"{service_name}.db"


@pytest.fixture
def settings(tmp_path, migrated_template, service_name):
    settings = testing.embedded_settings(service_name, tmp_path)
    shutil.copy(migrated_template, tmp_path / f"{service_name}.db")
    return settings


@pytest.fixture
def app(settings, service_name):
    return importlib.import_module(f"services.{service_name}").create_app(settings)


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

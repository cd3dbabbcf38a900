"""Fixtures: a migrated accounts database per test (copied from one migrated template),
the app on it, and tokens for any user, roles and programs."""
from __future__ import annotations

import pytest

from shared.service_fixtures import *  # noqa: F401,F403 - migrated_template, settings, app, http, db, auth


@pytest.fixture(scope="session")
def service_name():
    return "accounts"

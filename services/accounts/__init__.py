"""The accounts service: the account manager's book of clients, policies and diary."""
from __future__ import annotations

from flask import Flask

from shared.kit.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from services.accounts.api import BLUEPRINTS
    from shared.kit.web import create_service_app

    return create_service_app(
        "accounts", title="Accounts API", blueprints=BLUEPRINTS, settings=settings,
        description="Clients, regulatory credentials, policy terms, renewals and the diary.",
    )

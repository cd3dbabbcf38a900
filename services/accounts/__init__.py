"""The accounts service: the account manager's book of clients, policies and diary."""
from __future__ import annotations

from flask import Flask

from shared.kit.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from services.accounts.api import BLUEPRINTS
    from services.accounts.domain.losses import large_loss_threshold
    from shared.kit.web import create_service_app

    large_loss_threshold()  # a bad LARGE_LOSS_THRESHOLD stops the service at start, not on a request

    return create_service_app(
        "accounts", title="Accounts API", blueprints=BLUEPRINTS, settings=settings,
        description="Clients, regulatory credentials, policy terms, renewals and the diary.",
    )

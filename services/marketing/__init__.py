"""The marketing service: markets, submissions, quote intake, comparison and binding."""
from __future__ import annotations

from flask import Flask

from shared.kit.config import Settings
from shared.kit.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    from services.marketing.api import BLUEPRINTS

    return create_service_app(
        "marketing", title="Marketing API", blueprints=BLUEPRINTS, settings=settings,
        description="Markets and their appetite, submissions, quotes from carriers, the coverage "
                    "comparison and binding.",
    )

"""The marketing service: markets, submissions, quote intake, comparison and binding."""
from __future__ import annotations

import os

from flask import Flask

from shared.kit.config import Settings
from shared.kit.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    from services.marketing.api import BLUEPRINTS

    app = create_service_app(
        "marketing", title="Marketing API", blueprints=BLUEPRINTS, settings=settings,
        description="Markets and their appetite, submissions, quotes from carriers, the coverage "
                    "comparison and binding.",
    )
    app.config["SURPLUS_LINES_DECLINATIONS"] = surplus_lines_declinations()
    from services.marketing.domain.binding import rules_from_env

    # How binds are confirmed and whether subjectivities hold them (BIND_CONFIRMATION,
    # BIND_REQUIRES_SUBJECTIVITIES; see services.marketing.domain.binding).
    app.config["BIND_RULES"] = rules_from_env(app.config["SURPLUS_LINES_DECLINATIONS"])
    from services.marketing.domain.submissions import program_business_from_env

    # Programs whose market lists a program manager approves too (PROGRAM_BUSINESS).
    app.config["PROGRAM_BUSINESS"] = program_business_from_env()
    return app


def surplus_lines_declinations() -> int:
    """How many admitted markets must have declined before a non-admitted market is bound
    (env MARKETING_SURPLUS_LINES_DECLINATIONS or SURPLUS_LINES_DECLINATIONS, default 3)."""
    from services.marketing.domain.surplus_lines import DEFAULT_DECLINATIONS

    raw = os.environ.get("MARKETING_SURPLUS_LINES_DECLINATIONS") or os.environ.get("SURPLUS_LINES_DECLINATIONS")
    if raw is None:
        return DEFAULT_DECLINATIONS
    if not raw.strip().isdigit():
        raise ValueError(f"SURPLUS_LINES_DECLINATIONS must be a whole number of markets, not {raw!r}")
    return int(raw)

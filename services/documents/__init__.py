"""The documents service: renders the comparison spreadsheet, the proposal and (later)
every other document the account manager produces, stores them and serves them."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from shared.kit.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    # Imported here so that the worker and the domain load without Flask.
    from services.documents.api import BLUEPRINTS
    from shared.kit.web import create_service_app

    return create_service_app(
        "documents", title="Documents API", blueprints=BLUEPRINTS, settings=settings,
        description="Rendered documents (comparison spreadsheets, proposals): metadata, download, synchronous render.",
    )

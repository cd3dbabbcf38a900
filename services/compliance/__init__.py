"""Compliance: keeps the regulators (DMV, CPUC, BHGS, CSLB, SPCB, DPR, WCIRB, FMCSA)
supplied with the filings a client's credentials require."""
from __future__ import annotations

from flask import Flask

from shared.kit.config import Settings
from shared.kit.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    from services.compliance.api import BLUEPRINTS
    from services.compliance.domain.rules import rulebook

    rulebook()  # refuse to start on an invalid rule file
    return create_service_app("compliance", title="Compliance API", blueprints=BLUEPRINTS, settings=settings,
                              description="Regulatory filings a client's licences require: rules, filings, "
                                          "deadlines and obligations.")

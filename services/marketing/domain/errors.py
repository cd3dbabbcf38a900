"""Refusals the domain raises; the HTTP API turns them into problem details, the intake
handler into a rejected reply or a dead letter."""
from __future__ import annotations


class MarketingError(Exception):
    status = 422

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFound(MarketingError):
    status = 404


class Conflict(MarketingError):
    status = 409


class Invalid(MarketingError):
    status = 422

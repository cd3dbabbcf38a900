"""What the business rules refuse; the API turns these into problem details and the
message handlers into dead letters."""
from __future__ import annotations


class AccountsError(Exception):
    def __init__(self, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(AccountsError):
    """The thing does not exist (or is outside what the caller may see)."""


class Conflict(AccountsError):
    """The change contradicts what is already recorded (a duplicate policy number …)."""


class Invalid(AccountsError):
    """The input is well-formed but breaks a business rule."""

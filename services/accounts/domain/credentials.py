"""Regulatory credential numbers: how each kind is written, and checking a number against it.

Formats are data, one entry per kind in shared CREDENTIAL_KINDS.  Numbers are stored
normalised (upper case, without spaces and hyphens), so "ca-123456" and "CA 123456" are
the same DMV CA number and search finds either.
"""
from __future__ import annotations

import re

from shared.contracts.types import CREDENTIAL_KINDS

# kind -> (pattern of the normalised number, how to write it).  Sources: DMV Motor
# Carrier Permit ("CA" + digits; VC 34620), FMCSA (USDOT up to 8 digits, MC docket),
# CSLB licence numbers (6-7 digits), CPUC TCP/PSC numbers; SPCB, DPR, BHGS and WCIRB
# formats are the agencies' published examples and kept loose where not verified.
CREDENTIAL_FORMATS: dict[str, tuple[str, str]] = {
    "DMV_CA": (r"CA\d{6,7}", '"CA" followed by 6 or 7 digits, e.g. CA123456'),
    "USDOT": (r"\d{1,8}", "1 to 8 digits, e.g. 3141592"),
    "MC": (r"MC\d{1,8}", '"MC" followed by up to 8 digits, e.g. MC123456'),
    "CSLB_LICENSE": (r"\d{6,7}", "6 or 7 digits, e.g. 1012345"),
    "CPUC_TCP": (r"TCP\d{1,6}[A-Z]?", '"TCP" followed by digits and an optional class letter, e.g. TCP12345A'),
    "CPUC_PSC": (r"PSC\d{1,6}", '"PSC" followed by digits, e.g. PSC1234'),
    "SPCB_REGISTRATION": (r"(PR)?\d{3,6}", 'the company registration number, optionally "PR" + digits, e.g. PR5678'),
    "DPR_LICENSE": (r"\d{3,7}", "3 to 7 digits, e.g. 34567"),
    "BHGS_PERMIT": (r"(MTR|CALT)?\d{5,7}", 'the household movers permit, e.g. MTR0190123 or CALT190123'),
    "WCIRB_BUREAU": (r"\d{7,9}", "7 to 9 digits, e.g. 1234567"),
}
_COMPILED = {kind: re.compile(pattern) for kind, (pattern, _how) in CREDENTIAL_FORMATS.items()}
assert set(CREDENTIAL_FORMATS) == set(CREDENTIAL_KINDS), "every credential kind needs a format"


def normalise_number(number: str) -> str:
    return re.sub(r"[\s\-]", "", number).upper()


def format_problem(kind: str, number: str) -> str | None:
    """Why ``number`` is not a valid ``kind`` number, or None when it is."""
    if kind not in _COMPILED:
        return f"Unknown credential kind {kind!r}."
    if not _COMPILED[kind].fullmatch(normalise_number(number)):
        return f"Not a valid {CREDENTIAL_KINDS[kind]}: expected {CREDENTIAL_FORMATS[kind][1]}."
    return None

"""Regulatory credential numbers: how each kind is written, checking a number against it,
which kinds expire, and the classifications a CSLB licence carries.

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

# Identifiers that are assigned once and never expire (they may be inactivated, which is
# not a date): USDOT numbers and MC dockets (FMCSA), the WCIRB bureau number.  Every other
# kind is a licence, permit or registration renewed on a cycle, with its expiration date.
NEVER_EXPIRE = frozenset({"USDOT", "MC", "WCIRB_BUREAU"})
assert NEVER_EXPIRE <= set(CREDENTIAL_KINDS)

# Kinds that carry classifications, and the codes each accepts.
CLASSIFIED_KINDS = frozenset({"CSLB_LICENSE"})
MAX_CLASSIFICATIONS = 30

# CSLB licence classifications (B&P §7055-7058; CSLB "Description of Classifications",
# cslb.ca.gov; verified: codes current as of 2024, names abridged).  C-61 Limited
# Specialty is always written with its D subcategory, e.g. C-61/D-49.  ASB and HAZ are
# certifications held on a licence.
CSLB_CLASSIFICATIONS: dict[str, str] = {
    "A": "General Engineering", "B": "General Building", "B-2": "Residential Remodeling",
    "C-2": "Insulation and Acoustical", "C-4": "Boiler, Hot Water Heating and Steam Fitting",
    "C-5": "Framing and Rough Carpentry", "C-6": "Cabinet, Millwork and Finish Carpentry",
    "C-7": "Low Voltage Systems", "C-8": "Concrete", "C-9": "Drywall", "C-10": "Electrical", "C-11": "Elevator",
    "C-12": "Earthwork and Paving", "C-13": "Fencing", "C-15": "Flooring and Floor Covering",
    "C-16": "Fire Protection", "C-17": "Glazing", "C-20": "Warm-Air Heating, Ventilating and Air-Conditioning",
    "C-21": "Building Moving/Demolition", "C-22": "Asbestos Abatement", "C-23": "Ornamental Metal",
    "C-27": "Landscaping", "C-28": "Lock and Security Equipment", "C-29": "Masonry",
    "C-31": "Construction Zone Traffic Control", "C-32": "Parking and Highway Improvement",
    "C-33": "Painting and Decorating", "C-34": "Pipeline", "C-35": "Lathing and Plastering", "C-36": "Plumbing",
    "C-38": "Refrigeration", "C-39": "Roofing", "C-42": "Sanitation System", "C-43": "Sheet Metal", "C-45": "Sign",
    "C-46": "Solar", "C-47": "General Manufactured Housing", "C-49": "Tree and Palm", "C-50": "Reinforcing Steel",
    "C-51": "Structural Steel", "C-53": "Swimming Pool", "C-54": "Ceramic and Mosaic Tile",
    "C-55": "Water Conditioning", "C-57": "Well Drilling", "C-60": "Welding",
    "ASB": "Asbestos Certification", "HAZ": "Hazardous Substance Removal Certification",
}
_LIMITED_SPECIALTY = re.compile(r"C-?61/?D-?(\d{1,2})")
_CODE = re.compile(r"([ABC])-?(\d{1,2})?")


def normalise_number(number: str) -> str:
    return re.sub(r"[\s\-]", "", number).upper()


def format_problem(kind: str, number: str) -> str | None:
    """Why ``number`` is not a valid ``kind`` number, or None when it is."""
    if kind not in _COMPILED:
        return f"Unknown credential kind {kind!r}."
    if not _COMPILED[kind].fullmatch(normalise_number(number)):
        return f"Not a valid {CREDENTIAL_KINDS[kind]}: expected {CREDENTIAL_FORMATS[kind][1]}."
    return None


def expiry_problem(kind: str, expires_on) -> str | None:
    """Why ``kind`` cannot carry an expiration date (None when it can, or none is given)."""
    if expires_on is not None and kind in NEVER_EXPIRE:
        return f"A {CREDENTIAL_KINDS[kind]} does not expire; leave expires_on empty."
    return None


def normalise_classification(raw: str) -> str | None:
    """The CSLB code as CSLB writes it ("c10" -> "C-10", "C61 D49" -> "C-61/D-49"), or None
    when it is not a CSLB classification."""
    text = re.sub(r"\s+", "", raw).upper()
    if text in CSLB_CLASSIFICATIONS:
        return text
    limited = _LIMITED_SPECIALTY.fullmatch(text)
    if limited:
        return f"C-61/D-{int(limited.group(1)):02d}"
    code = _CODE.fullmatch(text)
    if code:
        candidate = code.group(1) + (f"-{int(code.group(2))}" if code.group(2) else "")
        if candidate in CSLB_CLASSIFICATIONS:
            return candidate
    return None


def classification_problems(kind: str, given: list[str]) -> tuple[list[str], list[str]]:
    """(the classifications normalised, sorted and de-duplicated; the problems found)."""
    if not given:
        return [], []
    if kind not in CLASSIFIED_KINDS:
        return [], [f"A {CREDENTIAL_KINDS.get(kind, kind)} has no classifications."]
    codes, problems = [], []
    for raw in given:
        code = normalise_classification(raw)
        if code is None:
            problems.append(f"{raw[:20]!r} is not a CSLB classification (e.g. B, C-10, C-61/D-49).")
        elif code not in codes:
            codes.append(code)
    if len(codes) > MAX_CLASSIFICATIONS:
        problems.append(f"At most {MAX_CLASSIFICATIONS} classifications.")
    return sorted(codes, key=_classification_order), problems


def _classification_order(code: str) -> tuple:
    """A, B, B-2, C-2 … C-61/D-49, then certifications: as CSLB lists them."""
    match = re.match(r"([ABC])(?:-(\d+))?(?:/D-(\d+))?$", code)
    if match is None:
        return (1, code, 0, 0)
    return (0, match.group(1), int(match.group(2) or 0), int(match.group(3) or 0))

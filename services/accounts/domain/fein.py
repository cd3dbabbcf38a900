"""Federal employer identification numbers: nine digits, with an IRS campus prefix."""
from __future__ import annotations

import re

# Prefixes the IRS has never assigned (irs.gov, "How EINs are assigned and valid EIN prefixes").
UNASSIGNED_PREFIXES = frozenset({
    "00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97",
})
ROLES_SEEING_FEIN = frozenset({"admin", "account_manager"})


def fein_problem(raw: str) -> str | None:
    digits = re.sub(r"[\s\-]", "", raw)
    if not re.fullmatch(r"\d{9}", digits):
        return "A FEIN has nine digits, written 12-3456789."
    if digits[:2] in UNASSIGNED_PREFIXES:
        return f"{digits[:2]} is not a prefix the IRS assigns."
    return None


def normalise_fein(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw)


def display_fein(fein: str | None, roles) -> str | None:
    """Written out for the roles that need it, masked for everyone else."""
    if fein is None:
        return None
    if ROLES_SEEING_FEIN.intersection(roles):
        return f"{fein[:2]}-{fein[2:]}"
    return f"**-***{fein[-4:]}"

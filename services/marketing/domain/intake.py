"""Quote intake rules (pure): what a market's answer must satisfy, how it is
deduplicated, and where a revision goes in its chain.

A quote is keyed by (market, carrier quote reference, revision) and fingerprinted by a
hash of its content.  The same key with the same content is a duplicate (a redelivery or
a re-send) and takes effect once; the same key with other content is refused (a carrier
must raise the revision to change a quote).  A higher revision supersedes the one before
it; the chain is kept, and an older revision arriving late is stored inside the chain
without displacing the current one.
"""
from __future__ import annotations

import hashlib
import json

import orjson
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from shared.contracts.types import CENT, Money

STATUS_OF_MARKET = {"quoted": "quoted", "indication": "indicated", "referred": "referred", "declined": "declined"}


def to_json(value):
    """The JSON form of a loaded contract payload (Decimals as strings, dates ISO)."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def content_hash(payload: dict) -> str:
    """The fingerprint of a payload: sha256 of its canonical JSON form (the same for the
    loaded payload and its JSON form): ``json.dumps`` with sorted keys, compact separators
    and ASCII escapes.  orjson writes the same bytes for text without escapes (checked by
    a property test), so it does those; anything with an escape goes the standard way."""
    try:
        canonical = orjson.dumps(payload, default=_json_default, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits, say
        canonical = b"\\"
    if not canonical.isascii() or b"\\" in canonical:
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_json_default).encode()
    return hashlib.sha256(canonical).hexdigest()


def content_hash_reference(payload: dict) -> str:
    """The definition :func:`content_hash` must equal."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form")


def quote_problems(quote: dict, submission_lines: list[str]) -> list[str]:
    """Business reasons to refuse an answer that passed the contract's schema."""
    problems = []
    seen: set[str] = set()
    for line in quote.get("lines", []):
        code = line["line_of_business"]
        if code in seen:
            problems.append(f"line {code} is quoted twice")
        seen.add(code)
        if code not in submission_lines:
            problems.append(f"line {code} was not requested (requested: {', '.join(submission_lines)})")
    currencies = _currencies(quote)
    if len(currencies) > 1:
        problems.append(f"amounts mix currencies: {', '.join(sorted(currencies))}")
    return problems


def _currencies(quote: dict) -> set[str]:
    found = {line["premium"]["currency"] for line in quote.get("lines", [])}
    found |= {fee["amount"]["currency"] for fee in quote.get("taxes_fees", [])}
    for line in quote.get("lines", []):
        for coverage in line["coverages"]:
            found |= {limit["amount"]["currency"] for limit in coverage.get("limits", []) if limit.get("amount")}
            if coverage.get("deductible"):
                found.add(coverage["deductible"]["amount"]["currency"])
    return found


@dataclass(frozen=True)
class Totals:
    premium: Money
    fees: Money
    total_cost: Money


def totals(quote: dict) -> Totals:
    """Premium, taxes and fees, and their total, in the quote's one currency: the sums of
    :func:`totals_by_money`, added as Decimals (each term rounded to the cent as Money
    rounds it, so every partial sum is exact and equal to Money's) without a Money object
    per term.  Mixed currencies take Money's way, which refuses them."""
    currencies = _currencies(quote)
    if len(currencies) > 1:
        return totals_by_money(quote)
    currency = next(iter(currencies), "USD")
    premium = sum((Decimal(line["premium"]["amount"]).quantize(CENT, ROUND_HALF_UP)
                   for line in quote.get("lines", [])), Decimal("0.00"))
    fees = sum((Decimal(fee["amount"]["amount"]).quantize(CENT, ROUND_HALF_UP)
                for fee in quote.get("taxes_fees", [])), Decimal("0.00"))
    return Totals(Money(premium, currency), Money(fees, currency), Money(premium + fees, currency))


def totals_by_money(quote: dict) -> Totals:
    """The definition of :func:`totals`, in Money arithmetic."""
    currency = next(iter(_currencies(quote)), "USD")
    premium = Money.zero(currency)
    for line in quote.get("lines", []):
        premium = premium + Money(Decimal(line["premium"]["amount"]), line["premium"]["currency"])
    fees = Money.zero(currency)
    for fee in quote.get("taxes_fees", []):
        fees = fees + Money(Decimal(fee["amount"]["amount"]), fee["amount"]["currency"])
    return Totals(premium, fees, premium + fees)


# -- deduplication and the revision chain ----------------------------------------------

@dataclass(frozen=True)
class StoredRevision:
    quote_id: str
    revision: int
    content_hash: str
    is_current: bool


@dataclass(frozen=True)
class Duplicate:
    quote_id: str


@dataclass(frozen=True)
class ConflictingRevision:
    quote_id: str
    reason: str


@dataclass(frozen=True)
class Placement:
    """Where a new revision goes: what it supersedes, whether it becomes current, the
    quote that stops being current, and a later revision that now follows it."""

    supersedes_id: str | None
    is_current: bool
    retires_id: str | None
    followed_by_id: str | None


def place(siblings: list[StoredRevision], revision: int, digest: str) -> Duplicate | ConflictingRevision | Placement:
    """``siblings``: every stored revision of the same (market, carrier quote ref)."""
    for sibling in siblings:
        if sibling.revision == revision:
            if sibling.content_hash == digest:
                return Duplicate(sibling.quote_id)
            return ConflictingRevision(
                sibling.quote_id,
                f"revision {revision} was already received with different content; send revision "
                f"{max(s.revision for s in siblings) + 1} to change the quote",
            )
    earlier = [s for s in siblings if s.revision < revision]
    later = [s for s in siblings if s.revision > revision]
    predecessor = max(earlier, key=lambda s: s.revision, default=None)
    successor = min(later, key=lambda s: s.revision, default=None)
    current = next((s for s in siblings if s.is_current), None)
    becomes_current = successor is None
    return Placement(
        supersedes_id=predecessor.quote_id if predecessor else None,
        is_current=becomes_current,
        retires_id=current.quote_id if becomes_current and current else None,
        followed_by_id=successor.quote_id if successor else None,
    )

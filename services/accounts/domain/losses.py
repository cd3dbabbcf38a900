"""Loss history: claims per policy term, and the loss summary (per policy year and over five
years) that underwriters ask for with every submission.

Money is Decimal throughout; the summary is in the policies' currency (US dollars).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.errors import Conflict, Invalid, NotFound
from services.accounts.models import Claim, Client, Policy, new_id
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "accounts"
CLAIM_STATUSES = ("open", "closed", "reopened")
OPEN_STATUSES = ("open", "reopened")
MONEY_FIELDS = ("paid", "reserved", "incurred", "recoveries")
DEFAULT_LARGE_LOSS_THRESHOLD = Decimal("100000")
FIVE_YEARS = 5
CENT = Decimal("0.01")


# -- configuration ----------------------------------------------------------------------

def large_loss_threshold() -> Decimal:
    """``LARGE_LOSS_THRESHOLD`` (a non-negative amount, e.g. 250000), else 100,000."""
    raw = (os.environ.get("LARGE_LOSS_THRESHOLD") or "").strip()
    if not raw:
        return DEFAULT_LARGE_LOSS_THRESHOLD
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"LARGE_LOSS_THRESHOLD must be an amount, got {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"LARGE_LOSS_THRESHOLD must be a non-negative amount, got {raw!r}")
    return value


# -- claims -----------------------------------------------------------------------------

def claim_term_problem(policy: Policy, date_of_loss: date, today: date) -> str | None:
    """Why ``date_of_loss`` cannot be a loss under ``policy`` (None when it can).  A term
    covers losses from its effective date up to, not including, its expiration date."""
    if date_of_loss > today:
        return "The date of loss is in the future."
    if not policy.effective_date <= date_of_loss < policy.expiration_date:
        return (f"The date of loss is outside the policy term {policy.effective_date.isoformat()} to "
                f"{policy.expiration_date.isoformat()}.")
    return None


def record_claim(session: Session, actor: str, policy: Policy, fields: dict, *, source: str = "manual") -> Claim:
    """Record a claim on ``policy``; ``fields`` holds Decimal amounts (incurred optional)."""
    _check_claim(policy, fields)
    if claim_by_number(session, policy.id, fields["claim_number"]) is not None:
        raise Conflict(f"Claim {fields['claim_number']} is already recorded on policy {policy.policy_number}.")
    now = utcnow()
    claim = Claim(id=new_id(), client_id=policy.client_id, policy_id=policy.id, currency=policy.premium_currency,
                  source=source, created_at=now, updated_at=now, claim_number=fields["claim_number"],
                  date_of_loss=fields["date_of_loss"], cause=fields.get("cause"), status=fields["status"],
                  description=fields.get("description"))
    _set_amounts(claim, fields, derived_incurred=True)
    session.add(claim)
    session.flush()
    audit(session, actor, "claim.recorded", "claim", claim.id, policy_id=policy.id, claim_number=claim.claim_number,
          source=source, incurred=str(claim.incurred))
    return claim


def change_claim(session: Session, actor: str, policy: Policy, claim: Claim, changes: dict, *,
                 enforce_transitions: bool = True) -> list[str]:
    """Apply ``changes``; returns the fields that changed.  Incurred follows paid + reserved
    unless it is given or was given before (it then differed from paid + reserved)."""
    if enforce_transitions and "status" in changes:
        _check_transition(claim.status, changes["status"])
    merged = {**claim_fields(claim), **changes}
    _check_claim(policy, merged)
    number = changes.get("claim_number")
    if number and number != claim.claim_number and claim_by_number(session, policy.id, number) is not None:
        raise Conflict(f"Claim {number} is already recorded on policy {policy.policy_number}.")
    before = claim_fields(claim)
    # Given as null: derive it again; not given: derived only if it was derived before.
    derived = "incurred" in changes or claim.incurred == claim.paid + claim.reserved
    for name in ("claim_number", "date_of_loss", "cause", "status", "description"):
        if name in changes:
            setattr(claim, name, changes[name])
    _set_amounts(claim, {**before, **changes, **({} if "incurred" in changes else {"incurred": None})},
                 derived_incurred=derived)
    changed = sorted(k for k, v in claim_fields(claim).items() if v != before[k])
    if changed:
        claim.updated_at = utcnow()
        session.flush()
        audit(session, actor, "claim.changed", "claim", claim.id, changed=changed)
    return changed


def remove_claim(session: Session, actor: str, claim: Claim) -> None:
    """Remove a claim keyed in by mistake (the audit log keeps what it was)."""
    audit(session, actor, "claim.removed", "claim", claim.id, claim_number=claim.claim_number,
          policy_id=claim.policy_id, incurred=str(claim.incurred))
    session.delete(claim)
    session.flush()


def claim_fields(claim: Claim) -> dict:
    return {"claim_number": claim.claim_number, "date_of_loss": claim.date_of_loss, "cause": claim.cause,
            "status": claim.status, "paid": claim.paid, "reserved": claim.reserved, "incurred": claim.incurred,
            "recoveries": claim.recoveries, "description": claim.description}


def claim_by_number(session: Session, policy_id: str, claim_number: str) -> Claim | None:
    return session.scalar(select(Claim).where(Claim.policy_id == policy_id, Claim.claim_number == claim_number))


def get_claim(session: Session, policy: Policy, claim_id: str) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.policy_id != policy.id:
        raise NotFound(f"No claim {claim_id} on this policy.")
    return claim


def policy_claims(session: Session, policy_id: str) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.policy_id == policy_id)
                                .order_by(Claim.date_of_loss, Claim.claim_number)))


def _check_claim(policy: Policy, fields: dict) -> None:
    errors: dict = {}
    if fields.get("status") not in CLAIM_STATUSES:
        errors["status"] = [f"One of {', '.join(CLAIM_STATUSES)}."]
    problem = claim_term_problem(policy, fields["date_of_loss"], utcnow().date())
    if problem:
        errors["date_of_loss"] = [problem]
    for name in MONEY_FIELDS:
        value = fields.get(name)
        if value is not None and value < 0:
            errors[name] = ["Must not be negative."]
    if errors:
        raise Invalid("The claim did not pass validation.", errors)


def _check_transition(current: str, wanted: str) -> None:
    if current == "closed" and wanted == "open":
        raise Invalid("A closed claim is reopened, not opened.", {"status": ["Use reopened for a closed claim."]})
    if current == "open" and wanted == "reopened":
        raise Invalid("Only a closed claim can be reopened.", {"status": ["The claim is still open."]})


def _set_amounts(claim: Claim, fields: dict, *, derived_incurred: bool) -> None:
    claim.paid = _cents(fields.get("paid"))
    claim.reserved = _cents(fields.get("reserved"))
    claim.recoveries = _cents(fields.get("recoveries"))
    given = fields.get("incurred")
    if given is not None:
        claim.incurred = _cents(given)
    elif derived_incurred or claim.incurred is None:
        claim.incurred = claim.paid + claim.reserved


def _cents(value) -> Decimal:
    return (Decimal(value) if value is not None else Decimal(0)).quantize(CENT, ROUND_HALF_UP)


# -- the loss summary -------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    claims: tuple[Claim, ...]
    earned: Decimal
    years: int

    def as_dict(self, threshold: Decimal, currency: str) -> dict:
        incurred = sum((c.incurred for c in self.claims), Decimal(0))
        count = len(self.claims)
        return {
            "claim_count": count,
            "open_claim_count": sum(c.status in OPEN_STATUSES for c in self.claims),
            "paid": _money(sum((c.paid for c in self.claims), Decimal(0)), currency),
            "reserved": _money(sum((c.reserved for c in self.claims), Decimal(0)), currency),
            "incurred": _money(incurred, currency),
            "recoveries": _money(sum((c.recoveries for c in self.claims), Decimal(0)), currency),
            "earned_premium": _money(self.earned, currency),
            "loss_ratio_percent": (incurred * 100 / self.earned).quantize(CENT, ROUND_HALF_UP) if self.earned else None,
            "frequency": (Decimal(count) / self.years).quantize(CENT, ROUND_HALF_UP) if self.years else Decimal("0.00"),
            "severity": _money(incurred / count, currency) if count else None,
            "large_loss_count": sum(c.incurred > threshold for c in self.claims),
        }


def earned_premium(policy: Policy, as_of: date) -> Decimal:
    """Pro rata: the share of the term's premium for the days elapsed by ``as_of``."""
    term_days = (policy.expiration_date - policy.effective_date).days
    elapsed = min(max((as_of - policy.effective_date).days, 0), term_days)
    if elapsed == term_days:
        return policy.premium_amount
    return (policy.premium_amount * elapsed / term_days).quantize(CENT, ROUND_HALF_UP)


def loss_summary(client: Client, policies: list[Policy], claims: list[Claim], as_of: date,
                 threshold: Decimal) -> dict:
    """Per policy year (the year a term takes effect) and over the five policy years up to
    ``as_of``: counts, paid, reserved, incurred, earned premium, loss ratio, frequency,
    severity, and the claims incurring more than ``threshold``."""
    started = [p for p in policies if p.effective_date <= as_of]
    currency = started[0].premium_currency if started else "USD"
    by_policy: dict[str, list[Claim]] = {}
    for claim in claims:
        by_policy.setdefault(claim.policy_id, []).append(claim)
    years: dict[int, list[Policy]] = {}
    for policy in started:
        years.setdefault(policy.effective_date.year, []).append(policy)
    rows = []
    for year in sorted(years, reverse=True):
        terms = years[year]
        figures = Figures(tuple(c for p in terms for c in by_policy.get(p.id, ())),
                          sum((earned_premium(p, as_of) for p in terms), Decimal(0)), 1)
        rows.append({"policy_year": year, "lines": sorted({p.line_of_business for p in terms}),
                     **figures.as_dict(threshold, currency)})
    first_year = as_of.year - FIVE_YEARS + 1
    recent = [y for y in years if y >= first_year]
    five = Figures(tuple(c for y in recent for p in years[y] for c in by_policy.get(p.id, ())),
                   sum((earned_premium(p, as_of) for y in recent for p in years[y]), Decimal(0)), len(recent))
    year_of = {p.id: p.effective_date.year for p in started}
    large = sorted((c for c in claims if c.policy_id in year_of and c.incurred > threshold),
                   key=lambda c: (-c.incurred, c.date_of_loss, c.claim_number))
    return {
        "client_id": client.id, "program": client.program, "as_of": as_of,
        "large_loss_threshold": _money(threshold, currency),
        "policy_years": rows,
        "five_years": {"from_year": first_year, "to_year": as_of.year, "years_with_coverage": len(recent),
                       **five.as_dict(threshold, currency)},
        "large_losses": [{"claim_id": c.id, "claim_number": c.claim_number, "policy_id": c.policy_id,
                          "policy_year": year_of[c.policy_id], "date_of_loss": c.date_of_loss, "status": c.status,
                          "incurred": _money(c.incurred, currency)} for c in large],
    }


def client_loss_summary(session: Session, client: Client, as_of: date, threshold: Decimal) -> dict:
    policies = list(session.scalars(select(Policy).where(Policy.client_id == client.id)))
    claims = list(session.scalars(select(Claim).where(Claim.client_id == client.id)))
    return loss_summary(client, policies, claims, as_of, threshold)


def publish_losses(session: Session, client: Client, reason: str) -> dict:
    """Emit ``accounts.losses.updated`` with the summary as of today (in the caller's
    transaction, after the claims changed)."""
    session.flush()
    summary = client_loss_summary(session, client, utcnow().date(), large_loss_threshold())
    record_event(session, SOURCE, "accounts.losses.updated", {**summary, "reason": reason}, subject=client.id)
    return summary


def _money(amount: Decimal, currency: str) -> dict:
    return {"amount": amount.quantize(CENT, ROUND_HALF_UP), "currency": currency}

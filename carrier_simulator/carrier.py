"""A market's answer to a submission: quote, indication or declination, then perhaps a
cheaper revision, and now and then a malformed message.

``answer_submission`` is a plain function of the loaded ``carrier.submission.requested``
payload, the market and today's date; its randomness is seeded by submission and market,
so the same submission always gets the same answer.  Every payload it returns has passed
the public contract's schema strictly."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.contracts.carrier import INTAKE_TYPE
from shared.contracts.registry import contract
from shared.contracts.types import LINES_OF_BUSINESS

from carrier_simulator import terms
from carrier_simulator.fleet import Market

STATUS_OF_ANSWER = {"quote": "quoted", "indication": "indication"}
POISON_KINDS = ("malformed", "schema_violation")


@dataclass(frozen=True)
class Answer:
    """One message a market sends back: a contract-valid payload (a quote unless ``type``
    says otherwise), or (``poison`` set) a deliberately broken variant of it."""

    label: str
    delay_seconds: float
    data: dict
    poison: str | None = None
    type: str = INTAKE_TYPE

    @property
    def revision(self) -> int:
        return self.data["revision"]


def answer_submission(submission: dict, market: Market, today: date | None = None) -> list[Answer]:
    today = today or date.today()
    rng = random.Random(f"{submission['submission_id']}|{market.id}")
    behaviour = market.behaviour
    first_revision = _first_revision(submission, market)
    reason = declination_reason(submission, market)
    if reason:
        answers = [Answer("declination", behaviour.delay_seconds,
                          _declination(submission, market, rng, reason, first_revision))]
    else:
        answers = _quotes(submission, market, rng, today, first_revision)
    if behaviour.malformed_rate and Decimal(str(rng.random())) < behaviour.malformed_rate:
        poison = rng.choice(POISON_KINDS)
        answers.insert(0, Answer(f"poison {poison}", behaviour.delay_seconds, answers[0].data, poison))
    return answers


def declination_reason(submission: dict, market: Market) -> str | None:
    """The market's configured declination, else the first way the risk misses its appetite."""
    behaviour, appetite = market.behaviour, market.appetite
    if behaviour.answer == "decline":
        return behaviour.decline_reason
    outside = [line["line_of_business"] for line in submission["lines"]
               if line["line_of_business"] not in appetite.lines]
    if len(outside) == len(submission["lines"]):
        return "Outside appetite: " + ", ".join(LINES_OF_BUSINESS[lob] for lob in outside) + " not written"
    address = submission["insured"].get("address")
    if address and appetite.states and address["state"] not in appetite.states:
        return f"Outside appetite: risks domiciled in {address['state']} are not written"
    premium = sum((sum(terms.line_premiums(line, behaviour, behaviour.premium_factor), Decimal(0))
                   for line in _lines_in_appetite(submission, market)), Decimal(0))
    if appetite.min_premium is not None and premium < appetite.min_premium:
        return f"Premium {premium:,.2f} is below the minimum of {appetite.min_premium:,.2f}"
    if appetite.max_premium is not None and premium > appetite.max_premium:
        return f"Premium {premium:,.2f} exceeds capacity of {appetite.max_premium:,.2f}"
    return None


def validate(payload: dict) -> dict:
    """Strict check against the public contract; returns the JSON-ready form."""
    return contract(INTAKE_TYPE, 1).dump(payload)


def valid_until(effective_date: date, today: date, days: int) -> date:
    """The day before the term starts, but no later than ``days`` from today (and never
    already past)."""
    last = min(effective_date - timedelta(days=1), today + timedelta(days=days))
    return last if last >= today else today + timedelta(days=days)


def _quotes(submission, market, rng, today, first_revision) -> list[Answer]:
    behaviour = market.behaviour
    ref = f"{behaviour.quote_prefix}-{rng.randrange(100000, 1000000)}"
    underwriter = rng.choice(behaviour.underwriters) if behaviour.underwriters else None
    status = STATUS_OF_ANSWER[behaviour.answer]

    def build(revision: int, factor: Decimal) -> dict:
        return quote_payload(submission, market, today, ref=ref, revision=revision, status=status,
                             factor=factor, underwriter=underwriter)

    answers = [Answer(f"{status} r{first_revision}", behaviour.delay_seconds,
                      build(first_revision, behaviour.premium_factor))]
    if behaviour.revise:
        answers.append(Answer(f"{status} r{first_revision + 1}",
                              behaviour.delay_seconds + behaviour.revise.delay_seconds,
                              build(first_revision + 1, behaviour.premium_factor * behaviour.revise.premium_factor)))
    return answers


def quote_payload(submission: dict, market: Market, today: date, *, ref: str, revision: int,
                  status: str = "quoted", factor: Decimal | None = None, underwriter: str | None = None) -> dict:
    """The market's priced terms for the lines in its appetite, validated."""
    behaviour = market.behaviour
    factor = behaviour.premium_factor if factor is None else factor
    in_appetite = _lines_in_appetite(submission, market)
    if not in_appetite:
        raise ValueError(f"{market.id} writes none of the submission's lines")
    lines = [terms.quoted_line(line, behaviour, factor) for line in in_appetite]
    currency = lines[0]["premium"]["currency"]
    premium = sum((Decimal(line["premium"]["amount"]) for line in lines), Decimal(0))
    forms = list(dict.fromkeys(f for line in lines for c in line["coverages"] for f in c["forms"]))
    period = submission["period"]
    return validate({
        **_identity(submission, market, ref, revision),
        "status": status,
        "declination_reason": None,
        "period": {"effective_date": period["effective_date"].isoformat(),
                   "expiration_date": period["expiration_date"].isoformat()},
        "lines": lines,
        "taxes_fees": terms.taxes_and_fees(behaviour, premium, currency),
        "commission_percent": _percent(market.commission_percent),
        "payment_plans": [dict(plan) for plan in behaviour.payment_plans],
        "forms": forms,
        "exclusions": terms.quote_level_exclusions(behaviour),
        "subjectivities": list(behaviour.subjectivities),
        "valid_until": valid_until(period["effective_date"], today, behaviour.valid_days).isoformat(),
        "underwriter": underwriter,
    })


def _declination(submission, market, rng, reason, revision) -> dict:
    ref = f"{market.behaviour.quote_prefix}-D-{rng.randrange(1000, 10000)}"
    return validate({
        **_identity(submission, market, ref, revision),
        "status": "declined",
        "declination_reason": reason,
        "underwriter": rng.choice(market.behaviour.underwriters) if market.behaviour.underwriters else None,
    })


def _identity(submission, market, ref, revision) -> dict:
    return {
        "market_id": market.id,
        "submission_id": submission["submission_id"],
        "carrier_quote_ref": ref,
        "revision": revision,
        "carrier_name": market.carrier_name,
        "naic_code": market.naic_code,
        "admitted": market.admitted,
    }


def _lines_in_appetite(submission: dict, market: Market) -> list[dict]:
    return [line for line in submission["lines"] if line["line_of_business"] in market.appetite.lines]


def _first_revision(submission: dict, market: Market) -> int:
    """A re-quote request continues the chain the first answer started."""
    if submission.get("kind") != "requote":
        return 1
    return 2 + (1 if market.behaviour.revise else 0)


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))

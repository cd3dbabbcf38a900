"""What a market does after it quoted: acknowledge a submission as soon as it arrives,
confirm a bind request (binder number, the term, its own policy numbers), and later send
the policy it issued, now and then not quite as bound (a raised deductible, an added
exclusion or a shifted term, which the platform's policy check should catch); a market
with a ``bind_decline_rate`` now and then refuses to bind instead (carrier.bind.declined).

Plain functions of the loaded contract payloads; randomness is seeded by the bind id and
the market, so a redelivered bind request gets the same answers."""
from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal

from shared.contracts.carrier_binding import (
    ACKNOWLEDGED_TYPE, BIND_CONFIRMED_TYPE, BIND_DECLINED_TYPE, POLICY_ISSUED_TYPE,
)
from shared.contracts.registry import contract

from carrier_simulator.carrier import Answer
from carrier_simulator.fleet import Market
from carrier_simulator.terms import money

DISCREPANCY_EXCLUSION = "Punitive or exemplary damages"
TERM_SHIFT = timedelta(days=7)  # a policy issued to start when the signed application arrived


def acknowledgement(submission: dict, market: Market) -> dict:
    """A carrier.submission.acknowledged payload for a loaded submission request."""
    rng = random.Random(f"ack|{submission['submission_id']}|{market.id}")
    underwriters = market.behaviour.underwriters
    name = rng.choice(underwriters) if underwriters else None
    return contract(ACKNOWLEDGED_TYPE, 1).dump({
        "market_id": market.id,
        "submission_id": submission["submission_id"],
        "carrier_submission_ref": f"{market.behaviour.quote_prefix}-S-{rng.randrange(10000, 100000)}",
        "underwriter": None if name is None else {
            "name": name, "email": _email(name, market), "phone": None},
        "expected_response_by": submission["respond_by"].isoformat(),
        "note": None,
    })


def bind_answers(request: dict, market: Market) -> list[Answer]:
    """The answers to a loaded carrier.bind.requested: the confirmation after the market's
    delay, then the issued policy after its issue delay; or (``bind_decline_rate``) the
    market's refusal to bind after its delay."""
    behaviour = market.behaviour
    if behaviour.bind_decline_rate and Decimal(str(random.Random(
            f"bind-decline|{request['bind_id']}|{market.id}").random())) < behaviour.bind_decline_rate:
        return [Answer("bind declination", behaviour.delay_seconds, bind_declination(request, market),
                       type=BIND_DECLINED_TYPE)]
    rng = random.Random(f"bind|{request['bind_id']}|{market.id}")
    year = request["period"]["effective_date"].year
    numbers = {line["line_of_business"]: f"{behaviour.quote_prefix.split('-')[0]}-{line['line_of_business']}-{year}-"
                                         f"{rng.randrange(10000, 100000)}" for line in request["lines"]}
    binder = f"{behaviour.quote_prefix.split('-')[0]}-B-{rng.randrange(100000, 1000000)}"
    identity = {"market_id": market.id, "submission_id": request["submission_id"], "bind_id": request["bind_id"]}
    period = {"effective_date": request["period"]["effective_date"].isoformat(),
              "expiration_date": request["period"]["expiration_date"].isoformat()}
    confirmation = contract(BIND_CONFIRMED_TYPE, 1).dump({
        **identity, "carrier_quote_ref": request["carrier_quote_ref"], "revision": request["revision"],
        "binder_number": binder, **period, "policy_numbers": numbers, "changes": [],
        "underwriter": rng.choice(behaviour.underwriters) if behaviour.underwriters else None,
    })
    lines, exclusions, label = _as_issued(request, rng, behaviour.policy_discrepancy_rate)
    printed = period
    if label.endswith("(term shifted)"):
        printed = {key: (request["period"][key] + TERM_SHIFT).isoformat() for key in period}
    issued = contract(POLICY_ISSUED_TYPE, 1).dump({
        **identity, "binder_number": binder, "policy_numbers": numbers, "period": printed, "lines": lines,
        "forms": list(request.get("forms", [])), "exclusions": exclusions, "issued_on": None,
    })
    return [
        Answer("bind confirmation", behaviour.delay_seconds, confirmation, type=BIND_CONFIRMED_TYPE),
        Answer(label, behaviour.delay_seconds + behaviour.issue_delay_seconds, issued, type=POLICY_ISSUED_TYPE),
    ]


def bind_declination(request: dict, market: Market) -> dict:
    """A carrier.bind.declined payload: the market will not bind what it was asked to."""
    underwriters = market.behaviour.underwriters
    return contract(BIND_DECLINED_TYPE, 1).dump({
        "market_id": market.id, "submission_id": request["submission_id"], "bind_id": request["bind_id"],
        "carrier_quote_ref": request["carrier_quote_ref"], "revision": request["revision"],
        "reason": market.behaviour.bind_decline_reason,
        "underwriter": underwriters[0] if underwriters else None,
    })


def _as_issued(request: dict, rng: random.Random, rate: Decimal) -> tuple[list[dict], list[str], str]:
    """The bound lines as the policy prints them (JSON form); with probability ``rate`` a
    deductible doubled, an exclusion added or (label "term shifted") the term moved a week
    along the way."""
    lines = [_json_line(line) for line in request["lines"]]
    exclusions = list(request.get("exclusions", []))
    if not rate or Decimal(str(rng.random())) >= rate:
        return lines, exclusions, "issued policy"
    with_deductible = [c for line in lines for c in line["coverages"] if c.get("deductible")]
    if with_deductible and rng.random() < 0.5:
        coverage = with_deductible[0]
        amount = coverage["deductible"]["amount"]
        coverage["deductible"]["amount"] = money(Decimal(amount["amount"]) * 2, amount["currency"])
        return lines, exclusions, "issued policy (deductible raised)"
    if rng.random() < 0.5:
        return lines, exclusions, "issued policy (term shifted)"
    exclusions.append(DISCREPANCY_EXCLUSION)
    return lines, exclusions, "issued policy (exclusion added)"


def _json_line(line: dict) -> dict:
    from shared.contracts.carrier import QuotedLineSchema

    return QuotedLineSchema().dump(line)


def _email(name: str, market: Market) -> str:
    local = ".".join(re.findall(r"[a-z0-9]+", name.lower()))
    return f"{local or 'underwriting'}@{market.id}.example"

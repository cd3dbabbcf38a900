"""Issued policies checked against the bound quote: the check and each discrepancy stored,
and ``marketing.policy.discrepancies_found`` raised so accounts opens an activity."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from services.marketing.domain import policy_check
from services.marketing.domain.errors import Conflict, Invalid
from services.marketing.domain.intake import to_json
from services.marketing.models import Bind, ClientView, IssuedPolicyCheck, Market, PolicyDiscrepancy, Quote, Submission
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "marketing"


def check_issued_policy(session: Session, bind: Bind, issued: dict, actor: str, *, channel: str = "keyed",
                        content_hash: str | None = None) -> tuple[IssuedPolicyCheck, list[dict]]:
    """``issued``: lines, forms, exclusions, policy_numbers and optionally period (keyed in,
    or received over the carrier contract as carrier.policy.issued).  The term is checked
    against the binder's (the quote's when the binder gave none)."""
    if bind.status != "bound":
        raise Conflict(f"The bind is {bind.status.replace('_', ' ')}; check the policy once the market has bound it.")
    issued = to_json(issued)
    quote = session.get(Quote, bind.quote_id)
    _check_shape(issued, quote.currency)
    found = policy_check.discrepancies(
        {"lines": quote.lines, "forms": quote.forms, "exclusions": quote.exclusions,
         "period": bound_term(session, bind, quote)}, issued)
    period = issued.get("period") or {}
    numbers = {**bind.policy_numbers, **issued.get("policy_numbers", {})}
    check = IssuedPolicyCheck(
        id=str(uuid.uuid4()), bind_id=bind.id, policy_numbers=numbers, lines=issued["lines"],
        forms=issued.get("forms", []), exclusions=issued.get("exclusions", []), currency=quote.currency,
        premium=sum((Decimal(line["premium"]["amount"]) for line in issued["lines"]), Decimal("0")),
        discrepancy_count=len(found), checked_by=actor, checked_at=utcnow(), channel=channel,
        content_hash=content_hash, effective_date=_date(period.get("effective_date")),
        expiration_date=_date(period.get("expiration_date")))
    session.add(check)
    session.flush()
    session.add_all([PolicyDiscrepancy(check_id=check.id, **d) for d in found])
    if found:
        _announce(session, bind, quote, check, found)
    audit(session, actor, "bind.issued_policy_checked", "bind", bind.id, check_id=check.id, channel=channel,
          discrepancies=[d["kind"] for d in found])
    return check, found


def bound_term(session: Session, bind: Bind, quote: Quote) -> dict:
    """The term as bound (ISO dates): the binder's, else the quote's, else the submission's."""
    submission = session.get(Submission, bind.submission_id)
    start = bind.effective_date or quote.effective_date or submission.effective_date
    end = bind.expiration_date or quote.expiration_date or submission.expiration_date
    return {"effective_date": start.isoformat(), "expiration_date": end.isoformat()}


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _check_shape(issued: dict, currency: str) -> None:
    codes = [line["line_of_business"] for line in issued["lines"]]
    if len(set(codes)) != len(codes):
        raise Invalid("A line appears twice on the issued policy.")
    for line in issued["lines"]:
        coverages = [c["code"] for c in line["coverages"]]
        if len(set(coverages)) != len(coverages):
            raise Invalid(f"Line {line['line_of_business']} names a coverage twice.")
        if line["premium"]["currency"] != currency:
            raise Invalid(f"The bound quote is in {currency}; the issued policy's premium is in "
                          f"{line['premium']['currency']}.")


def _announce(session: Session, bind: Bind, quote: Quote, check: IssuedPolicyCheck, found: list[dict]) -> None:
    submission = session.get(Submission, bind.submission_id)
    market = session.get(Market, quote.market_id)
    client = session.get(ClientView, submission.client_id)
    record_event(session, SOURCE, "marketing.policy.discrepancies_found", {
        "check_id": check.id, "bind_id": bind.id, "quote_id": quote.id, "submission_id": submission.id,
        "client_id": submission.client_id, "program": submission.program, "market_id": market.id,
        "market_name": market.name, "policy_numbers": [check.policy_numbers[line] for line in sorted(check.policy_numbers)],
        "account_manager": submission.account_manager or (client.account_manager if client else None),
        "discrepancies": found,
    }, subject=submission.id)

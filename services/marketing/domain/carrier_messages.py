"""What a market tells us besides its quotes: that it has a submission (acknowledgement,
over the carrier contract or keyed in) and the policy it issued on a bind (over the
carrier contract; the keyed-in path is ``POST /binds/<id>/issued-policy``).  The bind
confirmation itself is :func:`services.marketing.domain.binding.confirm`."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import intake, market_status, policy_checks
from services.marketing.domain.errors import Conflict
from services.marketing.models import Bind, IssuedPolicyCheck, SubmissionMarket
from shared.kit.audit import audit
from shared.kit.db import utcnow


def acknowledge(session: Session, entry: SubmissionMarket, data: dict, actor: str, *, keyed: bool = False) -> bool:
    """Record the market's acknowledgement (``data``: carrier_submission_ref, underwriter,
    expected_response_by, note, in JSON form).  A market that has not answered yet becomes
    acknowledged; one that already answered keeps its status.  Returns False for an
    acknowledgement already recorded (nothing changes)."""
    if entry.sent_at is None:
        raise market_status.IllegalTransition(f"Market {entry.market_id} has not been sent the submission.")
    if entry.acknowledged_at is not None:
        if keyed:
            raise Conflict(f"Market {entry.market_id} already acknowledged the submission.")
        return False
    if keyed and not market_status.allowed(entry.status, "acknowledged"):
        raise market_status.IllegalTransition(
            f"Market {entry.market_id} is {entry.status}; there is nothing left to acknowledge.")
    entry.acknowledged_at = utcnow()
    entry.carrier_submission_ref = data.get("carrier_submission_ref")
    entry.underwriter = data.get("underwriter")
    if market_status.allowed(entry.status, "acknowledged"):
        market_status.change(session, entry, "acknowledged", actor, reason=data.get("note") or "acknowledged",
                             carrier_submission_ref=entry.carrier_submission_ref)
    audit(session, actor, "submission_market.acknowledged", market_status.ENTITY, market_status.entity_id(entry),
          carrier_submission_ref=entry.carrier_submission_ref, underwriter=entry.underwriter,
          expected_response_by=data.get("expected_response_by"), note=data.get("note"))
    return True


def receive_issued_policy(session: Session, bind: Bind, data: dict, actor: str) -> tuple[IssuedPolicyCheck, list[dict], bool]:
    """A carrier.policy.issued payload (JSON form) checked against the binder and quote.
    The same content sent again is a duplicate (the earlier check, ``False``); a corrected
    policy is checked again."""
    if bind.status != "bound":
        raise Conflict(f"The bind is {bind.status.replace('_', ' ')}; a policy can only be issued on a confirmed bind.")
    issued = {"lines": data["lines"], "forms": data.get("forms", []), "exclusions": data.get("exclusions", []),
              "policy_numbers": data.get("policy_numbers", {}), "period": data.get("period")}
    digest = intake.content_hash(issued)
    earlier = session.scalar(select(IssuedPolicyCheck).where(IssuedPolicyCheck.bind_id == bind.id,
                                                             IssuedPolicyCheck.content_hash == digest))
    if earlier is not None:
        return earlier, [], False
    check, found = policy_checks.check_issued_policy(session, bind, issued, actor, channel="queue",
                                                     content_hash=digest)
    return check, found, True

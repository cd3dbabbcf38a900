"""Market selection from the database: the submission's risk, every active market's
appetite and its history with the agency (what was sent, quoted, bound and when it was
answered), ranked by :mod:`services.marketing.domain.selection`."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import appointments
from services.marketing.domain.readmodels import insured_of
from services.marketing.domain.selection import Candidate, Placement, Risk, history_of, rank
from services.marketing.models import Bind, Market, Quote, ReachableCarrier, Submission, SubmissionMarket


def premium_basis(submission: Submission) -> tuple[Decimal | None, str | None]:
    """The premium a market's range is held against: the target, else the expiring premium."""
    if submission.target_premium is not None:
        return Decimal(submission.target_premium), "target"
    if submission.expiring:
        return sum((Decimal(str(line["premium"]["amount"])) for line in submission.expiring), Decimal("0")), "expiring"
    return None, None


def risk_of(session: Session, submission: Submission) -> Risk:
    insured = insured_of(session, submission)
    basis, _source = premium_basis(submission)
    words = " ".join(part for part in (submission.operations, insured.get("name"), insured.get("dba")) if part)
    return Risk(lines=tuple(submission.lines), state=(insured.get("address") or {}).get("state"),
                program=submission.program, naics=insured.get("naics"), premium_basis=basis,
                class_codes=dict(submission.class_codes or {}), operations=words or None,
                limits=tuple(requested_limits(submission)))


def requested_limits(submission: Submission) -> list[tuple[str, str, Decimal]]:
    """(line, coverage code, the largest limit amount asked) for every coverage specified."""
    found = []
    for line in submission.lines:
        for coverage in (submission.specifications.get(line) or {}).get("coverages", []):
            amounts = [Decimal(str(limit["amount"]["amount"])) for limit in coverage.get("limits") or []
                       if limit.get("amount")]
            if amounts:
                found.append((line, coverage["code"], max(amounts)))
    return found


def placements_by_market(session: Session, market_ids: list[str]) -> dict[str, list[Placement]]:
    """Every submission sent to each market, whether the market quoted it and whether its
    quote was bound."""
    quoted = set(session.execute(select(Quote.submission_id, Quote.market_id).where(
        Quote.status == "quoted", Quote.market_id.in_(market_ids)).distinct()).all())
    bound = set(session.execute(select(Quote.submission_id, Quote.market_id).join(Bind, Bind.quote_id == Quote.id)
                                .where(Quote.market_id.in_(market_ids), Bind.status == "bound")).all())
    rows = session.execute(select(SubmissionMarket.submission_id, SubmissionMarket.market_id, SubmissionMarket.sent_at,
                                  SubmissionMarket.answered_at)
                           .where(SubmissionMarket.sent_at.is_not(None), SubmissionMarket.market_id.in_(market_ids)))
    placements: dict[str, list[Placement]] = defaultdict(list)
    for submission_id, market_id, sent_at, answered_at in rows:
        key = (submission_id, market_id)
        placements[market_id].append(Placement(sent_at, answered_at, key in quoted, key in bound))
    return placements


def ranking_for(session: Session, submission: Submission) -> dict:
    markets = list(session.scalars(select(Market).where(Market.active.is_(True)).order_by(Market.id)))
    placements = placements_by_market(session, [m.id for m in markets])
    reach: dict[str, list[ReachableCarrier]] = defaultdict(list)
    for carrier in session.scalars(select(ReachableCarrier).order_by(ReachableCarrier.carrier_name, ReachableCarrier.id)):
        reach[carrier.market_id].append(carrier)
    wholesalers = {m.id: m for m in markets if m.kind == "wholesaler"}
    candidates = []
    for m in markets:
        standing = appointments.standing(m, submission.effective_date)
        through = tuple({"market_id": w.id, "market_name": w.name} for w in wholesalers.values()
                        if w.id != m.id and any(appointments.matches(c, m) for c in reach[w.id]))
        candidates.append(Candidate(
            m.id, m.name, m.admitted, m.appetite or {}, history_of(placements.get(m.id, [])), kind=m.kind,
            appointment_status=m.appointment_status or "appointed", can_place=standing.can_place,
            appointment_detail=standing.detail, reached_through=through,
            reachable_carriers=tuple(appointments.reach_for_lines(reach[m.id], submission.lines)
                                     if m.kind == "wholesaler" else ())))
    basis, source = premium_basis(submission)
    return {
        "submission_id": submission.id,
        "premium_basis": None if basis is None else {"amount": f"{basis:.2f}", "currency": "USD"},
        "premium_basis_source": source,
        "markets": rank(risk_of(session, submission), candidates),
    }

"""Submissions: opened for a renewal (from expiring policies) or new business, given a
market list, approved, and sent: to each queue market over the outbound carrier contract
(with the client's loss history), to each email market as a package email the worker sends
once documents has rendered the package (application, specifications, submission letter)
that every send asks for."""
from __future__ import annotations

import os
import uuid
from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import appointments, email_channel, market_status, renewal, submission_package
from services.marketing.domain.errors import Conflict, Invalid, NotFound
from services.marketing.domain.intake import to_json
from services.marketing.domain.loss_summary import loss_history, losses_as_of, summary_of
from services.marketing.domain.readmodels import insured_from_client, insured_of, policy_snapshot
from services.marketing.models import ClientView, Market, PolicyView, Submission, SubmissionMarket
from shared.contracts.carrier import OUTBOUND_TYPE
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event
from shared.kit.topology import CARRIER_OUTBOUND, CARRIER_REPLIES, outbound_routing_key

SOURCE = "marketing"
APPROVERS = ("producer", "program_manager", "admin")
# Programs whose market lists a program manager approves as well as the producer (env
# MARKETING_PROGRAM_BUSINESS or PROGRAM_BUSINESS: program names separated by commas; an
# empty value means none).  The demo's specialty program is program business by default.
DEFAULT_PROGRAM_BUSINESS = ("pest-control",)
PRODUCER, PROGRAM_MANAGER = "producer", "program_manager"


def program_business_from_env(environ: dict | None = None) -> frozenset[str]:
    env = os.environ if environ is None else environ
    raw = env.get("MARKETING_PROGRAM_BUSINESS", env.get("PROGRAM_BUSINESS"))
    if raw is None:
        return frozenset(DEFAULT_PROGRAM_BUSINESS)
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def get_submission(session: Session, submission_id: str) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("No such submission.")
    return submission


def market_list(session: Session, submission_id: str) -> list[tuple[SubmissionMarket, Market]]:
    rows = session.execute(
        select(SubmissionMarket, Market).join(Market, Market.id == SubmissionMarket.market_id)
        .where(SubmissionMarket.submission_id == submission_id).order_by(SubmissionMarket.id)
    )
    return [(row[0], row[1]) for row in rows]


# -- opening -------------------------------------------------------------------------

def open_renewal(session: Session, policy_ids: list[str], actor: str, *, visible=lambda program: True) -> Submission:
    """A draft renewal of expiring policies held in the read model (one client, one
    expiration date)."""
    if not policy_ids or len(set(policy_ids)) != len(policy_ids):
        raise Invalid("Name each expiring policy once.")
    views = [session.get(PolicyView, policy_id) for policy_id in policy_ids]
    missing = [pid for pid, view in zip(policy_ids, views) if view is None or not visible(view.program)]
    if missing:
        raise Invalid(f"Unknown expiring policies: {', '.join(missing)}.")
    if len({v.client_id for v in views}) > 1:
        raise Invalid("The expiring policies belong to different clients.")
    if len({v.expiration_date for v in views}) > 1:
        raise Invalid("The expiring policies expire on different dates; renew each date on its own submission.")
    if len({v.line_of_business for v in views}) != len(views):
        raise Invalid("Two expiring policies of the same line cannot share one submission.")
    submission = _new_renewal(session, [policy_snapshot(v) for v in views], views[0].insured, actor)
    audit(session, actor, "submission.created", "submission", submission.id, kind="renewal", policies=policy_ids)
    return submission


def on_renewal_due(session: Session, policy: dict, insured: dict, account_manager: str | None, actor: str) -> Submission | None:
    """Create, or extend with this policy's line, the draft renewal of the client's terms
    expiring that day.  The same policy is never added twice.  ``policy`` and ``insured``
    are in their JSON form."""
    expiration = date.fromisoformat(policy["period"]["expiration_date"])
    renewing = session.scalars(select(Submission).where(
        Submission.client_id == policy["client_id"], Submission.effective_date == expiration,
        Submission.kind == "renewal").order_by(Submission.created_at)).all()
    if any(policy["policy_id"] in s.expiring_policy_ids for s in renewing):
        return None
    for draft in (s for s in renewing if s.status == "draft"):
        try:
            specs, expiring, lines = renewal.add_expiring_policy(draft.specifications, draft.expiring, draft.lines, policy)
        except renewal.LineTaken:
            continue
        draft.specifications, draft.expiring, draft.lines = specs, expiring, lines
        draft.expiring_policy_ids = [*draft.expiring_policy_ids, policy["policy_id"]]
        draft.updated_at = utcnow()
        audit(session, actor, "submission.extended", "submission", draft.id, policy_id=policy["policy_id"],
              line=policy["line_of_business"])
        return draft
    submission = _new_renewal(session, [policy], insured, actor, account_manager=account_manager)
    audit(session, actor, "submission.created", "submission", submission.id, kind="renewal",
          policies=[policy["policy_id"]], reason="renewal due")
    return submission


def _new_renewal(session: Session, policies: list[dict], insured: dict, actor: str, *,
                 account_manager: str | None = None) -> Submission:
    first = policies[0]
    start, end = renewal.renewal_period(date.fromisoformat(first["period"]["effective_date"]),
                                        date.fromisoformat(first["period"]["expiration_date"]))
    specs, expiring, lines = {}, [], []
    for policy in policies:
        specs, expiring, lines = renewal.add_expiring_policy(specs, expiring, lines, policy)
    client = session.get(ClientView, first["client_id"])
    submission = Submission(
        id=str(uuid.uuid4()), client_id=first["client_id"], program=first["program"],
        insured=insured_from_client(client) if client else to_json(insured), kind="renewal", status="draft",
        effective_date=start, expiration_date=end, lines=lines, specifications=specs, expiring=expiring,
        expiring_policy_ids=[p["policy_id"] for p in policies],
        account_manager=account_manager or (client.account_manager if client else None),
        created_by=actor, created_at=utcnow(), updated_at=utcnow(),
    )
    session.add(submission)
    return submission


def open_new_business(session: Session, data: dict, actor: str, *, visible=lambda program: True) -> Submission:
    """A draft submission for a client or prospect with no expiring policy to start from."""
    client = session.get(ClientView, data["client_id"])
    if client is None or not visible(client.program):
        raise Invalid(f"Unknown client {data['client_id']!r}.")
    specifications = to_json(data["specifications"])
    check_specifications(specifications)
    submission = Submission(
        id=str(uuid.uuid4()), client_id=client.client_id, program=client.program,
        insured=insured_from_client(client), kind="new_business", status="draft",
        effective_date=data["effective_date"], expiration_date=data["expiration_date"],
        lines=list(specifications), specifications=specifications, expiring=[], expiring_policy_ids=[],
        target_premium=(data.get("target_premium") or {}).get("amount"),
        underwriting_notes=data.get("underwriting_notes"), account_manager=client.account_manager,
        created_by=actor, created_at=utcnow(), updated_at=utcnow(),
    )
    if submission.expiration_date <= submission.effective_date:
        raise Invalid("The term must end after it starts.")
    session.add(submission)
    audit(session, actor, "submission.created", "submission", submission.id, kind="new_business", lines=submission.lines)
    return submission


def check_specifications(specifications: dict) -> None:
    if not specifications:
        raise Invalid("Specify at least one line.")
    for line, spec in specifications.items():
        if not spec.get("coverages"):
            raise Invalid(f"Line {line} needs at least one requested coverage.")
        codes = [coverage["code"] for coverage in spec["coverages"]]
        if len(set(codes)) != len(codes):
            raise Invalid(f"Line {line} names a coverage twice.")


def replace_specifications(session: Session, submission: Submission, specifications: dict, actor: str) -> Submission:
    _require_draft(submission, "change its specifications")
    specifications = to_json(specifications)
    check_specifications(specifications)
    submission.specifications = specifications
    submission.lines = list(specifications)
    submission.updated_at = utcnow()
    audit(session, actor, "submission.specified", "submission", submission.id, lines=submission.lines)
    return submission


def set_risk_details(session: Session, submission: Submission, changes: dict, actor: str) -> Submission:
    """The class codes (per line) and operations the markets' appetite is matched against."""
    if "class_codes" in changes:
        codes = {line: sorted(set(values)) for line, values in (changes["class_codes"] or {}).items() if values}
        submission.class_codes = codes or None
    if "operations" in changes:
        submission.operations = (changes["operations"] or "").strip() or None
    submission.updated_at = utcnow()
    audit(session, actor, "submission.risk_described", "submission", submission.id,
          class_codes=submission.class_codes, operations=submission.operations)
    return submission


# -- market list, approval, sending --------------------------------------------------------

def set_markets(session: Session, submission: Submission, market_ids: list[str], actor: str) -> None:
    _require_draft(submission, "change its market list")
    check_markets(session, market_ids, on=submission.effective_date)
    if submission.markets_approved_at or submission.program_manager_approved_at:
        # A changed list is approved afresh.
        submission.markets_approved_by = submission.markets_approved_at = None
        submission.program_manager_approved_by = submission.program_manager_approved_at = None
    existing = {sm.market_id: sm for sm in session.scalars(
        select(SubmissionMarket).where(SubmissionMarket.submission_id == submission.id))}
    for market_id, entry in existing.items():
        if market_id not in market_ids:
            session.delete(entry)
    for market_id in market_ids:
        if market_id not in existing:
            session.add(SubmissionMarket(submission_id=submission.id, market_id=market_id, status="draft"))
    submission.updated_at = utcnow()
    audit(session, actor, "submission.markets_set", "submission", submission.id, markets=market_ids)


def check_markets(session: Session, market_ids: list[str], *, on: date | None = None) -> dict[str, Market]:
    """The markets a submission may go to (its list, or markets added once it is out):
    known, active, reachable, and appointed (or reached through a wholesaler)."""
    if len(set(market_ids)) != len(market_ids):
        raise Invalid("A market appears twice in the list.")
    markets = {m.id: m for m in session.scalars(select(Market).where(Market.id.in_(market_ids)))}
    unknown = [mid for mid in market_ids if mid not in markets]
    if unknown:
        raise Invalid(f"Unknown markets: {', '.join(unknown)}.")
    inactive = [mid for mid in market_ids if not markets[mid].active]
    if inactive:
        raise Invalid(f"Inactive markets: {', '.join(inactive)}.")
    no_address = [mid for mid in market_ids if markets[mid].channel == "email" and not markets[mid].email]
    if no_address:
        raise Invalid(f"These email markets have no address to send to: {', '.join(no_address)}.")
    appointments.check_appointed(session, [markets[mid] for mid in market_ids], on)
    return markets


def approvals_pending(submission: Submission, program_business: Collection[str]) -> list[str]:
    """Whose approval of the market list is still missing: producer, program_manager."""
    if submission.status != "draft":
        return []
    pending = [] if submission.markets_approved_at else [PRODUCER]
    if submission.program in program_business and not submission.program_manager_approved_at:
        pending.append(PROGRAM_MANAGER)
    return pending


def approve_markets(session: Session, submission: Submission, actor: str, *,
                    roles: Iterable[str] = (PRODUCER,), program_business: Collection[str] = ()) -> str:
    """Approve the market list.  Program business needs two approvals, the producer's and a
    program manager's, given by two different people; any other submission is approved by
    one.  Returns the capacity recorded (producer or program_manager)."""
    _require_draft(submission, "approve its market list")
    if not market_list(session, submission.id):
        raise Conflict("The submission has no markets to approve; set its markets first.")
    roles = set(roles)
    now = utcnow()
    if submission.program not in program_business:
        capacity = PROGRAM_MANAGER if roles == {PROGRAM_MANAGER} else PRODUCER
        submission.markets_approved_by, submission.markets_approved_at = actor, now
    else:
        capacity = _capacity(submission, actor, roles, approvals_pending(submission, program_business))
        if capacity == PRODUCER:
            submission.markets_approved_by, submission.markets_approved_at = actor, now
        else:
            submission.program_manager_approved_by, submission.program_manager_approved_at = actor, now
    pending = approvals_pending(submission, program_business)
    if not pending:
        submission.status = "approved"
    submission.updated_at = now
    audit(session, actor, "submission.markets_approved", "submission", submission.id, capacity=capacity,
          program_business=submission.program in program_business, pending=pending)
    return capacity


def _capacity(submission: Submission, actor: str, roles: set[str], pending: list[str]) -> str:
    """Which of the missing approvals ``actor`` gives (admins may give either, not both)."""
    holds = {PRODUCER: bool(roles & {PRODUCER, "admin"}), PROGRAM_MANAGER: bool(roles & {PROGRAM_MANAGER, "admin"})}
    given = {PRODUCER: submission.markets_approved_by, PROGRAM_MANAGER: submission.program_manager_approved_by}
    if actor in given.values():
        other = [capacity.replace("_", " ") for capacity in pending]
        raise Conflict(f"You already approved this market list; it awaits {' and '.join(other)} approval "
                       "from someone else.")
    for capacity in pending:
        if holds[capacity]:
            return capacity
    raise Conflict("Program business: the market list awaits " +
                   " and ".join(f"{c.replace('_', ' ')} approval" for c in pending) +
                   "; your roles cannot give it.")


def send(session: Session, submission: Submission, actor: str, *, today: date,
         respond_by: date | None = None, underwriting_notes: str | None = None) -> list[str]:
    """Send the approved submission to every market on its list; returns the market ids."""
    if submission.status == "draft":
        if submission.markets_approved_at and not submission.program_manager_approved_at:
            raise Conflict("The market list is awaiting program manager approval (program business): "
                           f"approved by the producer {submission.markets_approved_by}, not yet by a program manager.")
        if submission.program_manager_approved_at and not submission.markets_approved_at:
            raise Conflict("The market list is awaiting the producer's approval (program business): "
                           f"approved by the program manager {submission.program_manager_approved_by}.")
        raise Conflict("The market list has not been approved.")
    if submission.status != "approved":
        raise Conflict(f"The submission is already {submission.status}.")
    entries = market_list(session, submission.id)
    if not entries:
        raise Conflict("The submission has no markets.")
    respond_by = respond_by or renewal.default_respond_by(today, submission.effective_date)
    if respond_by < today:
        raise Invalid("respond_by is in the past.")
    notes = underwriting_notes if underwriting_notes is not None else submission.underwriting_notes
    now = utcnow()
    send_to_markets(session, submission, entries, actor, respond_by, notes, now)
    submission.status, submission.sent_at, submission.respond_by = "sent", now, respond_by
    submission.underwriting_notes = notes
    submission.updated_at = now
    audit(session, actor, "submission.sent", "submission", submission.id,
          markets=[market.id for _e, market in entries], respond_by=respond_by)
    return [market.id for _e, market in entries]


def send_to_markets(session: Session, submission: Submission, entries: list[tuple[SubmissionMarket, Market]],
                    actor: str, respond_by: date, notes: str | None, now) -> None:
    """Each market on ``entries`` gets the submission over its channel and becomes sent
    (the first send, and markets added to a submission already out)."""
    insured = insured_of(session, submission)
    for entry, market in entries:
        _send_to(session, submission, market, insured, respond_by, notes, actor, now.date())
        market_status.change(session, entry, "sent", actor, reason="submission sent", respond_by=respond_by)
        entry.sent_at = now


def _send_to(session: Session, submission: Submission, market: Market, insured: dict,
             respond_by: date, notes: str | None, actor: str = f"service:{SOURCE}", today: date | None = None) -> None:
    """Send to one market: a queue market gets the structured submission now, an email
    market its package email once rendered; either way the market's package is asked of
    documents (the application and specifications once per submission, its own letter)."""
    if market.channel == "queue":
        request_quote(session, submission, market, {
            "kind": submission.kind,
            "insured": insured,
            "lines": requested_lines(submission),
            "target_premium": (None if submission.target_premium is None else
                               {"amount": f"{submission.target_premium:.2f}", "currency": "USD"}),
            "underwriting_notes": notes,
            "respond_by": respond_by.isoformat(),
        })
    else:
        email_channel.queue_email(session, submission, market)
    submission_package.request_package(session, submission, market, respond_by=respond_by, notes=notes,
                                       actor=actor, today=today or utcnow().date())
    record_event(session, SOURCE, "marketing.submission.sent", {
        **submission_ref(submission, market),
        "kind": submission.kind,
        "lines": list(submission.lines),
        "effective_date": submission.effective_date.isoformat(),
        "channel": market.channel,
    }, subject=submission.id)


def request_quote(session: Session, submission: Submission, market: Market, request: dict) -> None:
    """A carrier.submission.requested message to the market's own queue, through the outbox
    (the first send and every re-quote request travel the same route), with the client's
    loss history by policy year and the market's package documents rendered so far."""
    if market.channel != "queue":
        raise Conflict(f"Market {market.id} takes submissions by email, not over the carrier contract.")
    losses = summary_of(session, submission.client_id)
    record_event(session, SOURCE, OUTBOUND_TYPE, {
        "submission_id": submission.id,
        "market_id": market.id,
        "period": {"effective_date": submission.effective_date.isoformat(),
                   "expiration_date": submission.expiration_date.isoformat()},
        "loss_history": loss_history(losses),
        "losses_as_of": losses_as_of(losses),
        "documents": submission_package.carrier_documents(session, submission.id, market.id),
        **request,
        "reply_to": {"exchange": CARRIER_REPLIES.name, "routing_key": market.id},
    }, subject=submission.id, exchange=CARRIER_OUTBOUND.name, routing_key=outbound_routing_key(market.id))


def requested_lines(submission: Submission) -> list[dict]:
    expiring = {line["line_of_business"]: line for line in submission.expiring}
    return [{
        "line_of_business": line,
        "coverages": submission.specifications[line]["coverages"],
        "expiring_premium": expiring[line]["premium"] if line in expiring else None,
        "expiring_carrier": expiring[line]["carrier_name"] if line in expiring else None,
    } for line in submission.lines]


def submission_ref(submission: Submission, market: Market) -> dict:
    return {"submission_id": submission.id, "client_id": submission.client_id, "program": submission.program,
            "market_id": market.id, "market_name": market.name}


def _require_draft(submission: Submission, doing: str) -> None:
    if submission.status != "draft":
        raise Conflict(f"The submission is {submission.status}; only a draft can {doing}.")

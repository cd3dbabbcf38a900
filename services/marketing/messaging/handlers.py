"""Marketing's message handlers: the read models of accounts' clients and policies,
renewal submissions opened when a renewal falls due, documents rendered for a submission,
and the carrier quote intake (with the reply every carrier gets, even for a message that
is dead-lettered)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import email_channel, intake_batch, quotes, submission_package, submissions
from services.marketing.domain import binding, carrier_messages
from services.marketing.domain.errors import MarketingError, NotFound
from services.marketing.domain.intake import to_json
from services.marketing.domain.loss_summary import apply_losses
from services.marketing.domain.readmodels import apply_client, apply_policy
from services.marketing.models import Market, Submission, SubmissionDocument
from shared.contracts.carrier import INTAKE_TYPE
from shared.contracts.carrier_binding import (
    ACKNOWLEDGED_TYPE, BIND_CONFIRMED_TYPE, BIND_DECLINED_TYPE, POLICY_ISSUED_TYPE,
)
from shared.kit.consumer import BatchHandler, DeadLetter, Delivery, Rejected
from shared.kit.db import utcnow
from shared.kit.topology import INTAKE_QUEUE

log = logging.getLogger(__name__)


def _as_of(delivery: Delivery) -> datetime:
    return datetime.fromisoformat(delivery.envelope["time"])


def _actor(delivery: Delivery) -> str:
    return f"service:{delivery.source}"


def on_client_snapshot(session: Session, delivery: Delivery) -> None:
    apply_client(session, delivery.data, _as_of(delivery))


def on_policy_recorded(session: Session, delivery: Delivery) -> None:
    apply_policy(session, delivery.data["policy"], delivery.data["insured"], _as_of(delivery))


def on_renewal_due(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    apply_policy(session, data["policy"], data["insured"], _as_of(delivery))
    submissions.on_renewal_due(session, to_json(data["policy"]), to_json(data["insured"]),
                               data.get("account_manager"), _actor(delivery))


def on_losses_updated(session: Session, delivery: Delivery) -> None:
    """The client's latest loss summary, for the loss history of its submissions."""
    apply_losses(session, delivery.data, _as_of(delivery))


def on_document_generated(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    if data["subject_type"] != "submission" or session.get(Submission, data["subject_id"]) is None:
        return
    if session.get(SubmissionDocument, data["document_id"]) is None:
        session.add(SubmissionDocument(
            document_id=data["document_id"], submission_id=data["subject_id"], kind=data["kind"],
            title=data["title"], filename=data["filename"], download_path=data["download_path"],
            generated_at=_as_of(delivery),
        ))
    if submission_package.record_generated(session, data, _as_of(delivery)) is not None:
        session.flush()
        email_channel.refresh(session, data["subject_id"])


def on_document_failed(session: Session, delivery: Delivery) -> None:
    """A package document that cannot be rendered fails the emails waiting for it."""
    document = submission_package.record_failed(session, delivery.data, _as_of(delivery))
    if document is not None:
        session.flush()
        email_channel.refresh(session, document.submission_id)


def on_quote_submitted(session: Session, delivery: Delivery) -> None:
    """A carrier's answer: only from the market's own broker user, stored once, answered."""
    data = to_json(delivery.data)
    market = vouched_market(session.get(Market, data["market_id"]), data["market_id"], delivery.user_id)
    try:
        result = quotes.receive(session, data, market, channel="queue", actor=f"carrier:{market.id}",
                                today=utcnow().date())
    except quotes.UnknownSubmission as exc:
        raise DeadLetter(exc.detail, kind="unknown_submission") from None
    quotes.reply(session, delivery.message_id, market.id, data, result)


def on_quotes_submitted(session: Session, deliveries: list[Delivery]) -> dict[str, DeadLetter | None]:
    """:func:`on_quote_submitted` for a whole batch of answers, with the database work
    done in bulk (see :mod:`services.marketing.domain.intake_batch`)."""
    answers = [(delivery, delivery.data) for delivery in deliveries]  # already in JSON form
    market_ids = {data["market_id"] for _delivery, data in answers}
    markets = {m.id: m for m in session.scalars(select(Market).where(Market.id.in_(sorted(market_ids))))}
    verdicts: dict[str, DeadLetter | None] = {}
    vouched = []
    for delivery, data in answers:
        try:
            market = vouched_market(markets.get(data["market_id"]), data["market_id"], delivery.user_id)
        except DeadLetter as letter:
            verdicts[delivery.message_id] = letter
            continue
        vouched.append(intake_batch.Answer(delivery.message_id, data, market, delivery.correlation_id))
    for message_id, unknown in intake_batch.receive_many(session, vouched, utcnow().date()).items():
        verdicts[message_id] = None if unknown is None else DeadLetter(unknown.detail, kind="unknown_submission")
    return verdicts


def _market_message(session: Session, delivery: Delivery) -> tuple[dict, Market]:
    """The payload (JSON form) of a market's message and the market, if its own broker
    user published it."""
    data = to_json(delivery.data)
    return data, vouched_market(session.get(Market, data["market_id"]), data["market_id"], delivery.user_id)


def _answer(session: Session, delivery: Delivery, market: Market, data: dict, outcome: str,
            reasons: list[str] | None = None) -> None:
    quotes.reply(session, delivery.message_id, market.id, data, quotes.IntakeResult(outcome, reasons=reasons or []))


def on_submission_acknowledged(session: Session, delivery: Delivery) -> None:
    """carrier.submission.acknowledged: the market has the submission (recorded once)."""
    data, market = _market_message(session, delivery)
    _submission, entries = quotes.submission_and_market_list(session, data["submission_id"])
    try:
        entry = quotes.sent_entry(entries, market, data["submission_id"])
    except quotes.UnknownSubmission as exc:
        raise DeadLetter(exc.detail, kind="unknown_submission") from None
    fresh = carrier_messages.acknowledge(session, entry, data, f"carrier:{market.id}")
    _answer(session, delivery, market, data, "accepted" if fresh else "duplicate")


def on_bind_confirmed(session: Session, delivery: Delivery) -> None:
    """carrier.bind.confirmed: the market bound what it was asked to bind."""
    data, market = _market_message(session, delivery)
    bind = _bind_of(session, market, data)
    try:
        fresh = binding.confirm(session, bind, delivery.data, f"carrier:{market.id}", "queue",
                                binding.rules_from_env())
    except MarketingError as exc:
        _answer(session, delivery, market, data, "rejected", [exc.detail])
        return
    _answer(session, delivery, market, data, "accepted" if fresh else "duplicate")


def on_bind_declined(session: Session, delivery: Delivery) -> None:
    """carrier.bind.declined: the market refuses to bind what it was asked to bind."""
    data, market = _market_message(session, delivery)
    bind = _bind_of(session, market, data)
    try:
        fresh = binding.decline(session, bind, data["reason"], f"carrier:{market.id}", "queue")
    except MarketingError as exc:
        _answer(session, delivery, market, data, "rejected", [exc.detail])
        return
    _answer(session, delivery, market, data, "accepted" if fresh else "duplicate")


def on_policy_issued(session: Session, delivery: Delivery) -> None:
    """carrier.policy.issued: the issued policy, checked against the binder and quote."""
    data, market = _market_message(session, delivery)
    bind = _bind_of(session, market, data)
    try:
        _check, _found, fresh = carrier_messages.receive_issued_policy(session, bind, data, f"carrier:{market.id}")
    except MarketingError as exc:
        _answer(session, delivery, market, data, "rejected", [exc.detail])
        return
    _answer(session, delivery, market, data, "accepted" if fresh else "duplicate")


def _bind_of(session: Session, market: Market, data: dict):
    try:
        return binding.bind_of_market(session, data["bind_id"], market, data["submission_id"])
    except NotFound as exc:
        raise DeadLetter(exc.detail, kind="unknown_bind") from None


def vouched_market(market: Market | None, market_id: str, user_id: str | None) -> Market:
    """The market an answer claims to come from, if the broker vouches that its own
    broker user published it."""
    if market is None:
        raise DeadLetter(f"unknown market {market_id!r}", kind="unknown_market")
    if not market.broker_user or user_id != market.broker_user:
        raise DeadLetter(f"broker user {user_id!r} may not answer for market {market.id!r}", kind="forged_market")
    return market


def on_dead_letter(session: Session, rejected: Rejected) -> None:
    """A refused intake message still gets a "rejected" reply, sent to the market that
    published it (known by its broker user), never to the market it claimed to be."""
    envelope = rejected.envelope if isinstance(rejected.envelope, dict) else {}
    if rejected.queue != INTAKE_QUEUE and envelope.get("type") != INTAKE_TYPE:
        return
    market = publisher(session, rejected.user_id)
    if market is None:
        log.warning("cannot answer a refused intake message: publisher %r is no market", rejected.user_id)
        return
    data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
    in_reply_to = envelope.get("id") or _message_id(rejected.raw) or "unknown"
    quotes.reply(session, str(in_reply_to)[:200], market.id, _reply_keys(data),
                 quotes.IntakeResult("rejected", reasons=[f"{rejected.kind}: {rejected.reason}"]))


def publisher(session: Session, user_id: str | None) -> Market | None:
    if not user_id:
        return None
    return session.scalar(select(Market).where(Market.broker_user == user_id))


def _reply_keys(data: dict) -> dict:
    ref, revision, submission_id = data.get("carrier_quote_ref"), data.get("revision"), data.get("submission_id")
    return {
        "carrier_quote_ref": ref if isinstance(ref, str) and len(ref) <= 80 else None,
        "revision": revision if isinstance(revision, int) and not isinstance(revision, bool) else None,
        "submission_id": submission_id if isinstance(submission_id, str) else None,
    }


def _message_id(raw) -> str | None:
    properties = getattr(raw, "properties", None) or {}
    return properties.get("message_id")


HANDLERS = {
    "accounts.client.registered": on_client_snapshot,
    "accounts.client.updated": on_client_snapshot,
    "accounts.policy.recorded": on_policy_recorded,
    "accounts.renewal.due": on_renewal_due,
    "documents.document.generated": on_document_generated,
    "documents.document.failed": on_document_failed,
    "accounts.losses.updated": on_losses_updated,
    INTAKE_TYPE: BatchHandler(single=on_quote_submitted, batch=on_quotes_submitted, json_form=True),
    ACKNOWLEDGED_TYPE: on_submission_acknowledged,
    BIND_CONFIRMED_TYPE: on_bind_confirmed,
    POLICY_ISSUED_TYPE: on_policy_issued,
    BIND_DECLINED_TYPE: on_bind_declined,
}

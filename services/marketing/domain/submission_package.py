"""The submission package: what documents renders for a sent submission (the application
and the specifications once per submission, a submission letter to each market), asked
with ``documents.document.requested`` and tracked here until ``documents.document.generated``
(or ``documents.document.failed``) answers each request.

The payloads follow ``shared.contracts.submission_documents`` and are validated against
it before they are asked for.  A market's package is its letter plus the submission's
application and specifications; when a kind was asked again (after a failure) the latest
request counts.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.comparisons import AGENCY
from services.marketing.domain.loss_summary import document_loss_history, summary_of
from services.marketing.domain.readmodels import insured_of
from services.marketing.models import ClientView, Market, PackageDocument, Submission, UnderwriterContact
from shared.contracts.submission_documents import SUBMISSION_DOCUMENT_PAYLOADS
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "marketing"
PER_SUBMISSION = (("application", "Application"), ("specifications", "Specifications"))
PER_MARKET = (("submission_letter", "Submission letter"),)
PACKAGE_KINDS = tuple(kind for kind, _title in PER_SUBMISSION + PER_MARKET)
TITLES = dict(PER_SUBMISSION + PER_MARKET)


@dataclass(frozen=True)
class PackageState:
    """Where a market's package stands: ``complete`` (every kind rendered), ``failed``
    (a kind could not be rendered: ``reason``) or ``pending``."""

    status: str
    documents: tuple[PackageDocument, ...] = ()
    reason: str | None = None


# -- asking documents ----------------------------------------------------------------------

def request_package(session: Session, submission: Submission, market: Market, *, respond_by: date,
                    notes: str | None, actor: str, today: date) -> list[str]:
    """Ask for what of ``market``'s package has not been asked yet: the application and
    specifications (once per submission) and the market's submission letter.  Returns the
    request ids."""
    asked = {(doc.kind, doc.market_id) for doc in documents_of(session, submission.id)}
    wanted = [(kind, None) for kind, _t in PER_SUBMISSION] + [(kind, market.id) for kind, _t in PER_MARKET]
    missing = [(kind, market_id) for kind, market_id in wanted if (kind, market_id) not in asked]
    if not missing:
        return []
    base = package_payload(session, submission, respond_by=respond_by, notes=notes, today=today, actor=actor)
    request_ids = []
    for kind, market_id in missing:
        payload = dict(base, market=market_ref(market, underwriter_for(session, market, submission))) \
            if market_id else dict(base)
        request_ids.append(_ask(session, submission, kind, market_id, validated(kind, payload), market))
    audit(session, actor, "submission.package_requested", "submission", submission.id, market_id=market.id,
          requests=request_ids, kinds=[kind for kind, _m in missing])
    return request_ids


def request_again(session: Session, document: PackageDocument, actor: str) -> str:
    """Ask again for a document that failed, with the payload it was first asked with."""
    submission = session.get(Submission, document.submission_id)
    market = session.get(Market, document.market_id) if document.market_id else None
    request_id = _ask(session, submission, document.kind, document.market_id, document.payload, market)
    audit(session, actor, "submission.package_requested", "submission", submission.id,
          market_id=document.market_id, requests=[request_id], kinds=[document.kind],
          replaces_request_id=document.request_id)
    return request_id


def _ask(session: Session, submission: Submission, kind: str, market_id: str | None, payload: dict,
         market: Market | None) -> str:
    request_id = str(uuid.uuid4())
    title = f"{TITLES[kind]}: {submission.insured['name']}, effective {submission.effective_date.isoformat()}"
    if market_id and market is not None:
        title = f"{TITLES[kind]} to {market.name}: {submission.insured['name']}, " \
                f"effective {submission.effective_date.isoformat()}"
    record_event(session, SOURCE, "documents.document.requested", {
        "request_id": request_id, "kind": kind, "client_id": submission.client_id, "program": submission.program,
        "subject_type": "submission", "subject_id": submission.id, "title": title[:300], "payload": payload,
    }, subject=submission.id)
    session.add(PackageDocument(request_id=request_id, submission_id=submission.id, market_id=market_id, kind=kind,
                                status="requested", payload=payload, requested_at=utcnow()))
    return request_id


def validated(kind: str, payload: dict) -> dict:
    """The payload in its JSON form, checked strictly against the documents contract."""
    schema = SUBMISSION_DOCUMENT_PAYLOADS[kind]()
    return schema.dump(schema.load(payload))


def package_payload(session: Session, submission: Submission, *, respond_by: date, notes: str | None,
                    today: date, actor: str) -> dict:
    """The shared payload of a submission's package documents (``SubmissionDocumentSchema``)."""
    client = session.get(ClientView, submission.client_id)
    expiring = {line["line_of_business"]: line for line in submission.expiring}
    preparer = submission.account_manager or (client.account_manager if client else None) or _user(actor)
    lines = []
    for line in submission.lines:
        old = expiring.get(line)
        lines.append({
            "line_of_business": line,
            "coverages": submission.specifications[line]["coverages"],
            "expiring_premium": old["premium"] if old else None,
            "expiring_carrier": old["carrier_name"] if old else None,
            "expiring_policy_number": old["policy_number"] if old else None,
        })
    return {
        "submission_id": submission.id,
        "kind": submission.kind,
        "prepared_on": today.isoformat(),
        "insured": insured_of(session, submission),
        "agency": dict(AGENCY),
        "account_manager": {"name": preparer, "title": "Account Manager"},
        "producer": {"name": client.producer, "title": "Producer"} if client and client.producer else None,
        "period": {"effective_date": submission.effective_date.isoformat(),
                   "expiration_date": submission.expiration_date.isoformat()},
        "lines": lines,
        "target_premium": (None if submission.target_premium is None else
                           {"amount": f"{submission.target_premium:.2f}", "currency": "USD"}),
        "respond_by": respond_by.isoformat(),
        "loss_history": document_loss_history(summary_of(session, submission.client_id)),
        "underwriting_notes": notes,
    }


def market_ref(market: Market, underwriter: UnderwriterContact | None = None) -> dict:
    return {"market_id": market.id, "name": market.name, "carrier_name": market.carrier_name,
            "underwriter_name": underwriter.name if underwriter else None,
            "underwriter_email": (underwriter.email if underwriter and underwriter.email else market.email)}


def underwriter_for(session: Session, market: Market, submission: Submission) -> UnderwriterContact | None:
    """The market's underwriter for this submission: a contact with an email address whose
    lines and states (empty: all) cover the submission's, the primary contact first; else
    the primary contact; else none (the letter goes to the market's own address)."""
    contacts = list(session.scalars(select(UnderwriterContact).where(UnderwriterContact.market_id == market.id)
                                    .order_by(UnderwriterContact.is_primary.desc(), UnderwriterContact.name,
                                              UnderwriterContact.id)))
    state = ((submission.insured or {}).get("address") or {}).get("state")

    def covers(contact: UnderwriterContact) -> bool:
        lines_ok = not contact.lines or set(submission.lines) <= set(contact.lines)
        state_ok = not contact.states or state in contact.states
        return bool(contact.email) and lines_ok and state_ok

    return next((c for c in contacts if covers(c)), next((c for c in contacts if c.is_primary and c.email), None))


def _user(actor: str) -> str:
    return actor.split(":", 1)[1] if ":" in actor else actor


# -- answers from documents ------------------------------------------------------------------

def record_generated(session: Session, data: dict, at: datetime) -> PackageDocument | None:
    """A package document was rendered (DocumentGeneratedV1, loaded); None if the request
    is not one of the package's."""
    document = session.get(PackageDocument, data["request_id"])
    if document is None or document.submission_id != data["subject_id"]:
        return None
    if document.status != "generated":
        document.status = "generated"
        document.document_id = data["document_id"]
        document.filename = data["filename"]
        document.media_type = data["media_type"]
        document.size_bytes = data["size_bytes"]
        document.sha256 = data["sha256"]
        document.download_path = data["download_path"]
        document.failure_reason = None
        document.settled_at = at
    return document


def record_failed(session: Session, data: dict, at: datetime) -> PackageDocument | None:
    """A package document could not be rendered (DocumentFailedV1, loaded)."""
    document = session.get(PackageDocument, data["request_id"])
    if document is None or document.status == "generated":
        return None
    document.status = "failed"
    document.failure_reason = data["reason"]
    document.settled_at = at
    return document


# -- reading the package ------------------------------------------------------------------------

def documents_of(session: Session, submission_id: str) -> list[PackageDocument]:
    return list(session.scalars(select(PackageDocument).where(PackageDocument.submission_id == submission_id)
                                .order_by(PackageDocument.requested_at, PackageDocument.request_id)))


def latest(documents: list[PackageDocument], market_id: str) -> dict[str, PackageDocument]:
    """The latest request of each kind in ``market_id``'s package."""
    found: dict[str, PackageDocument] = {}
    for document in documents:  # oldest first: later requests replace earlier ones
        if document.market_id in (None, market_id):
            found[document.kind] = document
    return found


def state_of(session: Session, submission_id: str, market_id: str) -> PackageState:
    current = latest(documents_of(session, submission_id), market_id)
    failed = [d for d in current.values() if d.status == "failed"]
    if failed:
        return PackageState("failed", tuple(current.values()),
                            "; ".join(f"{d.kind} could not be rendered: {d.failure_reason}" for d in failed))
    if set(current) >= set(PACKAGE_KINDS) and all(d.status == "generated" for d in current.values()):
        return PackageState("complete", tuple(current[kind] for kind in PACKAGE_KINDS))
    return PackageState("pending", tuple(current.values()))


def carrier_documents(session: Session, submission_id: str, market_id: str) -> list[dict]:
    """The market's package documents rendered so far, as the outbound contract lists them."""
    current = latest(documents_of(session, submission_id), market_id)
    return [{"kind": kind, "document_id": current[kind].document_id, "filename": current[kind].filename}
            for kind in PACKAGE_KINDS if kind in current and current[kind].status == "generated"]


def letter_payload(session: Session, submission_id: str, market_id: str) -> dict | None:
    letter = latest(documents_of(session, submission_id), market_id).get("submission_letter")
    return None if letter is None else letter.payload

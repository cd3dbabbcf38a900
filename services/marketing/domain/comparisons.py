"""A submission's comparison from the database, and what happens when every market sent
to has answered: ``comparison ready`` and the comparison spreadsheet and proposal
requested from documents (each request carries the whole comparison)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.comparison import SubmissionFacts, compare
from services.marketing.domain.readmodels import insured_of
from services.marketing.domain.surplus_lines_binds import comparison_fees
from services.marketing.models import Market, Quote, Submission, SubmissionMarket
from shared.contracts.comparison import ComparisonDocumentSchema
from shared.kit.audit import audit
from shared.kit.db import utcnow
from shared.kit.outbox import record_event

SOURCE = "marketing"
AGENCY = {
    "name": "Sacramento Programs Insurance Services",
    "license_number": "0K12345",
    "address": "1201 K Street, Suite 800, Sacramento, CA 95814",
    "phone": "(916) 555-0142",
}
DOCUMENTS = (
    ("comparison_xlsx", "Coverage comparison"),
    ("proposal_docx", "Insurance proposal"),
)


def facts_of(submission: Submission, insured_name: str) -> SubmissionFacts:
    return SubmissionFacts(
        submission_id=submission.id, client_id=submission.client_id, program=submission.program,
        insured_name=insured_name, effective_date=submission.effective_date,
        expiration_date=submission.expiration_date, lines=tuple(submission.lines),
    )


def quote_input(quote: Quote, market: Market, taxes_fees: list[dict] | None = None) -> dict:
    return {
        "quote_id": quote.id,
        "market_id": market.id,
        "market_name": market.name,
        "carrier_name": quote.carrier_name or market.carrier_name,
        "admitted": quote.admitted,
        "am_best_rating": market.am_best_rating,
        "status": quote.status,
        "revision": quote.revision,
        "lines": quote.lines,
        "taxes_fees": quote.taxes_fees if taxes_fees is None else taxes_fees,
        "valid_until": quote.valid_until,
        "subjectivities": quote.subjectivities,
        "exclusions": quote.exclusions,
        "declination_reason": quote.declination_reason,
    }


def comparison_for(session: Session, submission: Submission, now: datetime | None = None) -> dict:
    rows = session.execute(
        select(Quote, Market).join(Market, Market.id == Quote.market_id)
        .where(Quote.submission_id == submission.id, Quote.is_current.is_(True))
        .order_by(Quote.received_at, Quote.id)
    ).all()
    insured = insured_of(session, submission)
    state = (insured.get("address") or {}).get("state")
    quotes = [quote_input(quote, market, comparison_fees(quote, submission, state)) for quote, market in rows]
    facts = facts_of(submission, insured["name"])
    return compare(facts, submission.specifications, submission.expiring, quotes, now or utcnow())


def complete_if_answered(session: Session, submission: Submission, entries: list[SubmissionMarket],
                         actor: str, today: date) -> bool:
    """Once every market sent to has answered: ``comparison ready`` and the documents.
    Raised once per submission; later revisions show in the comparison API and can be
    rendered again with :func:`request_documents`."""
    if not ready_to_compare(submission, entries):
        return False
    comparison = comparison_for(session, submission)
    submission.comparison_ready_at = utcnow()
    best = comparison["options"][0]["quote_id"] if comparison["options"] else None
    record_event(session, SOURCE, "marketing.comparison.ready", {
        "submission_id": submission.id, "client_id": submission.client_id, "program": submission.program,
        "quote_count": len(comparison["options"]), "declination_count": len(comparison["declinations"]),
        "best_quote_id": best,
    }, subject=submission.id)
    request_documents(session, submission, comparison, actor, today)
    audit(session, actor, "submission.comparison_ready", "submission", submission.id,
          quotes=len(comparison["options"]), declinations=len(comparison["declinations"]))
    return True


def ready_to_compare(submission: Submission, entries: list[SubmissionMarket]) -> bool:
    """Every market sent to has answered, and the comparison was not raised before."""
    if submission.comparison_ready_at is not None:
        return False
    sent = [entry for entry in entries if entry.sent_at is not None]
    return bool(sent) and all(entry.answered_at is not None for entry in sent)


def request_documents(session: Session, submission: Submission, comparison: dict, actor: str, today: date) -> list[str]:
    """Ask documents for the comparison spreadsheet and the proposal; returns the request ids."""
    payload = document_payload(submission, comparison, today)
    request_ids = []
    for kind, title in DOCUMENTS:
        request_id = str(uuid.uuid4())
        record_event(session, SOURCE, "documents.document.requested", {
            "request_id": request_id, "kind": kind, "client_id": submission.client_id,
            "program": submission.program, "subject_type": "submission", "subject_id": submission.id,
            "title": f"{title}: {comparison['insured_name']}, effective {submission.effective_date.isoformat()}",
            "payload": payload,
        }, subject=submission.id)
        request_ids.append(request_id)
    audit(session, actor, "submission.documents_requested", "submission", submission.id, requests=request_ids)
    return request_ids


def document_payload(submission: Submission, comparison: dict, today: date) -> dict:
    payload = {
        "comparison": comparison,
        "agency": dict(AGENCY),
        "prepared_by": submission.account_manager or submission.created_by,
        "prepared_on": today.isoformat(),
        "recommended_quote_id": comparison["options"][0]["quote_id"] if comparison["options"] else None,
    }
    schema = ComparisonDocumentSchema()
    return schema.dump(schema.load(payload))

"""Resources as the API shows them (dicts for the response schemas)."""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain.submissions import DEFAULT_PROGRAM_BUSINESS, approvals_pending, market_list
from services.marketing.domain.surplus_lines_binds import recorded_declinations
from services.marketing.models import (
    BIND_ENDED, Bind, Market, Quote, Submission, SubmissionDocument, SurplusLinesPlacement,
)


def _money(amount, currency: str = "USD") -> dict | None:
    return None if amount is None else {"amount": amount, "currency": currency}


def program_business() -> frozenset[str]:
    """The programs whose market lists a program manager approves too (app config)."""
    if has_app_context() and "PROGRAM_BUSINESS" in current_app.config:
        return current_app.config["PROGRAM_BUSINESS"]
    return frozenset(DEFAULT_PROGRAM_BUSINESS)


def submission_view(session: Session, submission: Submission) -> dict:
    documents = session.scalars(select(SubmissionDocument).where(SubmissionDocument.submission_id == submission.id)
                                .order_by(SubmissionDocument.generated_at))
    return {
        **{name: getattr(submission, name) for name in (
            "id", "client_id", "program", "kind", "status", "effective_date", "expiration_date", "lines",
            "specifications", "expiring", "expiring_policy_ids", "underwriting_notes", "account_manager",
            "markets_approved_by", "markets_approved_at", "sent_at", "respond_by", "comparison_ready_at",
            "created_by", "created_at", "updated_at", "program_manager_approved_by", "program_manager_approved_at",
            "class_codes", "operations")},
        "program_business": submission.program in program_business(),
        "approvals_pending": approvals_pending(submission, program_business()),
        "insured_name": submission.insured["name"],
        "target_premium": _money(submission.target_premium),
        "markets": [{
            "market_id": market.id, "market_name": market.name, "channel": market.channel,
            "status": entry.status, "sent_at": entry.sent_at, "answered_at": entry.answered_at,
            "acknowledged_at": entry.acknowledged_at, "carrier_submission_ref": entry.carrier_submission_ref,
            "status_changed_at": entry.status_changed_at,
        } for entry, market in market_list(session, submission.id)],
        "documents": [{name: getattr(d, name) for name in (
            "document_id", "kind", "title", "filename", "download_path", "generated_at")} for d in documents],
    }


def quote_view(session: Session, quote: Quote, market: Market | None = None) -> dict:
    market = market or session.get(Market, quote.market_id)
    bind_id = session.scalar(select(Bind.id).where(Bind.quote_id == quote.id, Bind.status.not_in(BIND_ENDED)))
    return {
        **{name: getattr(quote, name) for name in (
            "id", "submission_id", "market_id", "carrier_quote_ref", "revision", "status", "declination_reason",
            "is_current", "supersedes_id", "carrier_name", "naic_code", "admitted", "effective_date",
            "expiration_date", "lines", "taxes_fees", "commission_percent", "payment_plans", "subjectivities",
            "exclusions", "forms", "valid_until", "underwriter", "channel", "received_by", "received_at",
            "expired_at")},
        "market_name": market.name,
        "premium": _money(quote.premium, quote.currency),
        "total_cost": _money(quote.total_cost, quote.currency),
        "bind_id": bind_id,
    }


def bind_view(session: Session, bind: Bind) -> dict:
    from services.marketing.domain.binding import checklist

    placement = session.get(SurplusLinesPlacement, bind.id)
    return {
        **{name: getattr(bind, name) for name in (
            "id", "quote_id", "submission_id", "status", "policy_numbers", "bound_by", "bound_at", "payment_plan",
            "instructions", "requested_at", "binder_number", "effective_date", "expiration_date", "confirmed_by",
            "confirmed_at", "confirmation_channel", "ended_reason", "ended_by", "ended_at")},
        "market_id": session.scalar(select(Quote.market_id).where(Quote.id == bind.quote_id)),
        "changes": bind.changes or [],
        "subjectivities": [{name: getattr(item, name) for name in (
            "id", "position", "text", "status", "note", "resolved_by", "resolved_at")}
            for item in checklist(session, bind.id)],
        "surplus_lines": None if placement is None else surplus_lines_view(placement),
    }


def surplus_lines_view(placement: SurplusLinesPlacement) -> dict:
    currency = placement.currency
    return {
        "home_state": placement.home_state,
        "effective_date": placement.effective_date,
        "gross_premium": _money(placement.gross_premium, currency),
        "tax": _money(placement.tax, currency),
        "tax_rate_percent": placement.tax_rate_percent,
        "stamping_fee": _money(placement.stamping_fee, currency),
        "stamping_fee_rate_percent": placement.stamping_fee_rate_percent,
        "charges": placement.charges,
        "declinations_required": placement.declinations_required,
        "declinations": recorded_declinations(placement),
        "broker_license": placement.broker_license,
    }

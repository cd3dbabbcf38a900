"""Surplus lines on the database: the declinations of admitted markets recorded on a
submission, the charges a non-admitted option carries in the comparison, the check and
record made when one is bound, and the data of the surplus lines affidavit."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.marketing.domain import surplus_lines
from services.marketing.domain.errors import Conflict, Invalid
from services.marketing.domain.readmodels import insured_of
from services.marketing.models import Bind, Market, Quote, Submission, SurplusLinesPlacement
from shared.kit.audit import audit

def home_state(session: Session, submission: Submission) -> str | None:
    return (insured_of(session, submission).get("address") or {}).get("state")


def term_start(quote: Quote, submission: Submission) -> date:
    return quote.effective_date or submission.effective_date


def comparison_fees(quote: Quote, submission: Submission, state: str | None) -> list[dict]:
    """The taxes and fees a comparison shows for a quote: for a non-admitted one, with the
    home state's surplus line tax and stamping fee added (when the rate data covers it)."""
    if quote.admitted or quote.status == "declined":
        return quote.taxes_fees
    try:
        added = surplus_lines.charges(Decimal(quote.premium), state, term_start(quote, submission))
    except surplus_lines.NoRate:
        return quote.taxes_fees
    return surplus_lines.with_charges(quote.taxes_fees, added, quote.currency)


def declinations_on(session: Session, submission_id: str) -> list[surplus_lines.Declination]:
    """The current declinations from admitted markets on the submission, oldest first."""
    rows = session.execute(
        select(Quote, Market).join(Market, Market.id == Quote.market_id)
        .where(Quote.submission_id == submission_id, Quote.status == "declined", Quote.is_current.is_(True),
               Quote.admitted.is_(True), Market.admitted.is_(True))
        .order_by(Quote.received_at, Quote.id)).all()
    return [surplus_lines.Declination(market.id, market.name, quote.carrier_name or market.carrier_name,
                                      quote.naic_code or market.naic_code, quote.received_at.date(),
                                      quote.declination_reason or "")
            for quote, market in rows]


def check_diligent_search(session: Session, quote: Quote, required: int) -> list[surplus_lines.Declination]:
    found = declinations_on(session, quote.submission_id)
    missing = surplus_lines.missing_declinations(found, required)
    if missing:
        raise Conflict(missing)
    return found


def record_placement(session: Session, bind: Bind, quote: Quote, submission: Submission,
                     declinations: list[surplus_lines.Declination], required: int, broker_license: str,
                     actor: str) -> SurplusLinesPlacement:
    state = home_state(session, submission)
    effective = term_start(quote, submission)
    try:
        found = surplus_lines.charges(Decimal(quote.premium), state, effective)
    except surplus_lines.NoRate as exc:
        raise Invalid(str(exc)) from None
    by_kind = {charge.kind: charge for charge in found}
    tax, fee = by_kind.get("surplus_lines_tax"), by_kind.get("stamping_fee")
    placement = SurplusLinesPlacement(
        bind_id=bind.id, home_state=state, effective_date=effective, currency=quote.currency,
        gross_premium=quote.premium, tax=tax.amount if tax else None, tax_rate_percent=tax.rate_percent if tax else None,
        stamping_fee=fee.amount if fee else None, stamping_fee_rate_percent=fee.rate_percent if fee else None,
        charges=[{"kind": c.kind, "description": c.description, "rate_percent": str(c.rate_percent),
                  "amount": {"amount": f"{c.amount:.2f}", "currency": quote.currency}, "citation": c.citation}
                 for c in found],
        declinations=[{"market_id": d.market_id, "market_name": d.market_name, "carrier_name": d.carrier_name,
                       "naic_code": d.naic_code, "declined_on": d.declined_on.isoformat(), "reason": d.reason}
                      for d in declinations],
        declinations_required=required, broker_license=broker_license,
    )
    session.add(placement)
    audit(session, actor, "bind.surplus_lines_recorded", "bind", bind.id, home_state=state,
          tax=placement.tax, stamping_fee=placement.stamping_fee, declinations=[d.market_id for d in declinations])
    return placement


AFFIDAVIT_COLUMNS = (
    "bind_id", "insured_name", "insured_address", "home_state", "carrier_name", "naic_code", "policy_numbers",
    "effective_date", "expiration_date", "currency", "gross_premium", "surplus_lines_tax", "stamping_fee",
    "broker_name", "broker_license", "declining_market", "declining_carrier", "declining_naic", "declined_on",
    "declination_reason",
)


def recorded_declinations(placement: SurplusLinesPlacement) -> list[dict]:
    return [{**d, "declined_on": date.fromisoformat(d["declined_on"])} for d in placement.declinations]


def affidavit(session: Session, bind: Bind, placement: SurplusLinesPlacement, agency: dict) -> dict:
    """What the surplus lines affidavit (diligent search report) of a bind reports."""
    quote = session.get(Quote, bind.quote_id)
    submission = session.get(Submission, bind.submission_id)
    market = session.get(Market, quote.market_id)
    insured = insured_of(session, submission)
    money = lambda amount: None if amount is None else {"amount": f"{amount:.2f}", "currency": placement.currency}  # noqa: E731
    return {
        "bind_id": bind.id, "submission_id": submission.id,
        "insured": {"name": insured["name"], "dba": insured.get("dba"), "address": insured.get("address")},
        "carrier": {"market_id": market.id, "market_name": market.name,
                    "carrier_name": quote.carrier_name or market.carrier_name, "naic_code": quote.naic_code},
        "policy_numbers": bind.policy_numbers,
        "effective_date": placement.effective_date,
        "expiration_date": quote.expiration_date or submission.expiration_date,
        "home_state": placement.home_state,
        "gross_premium": money(placement.gross_premium), "tax": money(placement.tax),
        "stamping_fee": money(placement.stamping_fee), "charges": placement.charges,
        "declinations_required": placement.declinations_required,
        "declinations": recorded_declinations(placement),
        "broker": {"name": agency["name"], "license_number": placement.broker_license},
    }


def affidavit_rows(data: dict) -> list[dict]:
    """The affidavit flattened for a spreadsheet: one row per declination (the placement
    repeated on each), or one row when none was needed."""
    address = data["insured"]["address"] or {}
    shown_address = ", ".join(str(address[k]) for k in ("line1", "city", "state", "postal_code") if address.get(k))
    amount = lambda money: "" if money is None else money["amount"]  # noqa: E731
    placement = {
        "bind_id": data["bind_id"], "insured_name": data["insured"]["name"], "insured_address": shown_address,
        "home_state": data["home_state"] or "", "carrier_name": data["carrier"]["carrier_name"],
        "naic_code": data["carrier"]["naic_code"] or "",
        "policy_numbers": "; ".join(f"{line} {number}" for line, number in sorted(data["policy_numbers"].items())),
        "effective_date": str(data["effective_date"]), "expiration_date": str(data["expiration_date"]),
        "currency": data["gross_premium"]["currency"], "gross_premium": amount(data["gross_premium"]),
        "surplus_lines_tax": amount(data["tax"]), "stamping_fee": amount(data["stamping_fee"]),
        "broker_name": data["broker"]["name"], "broker_license": data["broker"]["license_number"],
    }
    declinations = data["declinations"] or [None]
    return [{**placement,
             "declining_market": d["market_name"] if d else "", "declining_carrier": d["carrier_name"] if d else "",
             "declining_naic": (d["naic_code"] or "") if d else "", "declined_on": str(d["declined_on"]) if d else "",
             "declination_reason": d["reason"] if d else ""} for d in declinations]

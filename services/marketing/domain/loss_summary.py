"""The loss summary marketing keeps per client from accounts' ``accounts.losses.updated``
(the latest event wins: events can arrive out of order), and the loss history by policy
year it puts in every submission: the outbound carrier contract, the documents' payloads
and the email."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from services.marketing.domain.intake import to_json
from services.marketing.models import LossSummaryView


def apply_losses(session: Session, data: dict, event_time: datetime) -> bool:
    """Store a client's loss summary (LossesUpdatedV1, loaded).  False if a newer one is held."""
    view = session.get(LossSummaryView, data["client_id"])
    if view is not None and (view.event_time, view.as_of) > (event_time, data["as_of"]):
        return False
    if view is None:
        view = LossSummaryView(client_id=data["client_id"])
        session.add(view)
    summary = to_json(data)
    view.program = summary["program"]
    view.as_of = data["as_of"]
    view.reason = summary["reason"]
    view.large_loss_threshold = summary["large_loss_threshold"]
    view.policy_years = sorted(summary["policy_years"], key=lambda year: year["policy_year"], reverse=True)
    view.five_years = summary["five_years"]
    view.large_losses = summary["large_losses"]
    view.event_time = event_time
    return True


def summary_of(session: Session, client_id: str) -> LossSummaryView | None:
    return session.get(LossSummaryView, client_id)


def loss_history(view: LossSummaryView | None) -> list[dict]:
    """Per policy year, newest first, in the carrier contract's LossYearSchema JSON form."""
    if view is None:
        return []
    return [{
        "policy_year": year["policy_year"],
        "claim_count": year["claim_count"],
        "paid": year["paid"],
        "reserved": year["reserved"],
        "incurred": year["incurred"],
        "open_claim_count": year["open_claim_count"],
        "earned_premium": year["earned_premium"],
        "loss_ratio_percent": year["loss_ratio_percent"],
        "lines": list(year["lines"]),
    } for year in view.policy_years]


def losses_as_of(view: LossSummaryView | None) -> str | None:
    return None if view is None else view.as_of.isoformat()


def document_loss_history(view: LossSummaryView | None) -> list[dict]:
    """The same years in the documents' SubmissionLossYearSchema form (one line named when
    the year covers one line; open claims and loss ratio in the notes)."""
    rows = []
    for year in loss_history(view):
        notes = [f"{year['open_claim_count']} open" if year["open_claim_count"] else "all closed"]
        if year["loss_ratio_percent"] is not None:
            notes.append(f"loss ratio {year['loss_ratio_percent']}% of earned premium {_money(year['earned_premium'])}")
        rows.append({
            "policy_year": year["policy_year"], "claim_count": year["claim_count"],
            "paid": year["paid"], "reserved": year["reserved"], "incurred": year["incurred"],
            "line_of_business": year["lines"][0] if len(year["lines"]) == 1 else None,
            "notes": "; ".join(notes) if year["claim_count"] else None,
        })
    return rows


def _money(money: dict) -> str:
    amount = Decimal(str(money["amount"]))
    return f"${amount:,.2f}" if money.get("currency", "USD") == "USD" else f"{amount:,.2f} {money['currency']}"


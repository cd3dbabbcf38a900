"""What accounts does with marketing's quote-expiry and bind-order events (beyond
marketing.policy.bound, which handlers.policy_bound records): each opens a follow-up for
the account manager, once per fact however often (and under however many message ids) it
is delivered, and a bind order that ends unbound (declined by the market, cancelled by the
agency) closes the chase for its binder.

* ``marketing.quote.expired``: ask the market to re-validate or re-quote (high priority
  when the policy would start within 30 days).
* ``marketing.bind.requested``: chase the market's binder by the day it is due (unless
  the order is already bound or ended, when this arrives after the event that ended it).
* ``marketing.bind.declined``: the market refused to bind: choose another quote (high).
* ``marketing.bind.cancelled``: the order was withdrawn: re-order or choose another quote.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.activities import complete_activity, open_activity
from services.accounts.domain.errors import AccountsError
from services.accounts.models import Activity, Client, Policy
from services.accounts.messaging.lookups import event_client as _client
from shared.kit.consumer import DeadLetter, Delivery
from shared.kit.db import utcnow

SOON_DAYS = 30


def quote_expired(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    today = utcnow().date()
    total = data["total_cost"]
    kind = "indication" if data["status"] == "indication" else "quote"
    _open(session, delivery, client, type="follow_up",
          priority="high" if data["effective_date"] - today <= timedelta(days=SOON_DAYS) else "normal",
          subject=(f"{data['market_name']} {kind} {data['carrier_quote_ref']} (revision {data['revision']}) expired "
                   f"{data['valid_until'].isoformat()} unbound: ask to re-validate or re-quote"),
          due_on=today, assignee=data.get("account_manager") or client.account_manager,
          source_key=f"quote-expired:{data['quote_id']}",
          details=(f"{data['insured_name']}, effective {data['effective_date'].isoformat()}: total "
                   f"{total['amount']} {total['currency']}, valid until {data['valid_until'].isoformat()}. "
                   f"It cannot be bound until {data['market_name']} sends a new revision.\n"
                   f"Submission {data['submission_id']}, quote {data['quote_id']}."))


def bind_requested(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    if _order_ended(session, data["bind_id"]):
        # Delivered after the order was bound, declined or cancelled (a redelivery, or a
        # retry that overtook it): there is no binder left to chase.
        return
    total = data["total_cost"]
    how = "over the carrier contract" if data["channel"] == "queue" else "by email (key the binder in when it comes)"
    _open(session, delivery, client, type="follow_up",
          subject=(f"Binder due from {data['market_name']} by {data['binder_due'].isoformat()}: "
                   f"{data['insured_name']}, {data['carrier_quote_ref']} r{data['revision']}"),
          due_on=data["binder_due"], assignee=data.get("account_manager") or client.account_manager,
          source_key=_chase_key(data["bind_id"]),
          details=(f"Bind ordered by {data['requested_by']} on {data['requested_at'].date().isoformat()}, "
                   f"effective {data['effective_date'].isoformat()}, total {total['amount']} {total['currency']}; "
                   f"the market answers {how}.\nBind {data['bind_id']}, quote {data['quote_id']}, "
                   f"submission {data['submission_id']}."))


def bind_declined(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    _close_chase(session, delivery, data["bind_id"], f"{data['market_name']} declined to bind: {data['reason']}")
    _open(session, delivery, client, type="follow_up", priority="high", due_on=utcnow().date(),
          subject=(f"{data['market_name']} refused to bind {data['insured_name']} ({data['carrier_quote_ref']} "
                   f"r{data['revision']}): choose another quote"),
          assignee=data.get("account_manager") or client.account_manager,
          source_key=f"bind-declined:{data['bind_id']}",
          details=(f"{data['reason']}\nDeclined by {data['declined_by']} on "
                   f"{data['declined_at'].date().isoformat()}.\nBind {data['bind_id']}, submission "
                   f"{data['submission_id']}."))


def bind_cancelled(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    _close_chase(session, delivery, data["bind_id"], f"bind order cancelled: {data['reason']}")
    _open(session, delivery, client, type="follow_up", due_on=utcnow().date() + timedelta(days=1),
          subject=(f"Bind order with {data['market_name']} cancelled for {data['insured_name']}: "
                   "re-order it or bind another quote"),
          assignee=data.get("account_manager") or client.account_manager,
          source_key=f"bind-cancelled:{data['bind_id']}",
          details=(f"{data['reason']}\nCancelled by {data['cancelled_by']} on "
                   f"{data['cancelled_at'].date().isoformat()}.\nBind {data['bind_id']}, submission "
                   f"{data['submission_id']}."))


HANDLERS = {
    "marketing.quote.expired": quote_expired,
    "marketing.bind.requested": bind_requested,
    "marketing.bind.declined": bind_declined,
    "marketing.bind.cancelled": bind_cancelled,
}


def _chase_key(bind_id: str) -> str:
    return f"binder-due:{bind_id}"


def _order_ended(session: Session, bind_id: str) -> bool:
    """The bind order is already bound (a term records it) or ended unbound (its
    declined / cancelled follow-up exists)."""
    if session.scalar(select(Policy.id).where(Policy.bind_id == bind_id).limit(1)) is not None:
        return True
    endings = (f"bind-declined:{bind_id}", f"bind-cancelled:{bind_id}")
    return session.scalar(select(Activity.id).where(Activity.source_key.in_(endings)).limit(1)) is not None


def _close_chase(session: Session, delivery: Delivery, bind_id: str, outcome: str) -> None:
    """The binder chase of a bind order that ended unbound is done (if it is still open)."""
    chase = session.scalar(select(Activity).where(Activity.type == "follow_up",
                                                  Activity.source_key == _chase_key(bind_id)))
    if chase is not None and chase.status == "open":
        complete_activity(session, f"service:{delivery.source}", chase, outcome[:2000])


def _open(session: Session, delivery: Delivery, client: Client, **activity) -> None:
    try:
        open_activity(session, f"service:{delivery.source}", client=client, source_event_id=delivery.message_id,
                      **activity)
    except AccountsError as exc:
        raise DeadLetter(f"{delivery.type} cannot open its activity: {exc.detail}") from None

"""What accounts does with the events it subscribes to (topology SUBSCRIPTIONS["accounts"]).

Each handler runs in the consumer's transaction with the inbox record; the activities
it opens carry the event's natural key, so a fact delivered twice (even under two
message ids) takes effect once.  A message about a client accounts does not have is
dead-lettered with the reason."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from services.accounts.domain.activities import open_activity
from services.accounts.domain.documents import link_document
from services.accounts.domain.errors import AccountsError
from services.accounts.domain.policies import record_bound_policies
from services.accounts.messaging.compliance_events import filing_overdue
from services.accounts.messaging.email_log import submission_emailed
from services.accounts.messaging.marketing_events import HANDLERS as MARKETING_EVENT_HANDLERS
from services.accounts.messaging.marketing_events import _close_chase as close_binder_chase
from services.accounts.messaging.lookups import event_client as _client, policy_by_number as _policy_by_number
from services.accounts.models import Client
from shared.kit.consumer import DeadLetter, Delivery
from shared.kit.db import utcnow

POLICY_ARRIVES_DAYS = 30


def policy_bound(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["insured"]["client_id"], data["insured"]["program"])
    try:
        recorded = record_bound_policies(session, _actor(delivery), client, data)
    except AccountsError as exc:
        raise DeadLetter(f"bind {data['bind_id']} cannot be recorded: {exc.detail}") from None
    numbers = ", ".join(f"{p['line_of_business']} {p['policy_number']}" for p in data["policies"])
    _open(session, delivery, client, type="review_policy",
          subject=f"Check the policy against binder and quote when it arrives: {numbers}",
          due_on=_today() + timedelta(days=POLICY_ARRIVES_DAYS),
          assignee=data.get("account_manager") or client.account_manager,
          policy=recorded[0] if len(recorded) == 1 else None, source_key=data["bind_id"],
          details=f"Bound by {data['bound_by']} from quote {data['quote_id']}.")
    # The market confirmed the bind: the chase for its binder (opened by bind.requested) is done.
    close_binder_chase(session, delivery, data["bind_id"], f"bound: {numbers}")


def quote_received(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    total = data["total_cost"]
    due = _today() + timedelta(days=2)
    if data.get("valid_until") and data["valid_until"] < due:
        due = data["valid_until"]
    _open(session, delivery, client, type="review_quote",
          subject=(f"Review {data['status']} from {data['market_name']} (revision {data['revision']}): "
                   f"total {total['amount']} {total['currency']}"),
          due_on=due, assignee=client.account_manager, priority="high",
          source_key=f"{data['quote_id']}:{data['revision']}",
          details=f"Submission {data['submission_id']}, quote {data['quote_id']}.")


def quote_declined(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    _open(session, delivery, client, type="review_declination",
          subject=f"Review declination from {data['market_name']}: {data['reason']}",
          due_on=_today() + timedelta(days=2), assignee=client.account_manager, source_key=data["quote_id"],
          details=f"Submission {data['submission_id']}, quote {data['quote_id']}.")


def comparison_ready(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    _open(session, delivery, client, type="review_comparison",
          subject=(f"Review comparison and prepare proposal: {data['quote_count']} quote(s), "
                   f"{data['declination_count']} declination(s)"),
          due_on=_today() + timedelta(days=3), assignee=client.account_manager, priority="high",
          source_key=data["submission_id"], details=f"Submission {data['submission_id']}.")


def policy_discrepancies_found(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    differences = data["discrepancies"]
    numbers = data["policy_numbers"]
    _open(session, delivery, client, type="review_policy",
          subject=(f"Issued policy differs from the bound quote ({data['market_name']}): "
                   f"{len(differences)} difference(s) on {', '.join(numbers)}"),
          due_on=_today() + timedelta(days=3), assignee=data.get("account_manager") or client.account_manager,
          priority="high", policy=_policy_by_number(session, client, numbers[0] if len(numbers) == 1 else None),
          source_key=f"discrepancies:{data['check_id']}",
          details="\n".join(f"- {d['detail']}" for d in differences)
                  + f"\nBind {data['bind_id']}, quote {data['quote_id']}, check {data['check_id']}.")


def document_generated(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    link_document(session, _actor(delivery), client, data)
    _open(session, delivery, client, type="document_ready", subject=f"Document ready: {data['title']}",
          due_on=_today() + timedelta(days=1), assignee=client.account_manager,
          source_key=data["document_id"], details=f"Download: {data['download_path']}")


def document_failed(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    _open(session, delivery, client, type="follow_up",
          subject=f"Document {data['kind']} could not be produced: {data['reason']}",
          due_on=_today() + timedelta(days=1), assignee=client.account_manager, priority="high",
          source_key=f"document-failed:{data['request_id']}", details=f"Request {data['request_id']}.")


def filing_due(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    credential = data["credential"]
    _open(session, delivery, client, type="filing_due",
          subject=(f"{data['body']} filing {data['form']} due {data['due_on'].isoformat()} "
                   f"({credential['kind']} {credential['number']})"),
          due_on=data["due_on"], assignee=data.get("account_manager") or client.account_manager,
          priority="high", policy=_policy_by_number(session, client, data.get("policy_number")),
          source_key=f"{data['filing_id']}:{data['due_on'].isoformat()}", details=data["reason"])


def quote_overdue(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    lines = ", ".join(data["lines"])
    _open(session, delivery, client, type="follow_up",
          subject=(f"Chase {data['market_name']} for a quote on {data['insured_name']} ({lines}, effective "
                   f"{data['effective_date'].isoformat()}): due {data['respond_by'].isoformat()}"),
          due_on=_today(), assignee=data.get("account_manager") or client.account_manager, priority="high",
          source_key=f"quote-overdue:{data['submission_id']}:{data['market_id']}",
          details=(f"Submission {data['submission_id']} was sent to {data['market_name']} ({data['market_id']}) "
                   f"on {data['sent_at'].date().isoformat()}; no answer by {data['respond_by'].isoformat()}."))


HANDLERS = {
    "marketing.policy.bound": policy_bound,
    "marketing.quote.received": quote_received,
    "marketing.quote.declined": quote_declined,
    "marketing.comparison.ready": comparison_ready,
    "marketing.policy.discrepancies_found": policy_discrepancies_found,
    "documents.document.generated": document_generated,
    "documents.document.failed": document_failed,
    "compliance.filing.due": filing_due,
    "compliance.filing.overdue": filing_overdue,
    "marketing.quote.overdue": quote_overdue,
    "marketing.submission.emailed": submission_emailed,
    **MARKETING_EVENT_HANDLERS,  # quote expiry and bind orders (marketing_events.py)
}


def _actor(delivery: Delivery) -> str:
    return f"service:{delivery.source}"


def _today() -> date:
    return utcnow().date()


def _open(session: Session, delivery: Delivery, client: Client, **activity) -> None:
    try:
        open_activity(session, _actor(delivery), client=client, source_event_id=delivery.message_id, **activity)
    except AccountsError as exc:
        raise DeadLetter(f"{delivery.type} cannot open its activity: {exc.detail}") from None

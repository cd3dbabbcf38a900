"""What accounts does with compliance's filing events beyond compliance.filing.due
(which handlers.filing_due diarises): a filing whose due date passed without being filed
opens a high-priority activity for the account manager, once per filing however often
the event is delivered (even under another message id)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.domain.activities import open_activity
from services.accounts.domain.errors import AccountsError
from services.accounts.messaging.lookups import event_client as _client, policy_by_number as _policy_by_number
from shared.kit.consumer import DeadLetter, Delivery
from shared.kit.db import utcnow

WHO_FILES = {"insurer": "the insurer", "surety": "the surety", "agent": "the agency", "business": "the client"}


def filing_overdue(session: Session, delivery: Delivery) -> None:
    """compliance.filing.overdue: chase the late filing today, on the policy it is about."""
    data = delivery.data
    client = _client(session, data["client_id"], data["program"])
    credential = data["credential"]
    who = WHO_FILES.get(data.get("who_files") or "", data.get("who_files"))
    chase = f"Chase {who} to file it" if who else "Chase the filing"
    activity = dict(
        type="filing_due", priority="high", due_on=utcnow().date(),
        subject=(f"OVERDUE: {data['body']} filing {data['form']} was due {data['due_on'].isoformat()} "
                 f"({credential['kind']} {credential['number']}, {data['days_overdue']} day(s) late)"),
        assignee=data.get("account_manager") or client.account_manager,
        policy=_policy_by_number(session, client, data.get("policy_number")),
        source_key=f"filing-overdue:{data['filing_id']}",
        details=(f"{chase}: still {data['status']} on {data['detected_on'].isoformat()}, due "
                 f"{data['due_on'].isoformat()}.\n{data['reason']}\nFiling {data['filing_id']} "
                 f"(rule {data['rule_id']})."),
    )
    try:
        open_activity(session, f"service:{delivery.source}", client=client, source_event_id=delivery.message_id,
                      **activity)
    except AccountsError as exc:
        raise DeadLetter(f"{delivery.type} cannot open its activity: {exc.detail}") from None

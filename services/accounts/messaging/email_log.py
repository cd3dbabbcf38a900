"""What accounts does with ``marketing.submission.emailed``: the submission package that
marketing emailed to a market goes on the account's communication log as an outbound
email (subject, the letter as body, sender, recipients, the attached documents listed),
once per RFC 5322 Message-ID however often the event is delivered."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.communications import log_communication
from services.accounts.models import Client, Communication
from shared.kit.consumer import DeadLetter, Delivery


def submission_emailed(session: Session, delivery: Delivery) -> None:
    data = delivery.data
    client = session.get(Client, data["client_id"])
    if client is None:
        raise DeadLetter(f"unknown client {data['client_id']}: accounts has no such client", kind="unknown_client")
    if client.program != data["program"]:
        raise DeadLetter(f"client {client.id} is in program {client.program!r}, the event says {data['program']!r}",
                         kind="program_mismatch")
    if session.scalar(select(Communication.id).where(Communication.client_id == client.id,
                                                     Communication.message_id == data["message_id"])):
        return
    log_communication(session, f"service:{delivery.source}", client, {
        "kind": "email", "direction": "outbound", "subject": data["subject"][:300],
        "body": data["body"] + _attachments(data["attachments"]), "contact": data["market_name"][:200],
        "sender": data["sender"], "recipients": list(data["recipients"]), "message_id": data["message_id"],
        "occurred_at": data["sent_at"],
    })


def _attachments(attachments: list[dict]) -> str:
    if not attachments:
        return ""
    listed = "\n".join(f"- {a['filename']} ({a['kind'].replace('_', ' ')}, document {a['document_id']}, "
                       f"{a['size_bytes']:,} bytes)" for a in attachments)
    return f"\n\nAttachments (kept in the documents service):\n{listed}\n"

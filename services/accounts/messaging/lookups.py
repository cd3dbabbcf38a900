"""What the accounts handlers of other services' events share: the client an event names
(dead-lettered when accounts has no such client, or it is in another program), a policy by
its number, and opening the activity an event asks for."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import Client, Policy
from shared.kit.consumer import DeadLetter


def event_client(session: Session, client_id: str, program: str) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise DeadLetter(f"unknown client {client_id}: accounts has no such client", kind="unknown_client")
    if client.program != program:
        raise DeadLetter(f"client {client_id} is in program {client.program!r}, the event says {program!r}",
                         kind="program_mismatch")
    return client


def policy_by_number(session: Session, client: Client, policy_number: str | None) -> Policy | None:
    if not policy_number:
        return None
    return session.scalar(select(Policy).where(Policy.client_id == client.id, Policy.policy_number == policy_number)
                          .order_by(Policy.expiration_date.desc()).limit(1))

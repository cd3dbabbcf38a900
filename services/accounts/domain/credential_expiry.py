"""Credentials running out: a licence, permit or registration expiring within the lead
time (CREDENTIAL_EXPIRY_DAYS, default 60) opens one ``credential_renewal`` activity for the
account manager, once per credential and expiration date (a renewed licence with its new
date gets its own when that one comes near).  Run with the renewal scan."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.domain.activities import open_activity
from services.accounts.models import Client, Credential
from shared.contracts.types import CREDENTIAL_KINDS

DEFAULT_EXPIRY_DAYS = 60
WATCHER = "service:accounts.credential-watch"


@dataclass
class ExpirySummary:
    today: date
    opened: int = 0

    def line(self) -> str:
        return f"credential watch {self.today.isoformat()}: {self.opened} expiring credentials diarised"


def configured_expiry_days() -> int:
    """``CREDENTIAL_EXPIRY_DAYS`` (1-365), else 60."""
    raw = (os.environ.get("CREDENTIAL_EXPIRY_DAYS") or "").strip()
    if not raw:
        return DEFAULT_EXPIRY_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise ValueError(f"CREDENTIAL_EXPIRY_DAYS must be whole days between 1 and 365, got {raw!r}")
    return int(raw)


def watch_credentials(session: Session, today: date, within_days: int = DEFAULT_EXPIRY_DAYS) -> ExpirySummary:
    """Diarise every credential expiring from ``today`` through ``within_days`` ahead (and
    any already lapsed in the last 30 days, which need it most)."""
    summary = ExpirySummary(today)
    rows = session.execute(
        select(Credential, Client).join(Client, Client.id == Credential.client_id)
        .where(Credential.expires_on.is_not(None), Credential.expires_on >= today - timedelta(days=30),
               Credential.expires_on <= today + timedelta(days=within_days), Client.status != "former")
        .order_by(Credential.expires_on, Credential.id))
    for credential, client in rows:
        lapsed = credential.expires_on < today
        opened = open_activity(
            session, WATCHER, client=client, type="credential_renewal",
            subject=(f"{CREDENTIAL_KINDS[credential.kind]} {credential.number} "
                     f"{'expired' if lapsed else 'expires'} {credential.expires_on.isoformat()}: confirm the renewal "
                     f"and record the new expiration date"),
            due_on=max(today, credential.expires_on - timedelta(days=14)), assignee=client.account_manager,
            priority="high" if lapsed or (credential.expires_on - today).days <= 14 else "normal",
            source_key=f"{credential.id}:{credential.expires_on.isoformat()}",
            details="Filings made on this credential need it in force; compliance derives them from the account.")
        summary.opened += opened is not None
    return summary

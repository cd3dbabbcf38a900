"""Compliance's own tables: the credential read model (from accounts), the policy terms
it has heard of, filings and their history; plus the kit's outbox, inbox and audit log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.kit.db import UTCDateTime, add_kit_tables, new_metadata, utcnow

metadata = new_metadata()
add_kit_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class CredentialView(Base):
    """What compliance knows of a client: its program, people and regulatory credentials."""

    __tablename__ = "credential_views"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    program: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    dba: Mapped[str | None] = mapped_column(String(300))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    account_manager: Mapped[str | None] = mapped_column(String(120))
    credentials: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    source_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PolicyTermFact(Base):
    """A policy term heard of from accounts or marketing (one row per client, number and term)."""

    __tablename__ = "policy_terms"
    __table_args__ = (UniqueConstraint("client_id", "policy_number", "effective_date",
                                       name="uq_policy_terms_term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    program: Mapped[str] = mapped_column(String(80), nullable=False)
    policy_id: Mapped[str | None] = mapped_column(String(64))
    policy_number: Mapped[str] = mapped_column(String(80), nullable=False)
    line_of_business: Mapped[str] = mapped_column(String(10), nullable=False)
    carrier_name: Mapped[str | None] = mapped_column(String(200))
    effective_date: Mapped[date] = mapped_column(Date, nullable=False)
    expiration_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    # The cancellation as compliance knows it: from accounts.policy.cancelled (source
    # "accounts.policy.cancelled": real notice and coverage-end dates, reason, requester),
    # or estimated from accounts.policy.recorded with status cancelled (source
    # "accounts.policy.recorded": the notice date is the day the message was sent).
    cancellation_source: Mapped[str | None] = mapped_column(String(40))
    cancellation_notice_date: Mapped[date | None] = mapped_column(Date)
    cancellation_effective_date: Mapped[date | None] = mapped_column(Date)
    cancellation_reason: Mapped[str | None] = mapped_column(String(30))
    cancellation_requested_by: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Filing(Base):
    """One regulatory filing a client's credential needs for one policy event."""

    __tablename__ = "filings"
    __table_args__ = (
        UniqueConstraint("rule_id", "credential_number", "policy_number", "trigger", "term_key",
                         name="uq_filings_natural_key"),
        Index("ix_filings_program_due", "program", "due_on", "id"),
        Index("ix_filings_status_due", "status", "due_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    program: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(String(10), nullable=False)
    form: Mapped[str] = mapped_column(String(200), nullable=False)
    rule_id: Mapped[str] = mapped_column(String(80), nullable=False)
    trigger: Mapped[str] = mapped_column(String(30), nullable=False)
    term_key: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    credential_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    credential_number: Mapped[str] = mapped_column(String(40), nullable=False)
    policy_number: Mapped[str] = mapped_column(String(80), nullable=False)
    line_of_business: Mapped[str] = mapped_column(String(10), nullable=False)
    carrier_name: Mapped[str | None] = mapped_column(String(200))
    policy_effective_date: Mapped[date] = mapped_column(Date, nullable=False)
    policy_expiration_date: Mapped[date] = mapped_column(Date, nullable=False)
    notice_date: Mapped[date | None] = mapped_column(Date)
    cancellation_effective_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    overdue: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # When compliance.filing.overdue was raised for this filing (once per filing).
    overdue_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    account_manager: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    history: Mapped[list["FilingEvent"]] = relationship(
        back_populates="filing", order_by="FilingEvent.id", cascade="all, delete-orphan")


class FilingEvent(Base):
    """One step in a filing's life: created, or moved from one status to another."""

    __tablename__ = "filing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    filing: Mapped[Filing] = relationship(back_populates="history")

"""Marketing's tables: markets, the read models of clients and policies it keeps from
accounts' events, submissions with their market list, the quotes markets answer with,
binds, and the documents rendered for a submission."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.kit.db import ExactDecimal, UTCDateTime, add_kit_tables, new_metadata, utcnow

metadata = new_metadata()
add_kit_tables(metadata)

MONEY = ExactDecimal(14, 2)
PERCENT = ExactDecimal(5, 2)


class Base(DeclarativeBase):
    metadata = metadata


class Market(Base):
    """A carrier or a wholesaler/MGA the agency places business with."""

    __tablename__ = "market"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    carrier_name: Mapped[str] = mapped_column(String(200))
    naic_code: Mapped[str | None] = mapped_column(String(10))
    admitted: Mapped[bool] = mapped_column(Boolean, default=True)
    am_best_rating: Mapped[str | None] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    broker_user: Mapped[str | None] = mapped_column(String(120), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    appetite: Mapped[dict] = mapped_column(JSON, default=dict)
    commission_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The agency's appointment with the market (appointed, pending, terminated,
    # not_appointed) and the date that status took (or takes) effect.
    appointment_status: Mapped[str] = mapped_column(String(20), default="appointed", server_default="appointed")
    appointment_effective_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReachableCarrier(Base):
    """A carrier a wholesaler or MGA market can place business with (the agency reaches
    it through the wholesaler, appointed with it or not); ``lines`` empty = every line."""

    __tablename__ = "reachable_carrier"
    __table_args__ = (UniqueConstraint("market_id", "carrier_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"), index=True)
    carrier_name: Mapped[str] = mapped_column(String(200))
    naic_code: Mapped[str | None] = mapped_column(String(10))
    admitted: Mapped[bool] = mapped_column(Boolean, default=False)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClientView(Base):
    """Read model of accounts' clients (latest snapshot wins)."""

    __tablename__ = "client_view"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    program: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    dba: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    naics: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[dict | None] = mapped_column(JSON)
    account_manager: Mapped[str | None] = mapped_column(String(120))
    producer: Mapped[str | None] = mapped_column(String(120))
    credentials: Mapped[list] = mapped_column(JSON, default=list)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)


class PolicyView(Base):
    """Read model of accounts' policy terms (latest snapshot wins)."""

    __tablename__ = "policy_view"

    policy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    program: Mapped[str] = mapped_column(String(80))
    line_of_business: Mapped[str] = mapped_column(String(10))
    policy_number: Mapped[str] = mapped_column(String(80))
    market: Mapped[dict] = mapped_column(JSON)
    effective_date: Mapped[date] = mapped_column(Date)
    expiration_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    coverages: Mapped[list] = mapped_column(JSON, default=list)
    premium: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    insured: Mapped[dict] = mapped_column(JSON)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)


class Submission(Base):
    """The package marketed to a list of markets for one client and term."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_client_effective", "client_id", "effective_date"),
                      Index("ix_submission_program_created", "program", "created_at"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    program: Mapped[str] = mapped_column(String(80))
    insured: Mapped[dict] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    effective_date: Mapped[date] = mapped_column(Date)
    expiration_date: Mapped[date] = mapped_column(Date)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    specifications: Mapped[dict] = mapped_column(JSON, default=dict)
    expiring_policy_ids: Mapped[list] = mapped_column(JSON, default=list)
    expiring: Mapped[list] = mapped_column(JSON, default=list)
    target_premium: Mapped[Decimal | None] = mapped_column(MONEY)
    underwriting_notes: Mapped[str | None] = mapped_column(Text)
    account_manager: Mapped[str | None] = mapped_column(String(120))
    markets_approved_by: Mapped[str | None] = mapped_column(String(200))
    markets_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Program business: the program manager approves the market list too.
    program_manager_approved_by: Mapped[str | None] = mapped_column(String(200))
    program_manager_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What appetite is matched against beyond NAICS: class codes per line (WC, GL) and
    # the insured's operations in words.
    class_codes: Mapped[dict | None] = mapped_column(JSON)
    operations: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respond_by: Mapped[date | None] = mapped_column(Date)
    comparison_ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubmissionMarket(Base):
    """One market on a submission's list, with where it stands."""

    __tablename__ = "submission_market"
    __table_args__ = (UniqueConstraint("submission_id", "market_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The market's acknowledgement (carrier.submission.acknowledged or keyed in), and when
    # the status last changed (every change is in the audit log).
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carrier_submission_ref: Mapped[str | None] = mapped_column(String(80))
    underwriter: Mapped[dict | None] = mapped_column(JSON)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Quote(Base):
    """A market's answer: quote, indication, referral or declination, one row per revision."""

    __tablename__ = "quote"
    __table_args__ = (
        UniqueConstraint("market_id", "carrier_quote_ref", "revision"),
        Index("ix_quote_submission_current", "submission_id", "is_current"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"))
    carrier_quote_ref: Mapped[str] = mapped_column(String(80))
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    declination_reason: Mapped[str | None] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("quote.id"))
    carrier_name: Mapped[str | None] = mapped_column(String(200))
    naic_code: Mapped[str | None] = mapped_column(String(10))
    admitted: Mapped[bool] = mapped_column(Boolean, default=True)
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiration_date: Mapped[date | None] = mapped_column(Date)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    premium: Mapped[Decimal] = mapped_column(MONEY)
    taxes_fees: Mapped[list] = mapped_column(JSON, default=list)
    total_cost: Mapped[Decimal] = mapped_column(MONEY)
    commission_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    payment_plans: Mapped[list] = mapped_column(JSON, default=list)
    subjectivities: Mapped[list] = mapped_column(JSON, default=list)
    exclusions: Mapped[list] = mapped_column(JSON, default=list)
    forms: Mapped[list] = mapped_column(JSON, default=list)
    valid_until: Mapped[date | None] = mapped_column(Date)
    underwriter: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    received_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the quote passed its valid-until date unbound (the worker's expiry task).
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# A bind order the market refused or the agency withdrew no longer holds its submission
# or quote: at most one *live* order per submission (and per quote).
BIND_ENDED = ("declined", "cancelled")
_LIVE_BIND = text("status NOT IN ('declined', 'cancelled')")


class Bind(Base):
    """The order to bind one quote; one live order per submission.  ``bound_by``/``bound_at``
    are who ordered the bind and when; the market's confirmation (binder number, effective
    date, changes) completes it: awaiting_subjectivities -> requested -> bound, or it ends
    ``declined`` (the market refused, carrier.bind.declined or keyed in) or ``cancelled``
    (the agency withdrew it before the market confirmed), with who, when and why."""

    __tablename__ = "bind"
    __table_args__ = (
        Index("uq_bind_live_submission", "submission_id", unique=True,
              sqlite_where=_LIVE_BIND, postgresql_where=_LIVE_BIND),
        Index("uq_bind_live_quote", "quote_id", unique=True, sqlite_where=_LIVE_BIND, postgresql_where=_LIVE_BIND),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quote_id: Mapped[str] = mapped_column(ForeignKey("quote.id"))
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    policy_numbers: Mapped[dict] = mapped_column(JSON)
    bound_by: Mapped[str] = mapped_column(String(200))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(30), default="requested", server_default="bound")
    payment_plan: Mapped[str | None] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    binder_number: Mapped[str | None] = mapped_column(String(80))
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiration_date: Mapped[date | None] = mapped_column(Date)
    changes: Mapped[list | None] = mapped_column(JSON)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmation_channel: Mapped[str | None] = mapped_column(String(10))
    # Why the order ended (declined by the market / cancelled by the agency), who and when.
    ended_reason: Mapped[str | None] = mapped_column(Text)
    ended_by: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BindSubjectivity(Base):
    """One item of a bind order's subjectivities checklist (from the quote): open, then
    received or waived, with who and when."""

    __tablename__ = "bind_subjectivity"
    __table_args__ = (UniqueConstraint("bind_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bind_id: Mapped[str] = mapped_column(ForeignKey("bind.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UnderwriterContact(Base):
    """An underwriter (or marketing contact) at a market."""

    __tablename__ = "underwriter_contact"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    states: Mapped[list] = mapped_column(JSON, default=list)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubmissionDocument(Base):
    """A document the documents service rendered for a submission (comparison, proposal)."""

    __tablename__ = "submission_document"

    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    download_path: Mapped[str] = mapped_column(String(300))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


RATE = ExactDecimal(7, 4)


class SurplusLinesPlacement(Base):
    """A bind with a non-admitted carrier: the diligent search it rests on and the home
    state's surplus line tax and stamping fee (what the affidavit reports)."""

    __tablename__ = "surplus_lines_placement"

    bind_id: Mapped[str] = mapped_column(ForeignKey("bind.id"), primary_key=True)
    home_state: Mapped[str | None] = mapped_column(String(2))
    effective_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    gross_premium: Mapped[Decimal] = mapped_column(MONEY)
    tax: Mapped[Decimal | None] = mapped_column(MONEY)
    tax_rate_percent: Mapped[Decimal | None] = mapped_column(RATE)
    stamping_fee: Mapped[Decimal | None] = mapped_column(MONEY)
    stamping_fee_rate_percent: Mapped[Decimal | None] = mapped_column(RATE)
    charges: Mapped[list] = mapped_column(JSON, default=list)
    declinations: Mapped[list] = mapped_column(JSON, default=list)
    declinations_required: Mapped[int] = mapped_column(Integer)
    broker_license: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IssuedPolicyCheck(Base):
    """The issued policy as keyed in, checked against the bound quote."""

    __tablename__ = "issued_policy_check"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bind_id: Mapped[str] = mapped_column(ForeignKey("bind.id"), index=True)
    policy_numbers: Mapped[dict] = mapped_column(JSON, default=dict)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    forms: Mapped[list] = mapped_column(JSON, default=list)
    exclusions: Mapped[list] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    premium: Mapped[Decimal] = mapped_column(MONEY)
    discrepancy_count: Mapped[int] = mapped_column(Integer)
    checked_by: Mapped[str] = mapped_column(String(200))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How the issued policy came: keyed in (None on checks older than the contract) or
    # over the carrier contract (carrier.policy.issued, deduplicated by content).
    channel: Mapped[str | None] = mapped_column(String(10))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # The policy term as issued (None when it was keyed in without one).
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiration_date: Mapped[date | None] = mapped_column(Date)


class PolicyDiscrepancy(Base):
    """One difference between the issued policy and the bound quote."""

    __tablename__ = "policy_discrepancy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("issued_policy_check.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    line_of_business: Mapped[str | None] = mapped_column(String(10))
    coverage_code: Mapped[str | None] = mapped_column(String(40))
    expected: Mapped[str | None] = mapped_column(Text)
    found: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)



class NegotiationRound(Base):
    """A counter-offer on a market's quote: the re-quote asked of the market (target
    premium, requested changes, respond-by date), numbered per market on a submission."""

    __tablename__ = "negotiation_round"
    __table_args__ = (UniqueConstraint("submission_market_id", "round_number"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_market_id: Mapped[int] = mapped_column(ForeignKey("submission_market.id"))
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"))
    quote_id: Mapped[str] = mapped_column(ForeignKey("quote.id"))
    round_number: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    quoted_premium: Mapped[Decimal] = mapped_column(MONEY)
    target_premium: Mapped[Decimal] = mapped_column(MONEY)
    requested_changes: Mapped[list] = mapped_column(JSON, default=list)
    respond_by: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuoteOverdue(Base):
    """A market sent a submission that did not answer by its respond-by date: raised once
    per (submission, market)."""

    __tablename__ = "quote_overdue"

    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"), primary_key=True)
    respond_by: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LossSummaryView(Base):
    """Read model of accounts' loss summary per client (accounts.losses.updated; the latest
    event wins): per policy year claims, paid, reserved, incurred and loss ratio."""

    __tablename__ = "loss_summary_view"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    program: Mapped[str] = mapped_column(String(80))
    as_of: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(30))
    large_loss_threshold: Mapped[dict] = mapped_column(JSON)
    policy_years: Mapped[list] = mapped_column(JSON, default=list)
    five_years: Mapped[dict] = mapped_column(JSON)
    large_losses: Mapped[list] = mapped_column(JSON, default=list)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)


class PackageDocument(Base):
    """One document of a submission's package asked of the documents service: the
    application and specifications once per submission, the submission letter once per
    market.  requested -> generated (with the document id) or failed (with the reason)."""

    __tablename__ = "package_document"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    market_id: Mapped[str | None] = mapped_column(ForeignKey("market.id"))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="requested")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    document_id: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(300))
    media_type: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    download_path: Mapped[str | None] = mapped_column(String(300))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubmissionEmail(Base):
    """The package emailed to a market on the email channel, sent by the worker once the
    market's package documents are rendered: waiting -> ready -> sent, or failed (with
    the reason) after a permanent refusal or the last of its bounded attempts."""

    __tablename__ = "submission_email"
    __table_args__ = (UniqueConstraint("submission_id", "market_id"),
                      Index("ix_submission_email_status_next", "status", "next_attempt_at"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    market_id: Mapped[str] = mapped_column(ForeignKey("market.id"))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

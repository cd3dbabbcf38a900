"""The accounts database: clients with their contacts, locations and regulatory credentials, policy terms, the
renewal notices already raised, the diary (activities) and links to generated documents;
loss history (claims, carriers' loss-run column mappings), the communication log with
its attachments, file set-up checklists, and out-of-office cover."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.kit.db import ExactDecimal, UTCDateTime, add_kit_tables, new_metadata, utcnow

metadata = new_metadata()
add_kit_tables(metadata)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = metadata


class Client(Base):
    """A named insured or prospect, in one program (book of business)."""

    __tablename__ = "clients"
    __table_args__ = (
        Index("ix_clients_name_key_id", "name_key", "id"),
        Index("ix_clients_program_name_key_id", "program", "name_key", "id"),
        # Search by DBA prefix ("trading as"), like the name's.
        Index("ix_clients_dba_key_id", "dba_key", "id"),
        # Lists of policies and activities narrowed to the caller's programs check each
        # row's client program from this index alone (no heap visit per candidate row).
        Index("ix_clients_id_program", "id", "program"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased name: the sort key of client lists and the target of prefix search.
    # Byte order ("C") on PostgreSQL, so one b-tree serves both ORDER BY and LIKE 'prefix%'.
    name_key: Mapped[str] = mapped_column(String(200).with_variant(String(200, collation="C"), "postgresql"))
    dba: Mapped[str | None] = mapped_column(String(200))
    # Lower-cased DBA, searched by prefix as name_key is (None without a DBA).
    dba_key: Mapped[str | None] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    fein: Mapped[str | None] = mapped_column(String(9), index=True)
    naics: Mapped[str | None] = mapped_column(String(6))
    sic: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20), default="prospect")
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(2))
    account_manager: Mapped[str | None] = mapped_column(String(120), index=True)
    producer: Mapped[str | None] = mapped_column(String(120))
    assistant: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    credentials: Mapped[list["Credential"]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by=lambda: (Credential.kind, Credential.id))
    policies: Mapped[list["Policy"]] = relationship(
        back_populates="client", order_by=lambda: (Policy.expiration_date.desc(), Policy.id))
    # Loaded only where shown (the account detail, the snapshot events): selectinload them.
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="client", order_by=lambda: (Contact.is_primary.desc(), Contact.name, Contact.id))
    locations: Mapped[list["Location"]] = relationship(back_populates="client", order_by="Location.number")


class Contact(Base):
    """A person at the client: their roles there and how they like to be reached.  At most
    one contact per client is the primary one."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_client_name", "client_id", "name", "id"),
        Index("uq_contacts_client_primary", "client_id", unique=True,
              sqlite_where=text("is_primary"), postgresql_where=text("is_primary")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(120))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_channel: Mapped[str | None] = mapped_column(String(10))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship(back_populates="contacts")


class Location(Base):
    """A premises of the client, numbered as applications and schedules number them, with
    the values insured there.  At most one primary and one mailing location per client."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("client_id", "number", name="uq_locations_client_number"),
        Index("uq_locations_client_primary", "client_id", unique=True,
              sqlite_where=text("is_primary"), postgresql_where=text("is_primary")),
        Index("uq_locations_client_mailing", "client_id", unique=True,
              sqlite_where=text("is_mailing"), postgresql_where=text("is_mailing")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    number: Mapped[int] = mapped_column(Integer)
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(String(300))
    occupancy: Mapped[str | None] = mapped_column(String(200))
    # Insured values, all in one currency.
    values_currency: Mapped[str] = mapped_column(String(3), default="USD")
    building_value: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 2))
    contents_value: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 2))
    business_income_value: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 2))
    employee_count: Mapped[int | None] = mapped_column(Integer)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    is_mailing: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship(back_populates="locations")


class Credential(Base):
    """A regulatory id or licence of a client (DMV CA number, USDOT, CSLB licence …)."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("client_id", "kind", "number", name="uq_credentials_client_kind_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(40), index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    # A CSLB licence's classifications (B, C-10, C-61/D-49 …); None or [] for other kinds.
    classifications: Mapped[list | None] = mapped_column(JSON)

    client: Mapped[Client] = relationship(back_populates="credentials")


class Policy(Base):
    """One policy term."""

    __tablename__ = "policies"
    __table_args__ = (
        # A policy number is unique within the market that issued it.
        UniqueConstraint("market_key", "policy_number", name="uq_policies_market_policy_number"),
        # A bind delivered twice (even under two message ids) records each term once.
        UniqueConstraint("bind_id", "line_of_business", name="uq_policies_bind_line"),
        Index("ix_policies_status_expiration", "status", "expiration_date"),
        # The renewal pipeline's keyset order; status and client ride along so the page's
        # ids are found from the indexes alone (bench/accounts_scale.py).
        Index("ix_policies_expiration_id", "expiration_date", "id", postgresql_include=["status", "client_id"]),
        # A client's terms (the account page) and, for the pipeline's totals, the terms of
        # a program's clients expiring in a window, read from the index alone: the
        # program is the client's, so the window is reached through each of its clients.
        Index("ix_policies_client_expiration", "client_id", "expiration_date",
              postgresql_include=["status", "premium_amount", "premium_currency", "id"]),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    line_of_business: Mapped[str] = mapped_column(String(10))
    policy_number: Mapped[str] = mapped_column(String(60), index=True)
    carrier_name: Mapped[str] = mapped_column(String(200))
    naic_code: Mapped[str | None] = mapped_column(String(10))
    admitted: Mapped[bool] = mapped_column(Boolean, default=True)
    wholesaler: Mapped[str | None] = mapped_column(String(200))
    market_id: Mapped[str | None] = mapped_column(String(80))
    # NAIC code when known, else the normalised carrier name.
    market_key: Mapped[str] = mapped_column(String(200))
    effective_date: Mapped[date] = mapped_column(Date)
    expiration_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="in_force")
    # Exact NUMERIC on PostgreSQL; on SQLite 14 significant digits round-trip exactly.
    premium_amount: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    premium_currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Coverage records as CoverageSchema dumps them (Decimal amounts as strings).
    coverages: Mapped[list] = mapped_column(JSON, default=list)
    replaces_policy_id: Mapped[str | None] = mapped_column(String(36), index=True)
    bind_id: Mapped[str | None] = mapped_column(String(64))
    bound_quote_id: Mapped[str | None] = mapped_column(String(64))
    # A cancellation: why, who asked, when noticed and when coverage ends.
    cancellation_reason: Mapped[str | None] = mapped_column(String(30))
    cancellation_requested_by: Mapped[str | None] = mapped_column(String(10))
    cancellation_notice_date: Mapped[date | None] = mapped_column(Date)
    cancellation_effective_date: Mapped[date | None] = mapped_column(Date)
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship(back_populates="policies")


class RenewalNotice(Base):
    """A renewal lead time reached by a policy term: ``raised`` (renewal due was emitted)
    or ``passed`` (a farther tier already crossed when a nearer one was raised)."""

    __tablename__ = "renewal_notices"
    __table_args__ = (UniqueConstraint("policy_id", "lead_days", name="uq_renewal_notices_policy_lead"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    policy_id: Mapped[str] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    lead_days: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(10))
    scan_date: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Activity(Base):
    """A dated to-do in the diary."""

    __tablename__ = "activities"
    __table_args__ = (
        # An event asks for its activity once, however often it is delivered.
        UniqueConstraint("type", "source_key", name="uq_activities_type_source_key"),
        Index("ix_activities_assignee_status_due", "assignee", "status", "due_on", "id"),
        Index("ix_activities_client_due", "client_id", "due_on", "id"),
        Index("ix_activities_policy_type_status", "policy_id", "type", "status"),
        # A delegate's diary: "my open activities" reads this beside the assignee index.
        Index("ix_activities_delegate_status_due", "delegate", "status", "due_on", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    policy_id: Mapped[str | None] = mapped_column(ForeignKey("policies.id"))
    type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    assignee: Mapped[str | None] = mapped_column(String(120))
    # Working it for the assignee, who stays accountable for it (None: not delegated).
    delegate: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="open")
    outcome: Mapped[str | None] = mapped_column(Text)
    source_event_id: Mapped[str | None] = mapped_column(String(200))
    # The natural key of what asked for it (quote id and revision, filing id …).
    source_key: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    completed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while the activity is with an absent user's backup: whom it returns to.
    original_assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    # The activity whose completion opened this one (follow-up chaining).
    follows_id: Mapped[str | None] = mapped_column(ForeignKey("activities.id"), index=True)

    @property
    def delegated(self) -> bool:
        return self.delegate is not None


class ActivityReassignment(Base):
    """One hand-over of an activity, with who did it and why.  ``kind``: reassign (ownership
    moves), delegate / undelegate (a delegate works it, the assignee stays accountable),
    absence_cover / absence_return (out-of-office cover starts / ends)."""

    __tablename__ = "activity_reassignments"
    __table_args__ = (Index("ix_activity_reassignments_activity_at", "activity_id", "reassigned_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    kind: Mapped[str] = mapped_column(String(20), default="reassign")
    from_assignee: Mapped[str | None] = mapped_column(String(120))
    to_assignee: Mapped[str] = mapped_column(String(120))
    reassigned_by: Mapped[str] = mapped_column(String(200))
    reassigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class AccountDocument(Base):
    """A document the documents service generated for this account."""

    __tablename__ = "account_documents"
    __table_args__ = (Index("ix_account_documents_client_created", "client_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    document_id: Mapped[str] = mapped_column(String(64), unique=True)
    request_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(64))
    download_path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Claim(Base):
    """One claim against a policy term, as keyed in or as the carrier's loss run values it."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("policy_id", "claim_number", name="uq_claims_policy_claim_number"),
        Index("ix_claims_client_date_of_loss", "client_id", "date_of_loss"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    policy_id: Mapped[str] = mapped_column(ForeignKey("policies.id"))
    claim_number: Mapped[str] = mapped_column(String(60))
    date_of_loss: Mapped[date] = mapped_column(Date)
    cause: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    paid: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    reserved: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    incurred: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    recoveries: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    description: Mapped[str | None] = mapped_column(Text)
    # "manual" (keyed in) or "loss_run" (imported from the carrier's loss run).
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LossRunMapping(Base):
    """How one carrier's loss run is laid out: our field -> their column header."""

    __tablename__ = "loss_run_mappings"

    carrier_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    columns: Mapped[dict] = mapped_column(JSON)
    date_format: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Communication(Base):
    """A note, call or email in the account's log.  Never changed: a correction is a new
    entry pointing at the one it corrects."""

    __tablename__ = "communications"
    __table_args__ = (
        Index("ix_communications_client_occurred_id", "client_id", "occurred_at", "id"),
        # One email imported once per account.
        UniqueConstraint("client_id", "message_id", name="uq_communications_client_message_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    policy_id: Mapped[str | None] = mapped_column(ForeignKey("policies.id"))
    kind: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str | None] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    sender: Mapped[str | None] = mapped_column(String(320))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    message_id: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("communications.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list["CommunicationAttachment"]] = relationship(
        order_by="CommunicationAttachment.position", lazy="selectin")


class CommunicationAttachment(Base):
    """A file that came with an email, kept in the service's attachment store by its sha256."""

    __tablename__ = "communication_attachments"
    __table_args__ = (UniqueConstraint("communication_id", "position", name="uq_communication_attachments_position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    communication_id: Mapped[str] = mapped_column(ForeignKey("communications.id"))
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class Checklist(Base):
    """A file set-up checklist (new account, or one policy term's renewal)."""

    __tablename__ = "checklists"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    policy_id: Mapped[str | None] = mapped_column(ForeignKey("policies.id"))
    kind: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(60))
    # "new_account:<client id>" or "renewal:<policy id>": each started once.
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["ChecklistItem"]] = relationship(order_by="ChecklistItem.position", lazy="selectin")


class ChecklistItem(Base):
    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "position", name="uq_checklist_items_position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    checklist_id: Mapped[str] = mapped_column(ForeignKey("checklists.id"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(300))
    done_by: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserAbsence(Base):
    """A user out of the office from ``starts_on`` through ``ends_on`` (inclusive), covered by
    ``backup``.  ``state``: scheduled, active (their diary is with the backup), ended."""

    __tablename__ = "user_absences"
    __table_args__ = (Index("ix_user_absences_state_starts", "state", "starts_on"),)

    user: Mapped[str] = mapped_column(String(120), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    backup: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(10))
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

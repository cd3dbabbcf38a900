"""Accounts: clients, credentials, policies, renewal notices, activities, account documents
(and the kit's outbox, inbox and audit log).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import ExactDecimal, UTCDateTime
from shared.kit.migrations import create_kit_tables, drop_kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op)
    _clients()
    _credentials()
    _policies()
    _renewal_notices()
    _activities()
    _account_documents()


def downgrade() -> None:
    for table in ("account_documents", "activities", "renewal_notices", "policies", "credentials", "clients"):
        op.drop_table(table)
    drop_kit_tables(op)


def _clients() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("program", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"), nullable=False),
        sa.Column("dba", sa.String(200), nullable=True),
        sa.Column("entity_type", sa.String(40), nullable=True),
        sa.Column("fein", sa.String(9), nullable=True),
        sa.Column("naics", sa.String(6), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("address_line1", sa.String(200), nullable=True),
        sa.Column("address_line2", sa.String(200), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("state", sa.String(2), nullable=True),
        sa.Column("postal_code", sa.String(10), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("account_manager", sa.String(120), nullable=True),
        sa.Column("producer", sa.String(120), nullable=True),
        sa.Column("assistant", sa.String(120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
    )
    op.create_index("ix_clients_account_manager", "clients", ["account_manager"])
    op.create_index("ix_clients_fein", "clients", ["fein"])
    op.create_index("ix_clients_name_key_id", "clients", ["name_key", "id"])
    op.create_index("ix_clients_program_name_key_id", "clients", ["program", "name_key", "id"])


def _credentials() -> None:
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_credentials_client_id_clients",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
        sa.UniqueConstraint("client_id", "kind", "number", name="uq_credentials_client_kind_number"),
    )
    op.create_index("ix_credentials_client_id", "credentials", ["client_id"])
    op.create_index("ix_credentials_number", "credentials", ["number"])


def _policies() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("line_of_business", sa.String(10), nullable=False),
        sa.Column("policy_number", sa.String(60), nullable=False),
        sa.Column("carrier_name", sa.String(200), nullable=False),
        sa.Column("naic_code", sa.String(5), nullable=True),
        sa.Column("admitted", sa.Boolean(), nullable=False),
        sa.Column("wholesaler", sa.String(200), nullable=True),
        sa.Column("market_id", sa.String(80), nullable=True),
        sa.Column("market_key", sa.String(200), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("expiration_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("premium_amount", ExactDecimal(14, 2), nullable=False),
        sa.Column("premium_currency", sa.String(3), nullable=False),
        sa.Column("coverages", sa.JSON(), nullable=False),
        sa.Column("replaces_policy_id", sa.String(36), nullable=True),
        sa.Column("bind_id", sa.String(64), nullable=True),
        sa.Column("bound_quote_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_policies_client_id_clients"),
        sa.PrimaryKeyConstraint("id", name="pk_policies"),
        sa.UniqueConstraint("bind_id", "line_of_business", name="uq_policies_bind_line"),
        sa.UniqueConstraint("market_key", "policy_number", name="uq_policies_market_policy_number"),
    )
    op.create_index("ix_policies_client_id", "policies", ["client_id"])
    op.create_index("ix_policies_policy_number", "policies", ["policy_number"])
    op.create_index("ix_policies_replaces_policy_id", "policies", ["replaces_policy_id"])
    op.create_index("ix_policies_status_expiration", "policies", ["status", "expiration_date"])


def _renewal_notices() -> None:
    op.create_table(
        "renewal_notices",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("scan_date", sa.Date(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name="fk_renewal_notices_policy_id_policies",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_renewal_notices"),
        sa.UniqueConstraint("policy_id", "lead_days", name="uq_renewal_notices_policy_lead"),
    )


def _activities() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("assignee", sa.String(120), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("source_event_id", sa.String(200), nullable=True),
        sa.Column("source_key", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("completed_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_activities_client_id_clients"),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name="fk_activities_policy_id_policies"),
        sa.PrimaryKeyConstraint("id", name="pk_activities"),
        sa.UniqueConstraint("type", "source_key", name="uq_activities_type_source_key"),
    )
    op.create_index("ix_activities_assignee_status_due", "activities", ["assignee", "status", "due_on", "id"])
    op.create_index("ix_activities_client_due", "activities", ["client_id", "due_on", "id"])


def _account_documents() -> None:
    op.create_table(
        "account_documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(60), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("download_path", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_account_documents_client_id_clients"),
        sa.PrimaryKeyConstraint("id", name="pk_account_documents"),
        sa.UniqueConstraint("document_id", name="uq_account_documents_document_id"),
    )
    op.create_index("ix_account_documents_client_created", "account_documents", ["client_id", "created_at"])

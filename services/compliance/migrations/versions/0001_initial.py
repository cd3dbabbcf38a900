"""Compliance: credential read model, policy terms, filings and their history.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime
from shared.kit.migrations import create_kit_tables, drop_kit_tables

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_kit_tables(op)
    op.create_table(
        "credential_views",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("dba", sa.String(300)),
        sa.Column("entity_type", sa.String(40)),
        sa.Column("account_manager", sa.String(120)),
        sa.Column("credentials", sa.JSON(), nullable=False),
        sa.Column("source_time", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_credential_views"),
    )
    op.create_index("ix_credential_views_program", "credential_views", ["program"])
    op.create_table(
        "policy_terms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("policy_id", sa.String(64)),
        sa.Column("policy_number", sa.String(80), nullable=False),
        sa.Column("line_of_business", sa.String(10), nullable=False),
        sa.Column("carrier_name", sa.String(200)),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("expiration_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_terms"),
        sa.UniqueConstraint("client_id", "policy_number", "effective_date", name="uq_policy_terms_term"),
    )
    op.create_index("ix_policy_terms_client_id", "policy_terms", ["client_id"])
    op.create_table(
        "filings",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("body", sa.String(10), nullable=False),
        sa.Column("form", sa.String(200), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("trigger", sa.String(30), nullable=False),
        sa.Column("term_key", sa.String(10), nullable=False),
        sa.Column("credential_kind", sa.String(40), nullable=False),
        sa.Column("credential_number", sa.String(40), nullable=False),
        sa.Column("policy_number", sa.String(80), nullable=False),
        sa.Column("line_of_business", sa.String(10), nullable=False),
        sa.Column("carrier_name", sa.String(200)),
        sa.Column("policy_effective_date", sa.Date(), nullable=False),
        sa.Column("policy_expiration_date", sa.Date(), nullable=False),
        sa.Column("notice_date", sa.Date()),
        sa.Column("cancellation_effective_on", sa.Date()),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("account_manager", sa.String(120)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_filings"),
        sa.UniqueConstraint("rule_id", "credential_number", "policy_number", "trigger", "term_key",
                            name="uq_filings_natural_key"),
    )
    op.create_index("ix_filings_client_id", "filings", ["client_id"])
    op.create_index("ix_filings_program_due", "filings", ["program", "due_on", "id"])
    op.create_index("ix_filings_status_due", "filings", ["status", "due_on"])
    op.create_table(
        "filing_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_id", sa.String(36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"], name="fk_filing_events_filing_id_filings",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_filing_events"),
    )
    op.create_index("ix_filing_events_filing_id", "filing_events", ["filing_id"])


def downgrade() -> None:
    op.drop_table("filing_events")
    op.drop_table("filings")
    op.drop_table("policy_terms")
    op.drop_table("credential_views")
    drop_kit_tables(op)

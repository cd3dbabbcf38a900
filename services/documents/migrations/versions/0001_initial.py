"""The kit's tables (outbox, inbox, audit log) and rendered documents.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime
from shared.kit.migrations import create_kit_tables, drop_kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op)
    op.create_table(
        "document",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("subject_type", sa.String(60), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("media_type", sa.String(120), nullable=True),
        sa.Column("size_bytes", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("storage_key", sa.String(300), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('generated', 'failed')", name=op.f("ck_document_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("request_id", name=op.f("uq_document_request_id")),
    )
    op.create_index("ix_document_client_created", "document", ["client_id", "created_at", "id"])
    op.create_index("ix_document_subject", "document", ["subject_id", "created_at", "id"])
    op.create_index("ix_document_program_created", "document", ["program", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("document")
    drop_kit_tables(op)

"""A policy term's carrier code may be an NAIC alien insurer code (AA-1120337, ten
characters: Lloyd's syndicates and other non-US surplus lines insurers) as well as a
five-digit NAIC company code.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.alter_column("naic_code", type_=sa.String(10), existing_type=sa.String(5), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.alter_column("naic_code", type_=sa.String(5), existing_type=sa.String(10), existing_nullable=True)

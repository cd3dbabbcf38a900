"""A carrier's code may be an NAIC alien insurer code (AA-1120337, ten characters:
Lloyd's syndicates and other non-US surplus lines insurers) as well as a five-digit NAIC
company code: on markets, the carriers a wholesaler reaches, and quotes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("market", "reachable_carrier", "quote")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("naic_code", type_=sa.String(10), existing_type=sa.String(5), existing_nullable=True)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("naic_code", type_=sa.String(5), existing_type=sa.String(10), existing_nullable=True)

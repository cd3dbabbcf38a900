"""Indexes for the book at scale (bench/accounts_scale.py): the renewal pipeline's keyset
order (expiration date, id) covering status and client, and (client id, program) so lists
narrowed to the caller's programs check a row's program from an index alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_policies_expiration_id", "policies", ["expiration_date", "id"],
                    postgresql_include=["status", "client_id"])
    op.create_index("ix_clients_id_program", "clients", ["id", "program"])


def downgrade() -> None:
    op.drop_index("ix_clients_id_program", table_name="clients")
    op.drop_index("ix_policies_expiration_id", table_name="policies")

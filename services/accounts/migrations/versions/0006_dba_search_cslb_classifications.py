"""Search by DBA (a lower-cased key beside the name's, with its index) and the
classifications of a CSLB licence.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column(
            "dba_key", sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"), nullable=True))
    op.execute("UPDATE clients SET dba_key = lower(trim(dba)) WHERE dba IS NOT NULL AND trim(dba) <> ''")
    op.create_index("ix_clients_dba_key_id", "clients", ["dba_key", "id"])
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("classifications", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("classifications")
    op.drop_index("ix_clients_dba_key_id", table_name="clients")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("dba_key")

"""Marketing: a bind order may end declined (the market refused it) or cancelled (the
agency withdrew it), so only a live order holds its submission and quote (partial unique
indexes instead of the unique constraints); the issued policy's term is kept with its
check (a term that differs from the binder is a discrepancy).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LIVE = sa.text("status NOT IN ('declined', 'cancelled')")


def upgrade() -> None:
    with op.batch_alter_table('bind', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ended_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('ended_at', UTCDateTime(), nullable=True))
        batch_op.drop_constraint('uq_bind_quote_id', type_='unique')
        batch_op.drop_constraint('uq_bind_submission_id', type_='unique')
    op.create_index('uq_bind_live_submission', 'bind', ['submission_id'], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_index('uq_bind_live_quote', 'bind', ['quote_id'], unique=True, sqlite_where=LIVE, postgresql_where=LIVE)

    with op.batch_alter_table('issued_policy_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expiration_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('issued_policy_check', schema=None) as batch_op:
        batch_op.drop_column('expiration_date')
        batch_op.drop_column('effective_date')
    op.drop_index('uq_bind_live_quote', table_name='bind')
    op.drop_index('uq_bind_live_submission', table_name='bind')
    # Ended orders cannot share a submission or quote under the old constraints.
    op.execute("DELETE FROM bind_subjectivity WHERE bind_id IN (SELECT id FROM bind WHERE status IN ('declined', 'cancelled'))")
    op.execute("DELETE FROM surplus_lines_placement WHERE bind_id IN (SELECT id FROM bind WHERE status IN ('declined', 'cancelled'))")
    op.execute("DELETE FROM bind WHERE status IN ('declined', 'cancelled')")
    with op.batch_alter_table('bind', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_bind_submission_id', ['submission_id'])
        batch_op.create_unique_constraint('uq_bind_quote_id', ['quote_id'])
        batch_op.drop_column('ended_at')
        batch_op.drop_column('ended_by')
        batch_op.drop_column('ended_reason')

"""Marketing: the agency's appointment with each market (status and effective date), the
carriers a wholesaler or MGA reaches, the submission's class codes and operations (what
appetite is matched against beyond NAICS), and the program manager's approval of a
program-business market list.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('market', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_status', sa.String(length=20), nullable=False,
                                      server_default='appointed'))
        batch_op.add_column(sa.Column('appointment_effective_date', sa.Date(), nullable=True))

    op.create_table(
        'reachable_carrier',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('market_id', sa.String(length=80), nullable=False),
        sa.Column('carrier_name', sa.String(length=200), nullable=False),
        sa.Column('naic_code', sa.String(length=5), nullable=True),
        sa.Column('admitted', sa.Boolean(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_reachable_carrier_market_id_market')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reachable_carrier')),
        sa.UniqueConstraint('market_id', 'carrier_name', name=op.f('uq_reachable_carrier_market_id')),
    )
    op.create_index(op.f('ix_reachable_carrier_market_id'), 'reachable_carrier', ['market_id'], unique=False)

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('program_manager_approved_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('program_manager_approved_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('class_codes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('operations', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('operations')
        batch_op.drop_column('class_codes')
        batch_op.drop_column('program_manager_approved_at')
        batch_op.drop_column('program_manager_approved_by')
    op.drop_index(op.f('ix_reachable_carrier_market_id'), table_name='reachable_carrier')
    op.drop_table('reachable_carrier')
    with op.batch_alter_table('market', schema=None) as batch_op:
        batch_op.drop_column('appointment_effective_date')
        batch_op.drop_column('appointment_status')

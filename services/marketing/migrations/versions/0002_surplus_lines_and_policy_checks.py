"""Marketing: surplus lines placements (diligent search, tax and stamping fee)
and issued policy checks with their discrepancies.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import ExactDecimal, UTCDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_policy_check',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('bind_id', sa.String(length=64), nullable=False),
    sa.Column('policy_numbers', sa.JSON(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('exclusions', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('premium', ExactDecimal(14, 2), nullable=False),
    sa.Column('discrepancy_count', sa.Integer(), nullable=False),
    sa.Column('checked_by', sa.String(length=200), nullable=False),
    sa.Column('checked_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bind_id'], ['bind.id'], name=op.f('fk_issued_policy_check_bind_id_bind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_policy_check'))
    )
    with op.batch_alter_table('issued_policy_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_policy_check_bind_id'), ['bind_id'], unique=False)

    op.create_table('surplus_lines_placement',
    sa.Column('bind_id', sa.String(length=64), nullable=False),
    sa.Column('home_state', sa.String(length=2), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('gross_premium', ExactDecimal(14, 2), nullable=False),
    sa.Column('tax', ExactDecimal(14, 2), nullable=True),
    sa.Column('tax_rate_percent', ExactDecimal(7, 4), nullable=True),
    sa.Column('stamping_fee', ExactDecimal(14, 2), nullable=True),
    sa.Column('stamping_fee_rate_percent', ExactDecimal(7, 4), nullable=True),
    sa.Column('charges', sa.JSON(), nullable=False),
    sa.Column('declinations', sa.JSON(), nullable=False),
    sa.Column('declinations_required', sa.Integer(), nullable=False),
    sa.Column('broker_license', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bind_id'], ['bind.id'], name=op.f('fk_surplus_lines_placement_bind_id_bind')),
    sa.PrimaryKeyConstraint('bind_id', name=op.f('pk_surplus_lines_placement'))
    )
    op.create_table('policy_discrepancy',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('check_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('line_of_business', sa.String(length=10), nullable=True),
    sa.Column('coverage_code', sa.String(length=40), nullable=True),
    sa.Column('expected', sa.Text(), nullable=True),
    sa.Column('found', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['issued_policy_check.id'], name=op.f('fk_policy_discrepancy_check_id_issued_policy_check')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_discrepancy'))
    )
    with op.batch_alter_table('policy_discrepancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_discrepancy_check_id'), ['check_id'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('policy_discrepancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_discrepancy_check_id'))

    op.drop_table('policy_discrepancy')
    op.drop_table('surplus_lines_placement')
    with op.batch_alter_table('issued_policy_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_policy_check_bind_id'))

    op.drop_table('issued_policy_check')

"""Marketing: negotiation rounds (counter-offers sent as re-quote requests) and the
quote-overdue follow-ups raised once per (submission, market).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import ExactDecimal, UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('negotiation_round',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('submission_market_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=False),
    sa.Column('quote_id', sa.String(length=64), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('quoted_premium', ExactDecimal(14, 2), nullable=False),
    sa.Column('target_premium', ExactDecimal(14, 2), nullable=False),
    sa.Column('requested_changes', sa.JSON(), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_negotiation_round_market_id_market')),
    sa.ForeignKeyConstraint(['quote_id'], ['quote.id'], name=op.f('fk_negotiation_round_quote_id_quote')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_negotiation_round_submission_id_submission')),
    sa.ForeignKeyConstraint(['submission_market_id'], ['submission_market.id'], name=op.f('fk_negotiation_round_submission_market_id_submission_market')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_negotiation_round')),
    sa.UniqueConstraint('submission_market_id', 'round_number', name=op.f('uq_negotiation_round_submission_market_id'))
    )
    with op.batch_alter_table('negotiation_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_negotiation_round_submission_id'), ['submission_id'], unique=False)

    op.create_table('quote_overdue',
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=False),
    sa.Column('raised_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_quote_overdue_market_id_market')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_quote_overdue_submission_id_submission')),
    sa.PrimaryKeyConstraint('submission_id', 'market_id', name=op.f('pk_quote_overdue'))
    )


def downgrade() -> None:
    op.drop_table('quote_overdue')
    with op.batch_alter_table('negotiation_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_negotiation_round_submission_id'))

    op.drop_table('negotiation_round')

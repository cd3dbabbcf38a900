"""Marketing: markets, the client and policy read models, submissions and their market
lists, quotes (every revision), binds and submission documents (and the kit's outbox,
inbox and audit log).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import ExactDecimal, UTCDateTime
from shared.kit.migrations import create_kit_tables, drop_kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op)
    op.create_table('client_view',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('program', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dba', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('naics', sa.String(length=10), nullable=True),
    sa.Column('address', sa.JSON(), nullable=True),
    sa.Column('account_manager', sa.String(length=120), nullable=True),
    sa.Column('producer', sa.String(length=120), nullable=True),
    sa.Column('credentials', sa.JSON(), nullable=False),
    sa.Column('as_of', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_client_view'))
    )
    op.create_table('market',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('carrier_name', sa.String(length=200), nullable=False),
    sa.Column('naic_code', sa.String(length=5), nullable=True),
    sa.Column('admitted', sa.Boolean(), nullable=False),
    sa.Column('am_best_rating', sa.String(length=10), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('broker_user', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('appetite', sa.JSON(), nullable=False),
    sa.Column('commission_percent', ExactDecimal(5, 2), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market')),
    sa.UniqueConstraint('broker_user', name=op.f('uq_market_broker_user'))
    )
    op.create_table('policy_view',
    sa.Column('policy_id', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('program', sa.String(length=80), nullable=False),
    sa.Column('line_of_business', sa.String(length=10), nullable=False),
    sa.Column('policy_number', sa.String(length=80), nullable=False),
    sa.Column('market', sa.JSON(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('expiration_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('coverages', sa.JSON(), nullable=False),
    sa.Column('premium', ExactDecimal(14, 2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('insured', sa.JSON(), nullable=False),
    sa.Column('as_of', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('policy_id', name=op.f('pk_policy_view'))
    )
    op.create_index(op.f('ix_policy_view_client_id'), 'policy_view', ['client_id'], unique=False)
    op.create_table('submission',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('program', sa.String(length=80), nullable=False),
    sa.Column('insured', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('expiration_date', sa.Date(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('specifications', sa.JSON(), nullable=False),
    sa.Column('expiring_policy_ids', sa.JSON(), nullable=False),
    sa.Column('expiring', sa.JSON(), nullable=False),
    sa.Column('target_premium', ExactDecimal(14, 2), nullable=True),
    sa.Column('underwriting_notes', sa.Text(), nullable=True),
    sa.Column('account_manager', sa.String(length=120), nullable=True),
    sa.Column('markets_approved_by', sa.String(length=200), nullable=True),
    sa.Column('markets_approved_at', UTCDateTime(), nullable=True),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.Column('respond_by', sa.Date(), nullable=True),
    sa.Column('comparison_ready_at', UTCDateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    op.create_index('ix_submission_client_effective', 'submission', ['client_id', 'effective_date'], unique=False)
    op.create_index('ix_submission_program_created', 'submission', ['program', 'created_at'], unique=False)
    op.create_table('quote',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=False),
    sa.Column('carrier_quote_ref', sa.String(length=80), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('declination_reason', sa.Text(), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('supersedes_id', sa.String(length=64), nullable=True),
    sa.Column('carrier_name', sa.String(length=200), nullable=True),
    sa.Column('naic_code', sa.String(length=5), nullable=True),
    sa.Column('admitted', sa.Boolean(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('expiration_date', sa.Date(), nullable=True),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('premium', ExactDecimal(14, 2), nullable=False),
    sa.Column('taxes_fees', sa.JSON(), nullable=False),
    sa.Column('total_cost', ExactDecimal(14, 2), nullable=False),
    sa.Column('commission_percent', ExactDecimal(5, 2), nullable=True),
    sa.Column('payment_plans', sa.JSON(), nullable=False),
    sa.Column('subjectivities', sa.JSON(), nullable=False),
    sa.Column('exclusions', sa.JSON(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('underwriter', sa.String(length=200), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('received_by', sa.String(length=200), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_quote_market_id_market')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_quote_submission_id_submission')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['quote.id'], name=op.f('fk_quote_supersedes_id_quote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote')),
    sa.UniqueConstraint('market_id', 'carrier_quote_ref', 'revision', name=op.f('uq_quote_market_id'))
    )
    op.create_index('ix_quote_submission_current', 'quote', ['submission_id', 'is_current'], unique=False)
    op.create_table('submission_document',
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('download_path', sa.String(length=300), nullable=False),
    sa.Column('generated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_document_submission_id_submission')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_submission_document'))
    )
    op.create_index(op.f('ix_submission_document_submission_id'), 'submission_document', ['submission_id'], unique=False)
    op.create_table('submission_market',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.Column('answered_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_submission_market_market_id_market')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_market_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_market')),
    sa.UniqueConstraint('submission_id', 'market_id', name=op.f('uq_submission_market_submission_id'))
    )
    op.create_table('bind',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('quote_id', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('policy_numbers', sa.JSON(), nullable=False),
    sa.Column('bound_by', sa.String(length=200), nullable=False),
    sa.Column('bound_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quote.id'], name=op.f('fk_bind_quote_id_quote')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_bind_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bind')),
    sa.UniqueConstraint('quote_id', name=op.f('uq_bind_quote_id')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_bind_submission_id'))
    )


def downgrade() -> None:
    for table in ("bind", "submission_market", "submission_document", "quote", "submission", "policy_view", "market", "client_view"):
        op.drop_table(table)
    drop_kit_tables(op)

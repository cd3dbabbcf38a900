"""Marketing: the per-market status lifecycle (acknowledgements, quote expiry), bind
orders confirmed by the market with their subjectivities checklist, issued policies
received over the carrier contract, and underwriter contacts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission_market', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('carrier_submission_ref', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('underwriter', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('status_changed_at', UTCDateTime(), nullable=True))

    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', UTCDateTime(), nullable=True))

    # Binds made before this revision were bound at once: they stay "bound".
    with op.batch_alter_table('bind', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=30), server_default='bound', nullable=False))
        batch_op.add_column(sa.Column('payment_plan', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('instructions', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('requested_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('binder_number', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('effective_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expiration_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmation_channel', sa.String(length=10), nullable=True))

    with op.batch_alter_table('issued_policy_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))

    op.create_table('bind_subjectivity',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('bind_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['bind_id'], ['bind.id'], name=op.f('fk_bind_subjectivity_bind_id_bind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bind_subjectivity')),
    sa.UniqueConstraint('bind_id', 'position', name=op.f('uq_bind_subjectivity_bind_id'))
    )
    op.create_table('underwriter_contact',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('states', sa.JSON(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_underwriter_contact_market_id_market')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_underwriter_contact'))
    )
    with op.batch_alter_table('underwriter_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_underwriter_contact_market_id'), ['market_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('underwriter_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_underwriter_contact_market_id'))
    op.drop_table('underwriter_contact')
    op.drop_table('bind_subjectivity')

    with op.batch_alter_table('issued_policy_check', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('channel')

    with op.batch_alter_table('bind', schema=None) as batch_op:
        for column in ('confirmation_channel', 'confirmed_at', 'confirmed_by', 'changes', 'expiration_date',
                       'effective_date', 'binder_number', 'requested_at', 'instructions', 'payment_plan', 'status'):
            batch_op.drop_column(column)

    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.drop_column('expired_at')

    with op.batch_alter_table('submission_market', schema=None) as batch_op:
        for column in ('status_changed_at', 'underwriter', 'carrier_submission_ref', 'acknowledged_at'):
            batch_op.drop_column(column)

"""Marketing: the loss summary read model (accounts.losses.updated), the submission
package documents asked of documents, and the package emailed to email-channel markets.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('loss_summary_view',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('program', sa.String(length=80), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('large_loss_threshold', sa.JSON(), nullable=False),
    sa.Column('policy_years', sa.JSON(), nullable=False),
    sa.Column('five_years', sa.JSON(), nullable=False),
    sa.Column('large_losses', sa.JSON(), nullable=False),
    sa.Column('event_time', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_loss_summary_view'))
    )
    op.create_table('package_document',
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=300), nullable=True),
    sa.Column('media_type', sa.String(length=200), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('download_path', sa.String(length=300), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('requested_at', UTCDateTime(), nullable=False),
    sa.Column('settled_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_package_document_market_id_market')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_package_document_submission_id_submission')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_package_document'))
    )
    with op.batch_alter_table('package_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_document_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_email',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('market_id', sa.String(length=80), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_submission_email_market_id_market')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_email_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_email')),
    sa.UniqueConstraint('submission_id', 'market_id', name=op.f('uq_submission_email_submission_id'))
    )
    with op.batch_alter_table('submission_email', schema=None) as batch_op:
        batch_op.create_index('ix_submission_email_status_next', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission_email', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_email_status_next')

    op.drop_table('submission_email')
    with op.batch_alter_table('package_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_document_submission_id'))

    op.drop_table('package_document')
    op.drop_table('loss_summary_view')

"""Compliance: the cancellation facts of a policy term (source, notice and coverage-end
dates, reason, requester) and when a filing's overdue event was raised.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("policy_terms") as batch:
        batch.add_column(sa.Column("cancellation_source", sa.String(40)))
        batch.add_column(sa.Column("cancellation_notice_date", sa.Date()))
        batch.add_column(sa.Column("cancellation_effective_date", sa.Date()))
        batch.add_column(sa.Column("cancellation_reason", sa.String(30)))
        batch.add_column(sa.Column("cancellation_requested_by", sa.String(20)))
    with op.batch_alter_table("filings") as batch:
        batch.add_column(sa.Column("overdue_announced_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("overdue_announced_at")
    with op.batch_alter_table("policy_terms") as batch:
        batch.drop_column("cancellation_requested_by")
        batch.drop_column("cancellation_reason")
        batch.drop_column("cancellation_effective_date")
        batch.drop_column("cancellation_notice_date")
        batch.drop_column("cancellation_source")

"""Policy cancellations (reason, requested by, notice and effective dates), the diary's
reassignment history and follow-up chaining, and the index the renewal pipeline reads
open renewal activities by.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CANCELLATION_COLUMNS = ("cancellation_reason", "cancellation_requested_by", "cancellation_notice_date",
                        "cancellation_effective_date", "cancelled_by", "cancelled_at")


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("cancellation_reason", sa.String(30), nullable=True))
        batch.add_column(sa.Column("cancellation_requested_by", sa.String(10), nullable=True))
        batch.add_column(sa.Column("cancellation_notice_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("cancellation_effective_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("cancelled_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("follows_id", sa.String(36), nullable=True))
        batch.create_foreign_key("fk_activities_follows_id_activities", "activities", ["follows_id"], ["id"])
        batch.create_index("ix_activities_follows_id", ["follows_id"])
        batch.create_index("ix_activities_policy_type_status", ["policy_id", "type", "status"])
    op.create_table(
        "activity_reassignments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("activity_id", sa.String(36), nullable=False),
        sa.Column("from_assignee", sa.String(120), nullable=True),
        sa.Column("to_assignee", sa.String(120), nullable=False),
        sa.Column("reassigned_by", sa.String(200), nullable=False),
        sa.Column("reassigned_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"],
                                name="fk_activity_reassignments_activity_id_activities"),
        sa.PrimaryKeyConstraint("id", name="pk_activity_reassignments"),
    )
    op.create_index("ix_activity_reassignments_activity_at", "activity_reassignments",
                    ["activity_id", "reassigned_at"])


def downgrade() -> None:
    op.drop_table("activity_reassignments")
    with op.batch_alter_table("activities") as batch:
        batch.drop_index("ix_activities_policy_type_status")
        batch.drop_index("ix_activities_follows_id")
        batch.drop_constraint("fk_activities_follows_id_activities", type_="foreignkey")
        batch.drop_column("follows_id")
    with op.batch_alter_table("policies") as batch:
        for column in reversed(CANCELLATION_COLUMNS):
            batch.drop_column(column)

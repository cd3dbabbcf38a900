"""Loss history (claims, loss-run mappings), the communication log and its attachments,
file set-up checklists, out-of-office cover (absences; activities remember their
original assignee).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import ExactDecimal, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_TABLES = ("claims", "loss_run_mappings", "communication_attachments", "communications", "checklist_items",
              "checklists", "user_absences")


def upgrade() -> None:
    _claims()
    _loss_run_mappings()
    _communications()
    _checklists()
    _user_absences()
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("original_assignee", sa.String(120), nullable=True))
        batch.create_index("ix_activities_original_assignee", ["original_assignee"])


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_index("ix_activities_original_assignee")
        batch.drop_column("original_assignee")
    for table in NEW_TABLES:
        op.drop_table(table)


def _money(name: str) -> sa.Column:
    return sa.Column(name, ExactDecimal(14, 2), nullable=False)


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=False),
        sa.Column("claim_number", sa.String(60), nullable=False),
        sa.Column("date_of_loss", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(120), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _money("paid"), _money("reserved"), _money("incurred"), _money("recoveries"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_claims_client_id_clients"),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name="fk_claims_policy_id_policies"),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.UniqueConstraint("policy_id", "claim_number", name="uq_claims_policy_claim_number"),
    )
    op.create_index("ix_claims_client_date_of_loss", "claims", ["client_id", "date_of_loss"])


def _loss_run_mappings() -> None:
    op.create_table(
        "loss_run_mappings",
        sa.Column("carrier_key", sa.String(120), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("date_format", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("carrier_key", name="pk_loss_run_mappings"),
    )


def _communications() -> None:
    op.create_table(
        "communications",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("direction", sa.String(10), nullable=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("sender", sa.String(320), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("corrects_id", sa.String(36), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_communications_client_id_clients"),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name="fk_communications_policy_id_policies"),
        sa.ForeignKeyConstraint(["corrects_id"], ["communications.id"],
                                name="fk_communications_corrects_id_communications"),
        sa.PrimaryKeyConstraint("id", name="pk_communications"),
        sa.UniqueConstraint("client_id", "message_id", name="uq_communications_client_message_id"),
    )
    op.create_index("ix_communications_author", "communications", ["author"])
    op.create_index("ix_communications_corrects_id", "communications", ["corrects_id"])
    op.create_index("ix_communications_client_occurred_id", "communications", ["client_id", "occurred_at", "id"])
    op.create_table(
        "communication_attachments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("communication_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["communication_id"], ["communications.id"],
                                name="fk_communication_attachments_communication_id_communications"),
        sa.PrimaryKeyConstraint("id", name="pk_communication_attachments"),
        sa.UniqueConstraint("communication_id", "position", name="uq_communication_attachments_position"),
    )


def _checklists() -> None:
    op.create_table(
        "checklists",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("template", sa.String(60), nullable=False),
        sa.Column("source_key", sa.String(120), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_checklists_client_id_clients"),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name="fk_checklists_policy_id_policies"),
        sa.PrimaryKeyConstraint("id", name="pk_checklists"),
        sa.UniqueConstraint("source_key", name="uq_checklists_source_key"),
    )
    op.create_index("ix_checklists_client_id", "checklists", ["client_id"])
    op.create_table(
        "checklist_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("checklist_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("done_by", sa.String(200), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["checklist_id"], ["checklists.id"], name="fk_checklist_items_checklist_id_checklists"),
        sa.PrimaryKeyConstraint("id", name="pk_checklist_items"),
        sa.UniqueConstraint("checklist_id", "position", name="uq_checklist_items_position"),
    )


def _user_absences() -> None:
    op.create_table(
        "user_absences",
        sa.Column("user", sa.String(120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("backup", sa.String(120), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user", name="pk_user_absences"),
    )
    op.create_index("ix_user_absences_state_starts", "user_absences", ["state", "starts_on"])

"""Contacts and locations per client, the SIC code beside NAICS, delegating activities
(the delegate working it while the assignee stays accountable) and the kind of each
hand-over in the activity's history (reassign, delegate, undelegate, absence cover and
return).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from shared.kit.db import ExactDecimal, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _partial_unique(name: str, table: str, flag: str) -> None:
    """At most one row per client with ``flag`` set."""
    op.create_index(name, table, ["client_id"], unique=True,
                    sqlite_where=sa.text(flag), postgresql_where=sa.text(flag))


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("sic", sa.String(4), nullable=True))

    op.create_table(
        "contacts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(120), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("preferred_channel", sa.String(10), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_contacts_client_id_clients"),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
    )
    op.create_index("ix_contacts_client_name", "contacts", ["client_id", "name", "id"])
    _partial_unique("uq_contacts_client_primary", "contacts", "is_primary")

    op.create_table(
        "locations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("address_line1", sa.String(200), nullable=False),
        sa.Column("address_line2", sa.String(200), nullable=True),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("postal_code", sa.String(10), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("description", sa.String(300), nullable=True),
        sa.Column("occupancy", sa.String(200), nullable=True),
        sa.Column("values_currency", sa.String(3), nullable=False),
        sa.Column("building_value", ExactDecimal(14, 2), nullable=True),
        sa.Column("contents_value", ExactDecimal(14, 2), nullable=True),
        sa.Column("business_income_value", ExactDecimal(14, 2), nullable=True),
        sa.Column("employee_count", sa.Integer(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("is_mailing", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_locations_client_id_clients"),
        sa.PrimaryKeyConstraint("id", name="pk_locations"),
        sa.UniqueConstraint("client_id", "number", name="uq_locations_client_number"),
    )
    _partial_unique("uq_locations_client_primary", "locations", "is_primary")
    _partial_unique("uq_locations_client_mailing", "locations", "is_mailing")

    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("delegate", sa.String(120), nullable=True))
        batch.create_index("ix_activities_delegate_status_due", ["delegate", "status", "due_on", "id"])

    # Every hand-over recorded before kinds existed was a reassignment.
    with op.batch_alter_table("activity_reassignments") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=True))
    op.execute("UPDATE activity_reassignments SET kind = 'reassign'")
    with op.batch_alter_table("activity_reassignments") as batch:
        batch.alter_column("kind", existing_type=sa.String(20), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("activity_reassignments") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("activities") as batch:
        batch.drop_index("ix_activities_delegate_status_due")
        batch.drop_column("delegate")
    op.drop_table("locations")
    op.drop_table("contacts")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("sic")

"""the workspace: versions on goals and actions, harm flag reasons, changed dates,
guardian kinds, when a plan was published, consent exceptions with their legal basis

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:30:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PARTS = ("goals", "actions")


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "published_at",
                family_app.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    with op.batch_alter_table("plan_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("guardian_kind", sa.String(length=30), nullable=False, server_default="")
        )
    for table in _PARTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )
            batch_op.add_column(sa.Column("changed_on", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("harm_reason", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("harm_set_by_id", sa.Integer(), nullable=True))
            batch_op.add_column(
                sa.Column(
                    "harm_set_at",
                    family_app.models.base.UTCDateTime(timezone=True),
                    nullable=True,
                )
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_harm_set_by_id_people"),
                "people",
                ["harm_set_by_id"],
                ["id"],
            )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_changed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("consent_parties", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("exception_legal_ref", sa.String(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("exception_decided_by", sa.String(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_parties", schema=None) as batch_op:
        batch_op.drop_column("exception_decided_by")
        batch_op.drop_column("exception_legal_ref")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("status_changed_on")
    for table in _PARTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_harm_set_by_id_people"), type_="foreignkey"
            )
            batch_op.drop_column("harm_set_at")
            batch_op.drop_column("harm_set_by_id")
            batch_op.drop_column("harm_reason")
            batch_op.drop_column("changed_on")
            batch_op.drop_column("version")
    with op.batch_alter_table("plan_members", schema=None) as batch_op:
        batch_op.drop_column("guardian_kind")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("published_at")

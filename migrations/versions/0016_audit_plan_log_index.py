"""The family's access log groups a plan's staff events by unit and minute: an
index by plan holding every column it reads (issue 14)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 00:00:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_plan_log",
            ["plan_id", "actor_agency_id", "action", "object_type", "at"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_audit_events_plan_id"))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_plan_id"), ["plan_id"], unique=False)
        batch_op.drop_index("ix_audit_events_plan_log")

"""The family's access log reads a plan's audit events newest first, a page at a
time: index them by plan and time (issue 14)

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
        batch_op.create_index("ix_audit_events_plan_id_at", ["plan_id", "at", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_audit_events_plan_id"))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_plan_id"), ["plan_id"], unique=False)
        batch_op.drop_index("ix_audit_events_plan_id_at")

"""after the meeting: who took part, how the child's views were taken into account,
decisions with a text for the child and a version (no lost update)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("child_views_used", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("child_views_used_child", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("outcome_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attended", sa.Boolean(), nullable=True))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("child_what", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("child_what")
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_column("attended")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("outcome_version")
        batch_op.drop_column("child_views_used_child")
        batch_op.drop_column("child_views_used")

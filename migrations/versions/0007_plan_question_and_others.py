"""the plan's question for the meeting, and an explicit "no other actions"

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meeting_question", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("no_other_actions", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("no_other_actions")
        batch_op.drop_column("meeting_question")

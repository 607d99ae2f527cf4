"""a child under 13 gets e-mail only when a guardian with custody has said yes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 19:45:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_email_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=False),
        sa.Column("created_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["people.id"],
            name=op.f("fk_child_email_approvals_child_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["people.id"],
            name=op.f("fk_child_email_approvals_guardian_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_email_approvals")),
        sa.UniqueConstraint("child_id", "guardian_id", name="child_email_approval_once"),
    )


def downgrade() -> None:
    op.drop_table("child_email_approvals")

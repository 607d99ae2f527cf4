"""a family member asks for an interpreter at a meeting, in a language

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:20:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interpreter_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("created_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_interpreter_requests_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_interpreter_requests_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpreter_requests")),
        sa.UniqueConstraint("meeting_id", "person_id", name="interpreter_one_per_person"),
    )
    with op.batch_alter_table("interpreter_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interpreter_requests_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("interpreter_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interpreter_requests_meeting_id"))
    op.drop_table("interpreter_requests")

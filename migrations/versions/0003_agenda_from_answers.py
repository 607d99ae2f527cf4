"""agenda items taken from a view refer to the answer instead of copying its text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_agenda_items_answer_id"), ["answer_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_items_answer_id_statement_answers"),
            "statement_answers",
            ["answer_id"],
            ["id"],
            ondelete="CASCADE",
        )
    # Items copied from a view before this revision: point them at the answer they
    # were copied from (same meeting, same text) and drop the copy, so the writer's
    # current audience applies from now on.
    op.execute(
        """
        UPDATE agenda_items SET answer_id = (
            SELECT statement_answers.id FROM statement_answers
            JOIN statements ON statements.id = statement_answers.statement_id
            WHERE statements.meeting_id = agenda_items.meeting_id
              AND TRIM(statement_answers.text) = TRIM(agenda_items.text)
            ORDER BY statement_answers.id LIMIT 1
        )
        WHERE agenda_items.source IN ('child', 'guardian')
        """
    )
    op.execute("UPDATE agenda_items SET text = '' WHERE answer_id IS NOT NULL")


def downgrade() -> None:
    op.execute(
        """
        UPDATE agenda_items SET text = (
            SELECT statement_answers.text FROM statement_answers
            WHERE statement_answers.id = agenda_items.answer_id
        ), audience = (
            SELECT statement_answers.audience FROM statement_answers
            WHERE statement_answers.id = agenda_items.answer_id
        )
        WHERE answer_id IS NOT NULL
        """
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agenda_items_answer_id_statement_answers"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_agenda_items_answer_id"))
        batch_op.drop_column("answer_id")

"""server-side sessions, pending passkeys, reasons for re-invitations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_web_sessions()
    _accounts()


def _create_web_sessions() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("expiry", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_id", name=op.f("uq_web_sessions_session_id")),
    )


def _accounts() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
    # Invitation hashes are now keyed (HMAC): the old unkeyed hashes can never match
    # again, so open invitations are withdrawn honestly instead of failing oddly.
    op.execute(
        "UPDATE invitations SET withdrawn_at = CURRENT_TIMESTAMP "
        "WHERE used_at IS NULL AND withdrawn_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("pending_until")
    op.drop_table("web_sessions")

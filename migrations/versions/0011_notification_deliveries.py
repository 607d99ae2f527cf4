"""notifications leave the app: outbox of deliveries, settings per topic, e-mail address

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 16:50:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=100), nullable=False),
        sa.Column("next_attempt_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_deliveries_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deliveries_notification_id"), ["notification_id"], unique=False
        )
    op.create_table(
        "notification_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_notification_settings_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_settings")),
        sa.UniqueConstraint("person_id", "topic", "channel", name="notification_setting_once"),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_notification_id"))
        batch_op.drop_index("ix_deliveries_due")
    op.drop_table("deliveries")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("email")

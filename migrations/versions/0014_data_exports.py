"""My data: a person's requests for their own data (GDPR art. 15)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prepared_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "downloaded_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_data_exports_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_data_exports_token_hash")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_exports_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_data_exports_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_exports_expires_at"))
        batch_op.drop_index(batch_op.f("ix_data_exports_person_id"))
    op.drop_table("data_exports")

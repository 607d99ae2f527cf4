"""FHIR for agency systems: per-agency API tokens, stored hashed (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_api_tokens_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("fk_agency_api_tokens_created_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agency_api_tokens_token_hash")),
    )
    with op.batch_alter_table("agency_api_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_api_tokens_agency_id"), ["agency_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agency_api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_api_tokens_agency_id"))
    op.drop_table("agency_api_tokens")

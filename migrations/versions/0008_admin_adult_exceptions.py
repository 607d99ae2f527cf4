"""consent exceptions as records of their own (a guardian's revoke no longer erases
one), FB 6:13 a decisions and maturity overrides among them; existing exceptions
move over from consent_parties

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import family_app.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("legal_ref", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", family_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", family_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_exceptions_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_consent_exceptions_decided_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_consent_exceptions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_exceptions")),
    )
    with op.batch_alter_table("consent_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_exceptions_consent_id"), ["consent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_exceptions_person_id"), ["person_id"], unique=False
        )
    # Every exception recorded on a party becomes its own record, with its dates; a
    # revoked party's exception was no longer in force, so it is ended at that time.
    op.execute(
        """
        INSERT INTO consent_exceptions (consent_id, person_id, kind, legal_ref, reason,
            decided_by, decided_by_id, valid_from, valid_to, ended_at, created_at)
        SELECT consent_id, person_id, 'exception', COALESCE(exception_legal_ref, ''),
            exception_reason, COALESCE(exception_decided_by, ''), recorded_by_id,
            valid_from, valid_to, revoked_at, COALESCE(valid_from, CURRENT_TIMESTAMP)
        FROM consent_parties
        WHERE exception_reason IS NOT NULL AND exception_reason <> ''
        """
    )
    with op.batch_alter_table("consent_parties", schema=None) as batch_op:
        batch_op.drop_column("exception_decided_by")
        batch_op.drop_column("exception_legal_ref")
        batch_op.drop_column("exception_reason")


def downgrade() -> None:
    with op.batch_alter_table("consent_parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exception_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("exception_legal_ref", sa.String(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("exception_decided_by", sa.String(length=200), nullable=True)
        )
    # The newest exception of each party goes back onto its row (an exception
    # without a party row of its own is lost with the table).
    for column, source in (
        ("exception_reason", "reason"),
        ("exception_legal_ref", "legal_ref"),
        ("exception_decided_by", "decided_by"),
    ):
        op.execute(
            f"""
            UPDATE consent_parties SET {column} = (
                SELECT e.{source} FROM consent_exceptions e
                WHERE e.consent_id = consent_parties.consent_id
                  AND e.person_id = consent_parties.person_id
                ORDER BY e.id DESC LIMIT 1)
            """  # noqa: S608 - fixed column names
        )
    with op.batch_alter_table("consent_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_exceptions_person_id"))
        batch_op.drop_index(batch_op.f("ix_consent_exceptions_consent_id"))
    op.drop_table("consent_exceptions")

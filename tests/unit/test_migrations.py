"""The Alembic migrations and the models describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from family_app.extensions import db
from family_app.models import Base


def test_migrations_and_models_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migration_0008_moves_party_exceptions_to_their_own_records(tmp_path):
    """An exception stored on a consent party (before 0008) becomes a record of its
    own with its legal basis and dates; a revoked party's exception is ended."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text

    from family_app.cli import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = alembic_config()
    config.attributes["engine"] = engine
    before = ScriptDirectory.from_config(config).get_revision("0008").down_revision
    assert isinstance(before, str), "0008 has one parent"
    command.upgrade(config, before)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO consents (id, plan_id, agency_id, scope, purpose, created_at) "
                "VALUES (1, 1, 1, 'plan', 'coordination', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO consent_parties (consent_id, person_id, valid_from, valid_to, "
                "revoked_at, recorded_by_id, exception_reason, exception_legal_ref, "
                "exception_decided_by) VALUES "
                "(1, 7, '2026-01-01 00:00:00', '2027-01-01 00:00:00', NULL, 3, 'Skäl', "
                "'OSL 12 kap. 3 §', 'Socialnämnden'), "
                "(1, 8, NULL, NULL, '2026-06-01 00:00:00', 3, 'Annat skäl', NULL, NULL), "
                "(1, 9, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
            )
        )
    command.upgrade(config, "0008")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT person_id, kind, legal_ref, reason, decided_by, decided_by_id, "
                "valid_to IS NOT NULL, ended_at IS NOT NULL FROM consent_exceptions "
                "ORDER BY person_id"
            )
        ).all()
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(consent_parties)"))]
    assert [tuple(r) for r in rows] == [
        (7, "exception", "OSL 12 kap. 3 §", "Skäl", "Socialnämnden", 3, 1, 0),
        (8, "exception", "", "Annat skäl", "", 3, 0, 1),
    ]
    assert "exception_reason" not in columns
    command.downgrade(config, before)
    with engine.connect() as conn:
        back = conn.execute(
            text("SELECT person_id, exception_reason FROM consent_parties ORDER BY person_id")
        ).all()
    assert [tuple(r) for r in back] == [(7, "Skäl"), (8, "Annat skäl"), (9, None)]
    engine.dispose()


def test_migration_0010_makes_nobody_a_translator(tmp_path):
    """Staff who existed before 0010 are no translators until an admin says so."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from family_app.cli import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = alembic_config()
    config.attributes["engine"] = engine
    command.upgrade(config, "0009")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO people (id, display_name, preferred_language, protected_identity, "
                "is_admin, user_handle, session_version, created_at) VALUES "
                "(1, 'Maja', 'sv', 0, 0, X'01', 1, '2026-01-01 00:00:00')"
            )
        )
    command.upgrade(config, "0010")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT is_translator FROM people")).scalar_one() in (0, False)
    command.downgrade(config, "0009")

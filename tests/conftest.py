"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL in CI).

The schema is made by running the Alembic migrations once per session; before
and after each test every table is emptied, so tests never share data (not even
with a test that wrote outside these fixtures) and commits are real.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, delete, event, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from family_app import create_app
from family_app.config import normalise_database_url
from family_app.extensions import db
from family_app.models import Base, Person

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

# Property-based tests: HYPOTHESIS_PROFILE=ci in CI (bounded, derandomized, so a
# failure reproduces on the next run); "dev" otherwise. Tests that set their own
# max_examples keep it (each is bounded) and take everything else from the profile.
settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", settings.get_profile("default"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _test_database_url(tmp_dir: Path) -> str:
    return os.environ.get("FAMILY_APP_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the whole run."""
    from alembic import command

    from family_app.cli import alembic_config

    url = _test_database_url(tmp_path_factory.mktemp("db"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "TESTING": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        command.upgrade(alembic_config(), "head")
    db.engine.dispose()
    return url


def app_config(database_url: str, **extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        # Wake-ups after a commit go to an in-process queue nobody consumes; the
        # queue's own tests give it real SQLite storage (tests/functional/test_notify.py).
        "QUEUE_URL": "memory://",
    }
    config.update(extra)
    return config


def _empty_all_tables(url: str) -> None:
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    _empty_all_tables(database_url)
    app = create_app(app_config(database_url))
    yield app
    db.engine.dispose()
    _empty_all_tables(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session of the test's own, on the app's engine.

    It is deliberately not the request's session and holds no app context open:
    an open app context would be reused by every test request (and with it
    Flask-Login's cached user), which real requests never share.
    """
    assert db.session_factory is not None
    own = db.session_factory()
    yield own
    own.close()


def sign_in_as(client: FlaskClient, person: Person) -> None:
    """Put a signed-in session for ``person`` in the test client's cookie."""
    now = time.time()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(person.id)
        sess["_fresh"] = True
        sess["sv"] = person.session_version
        sess["since"] = now
        sess["seen"] = now


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """A CSRF token from a real page, as a browser would get it."""
    page = client.get(path, follow_redirects=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def statements_of(
    app: Flask, client: FlaskClient, path: str, status: int = 200, **kw: object
) -> tuple[list[str], TestResponse]:
    """The SQL statements one GET of ``path`` sends, and its response: the one way
    every query-count test counts (a statement is anything the driver executes)."""
    statements: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        response = client.get(path, **kw)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert response.status_code == status, (path, response.status_code)
    return statements, response


def count_queries(app: Flask, client: FlaskClient, path: str, status: int = 200) -> int:
    """How many SQL statements one GET of ``path`` costs."""
    return len(statements_of(app, client, path, status)[0])

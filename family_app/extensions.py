"""Extensions, created unbound and bound to the app in create_app()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, g
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


class Database:
    """A SQLAlchemy engine and one session per request (or CLI command).

    We keep this small instead of Flask-SQLAlchemy so the session lifetime, the
    SQLite pragmas and the test transaction wrapping are all visible here.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory: sessionmaker[Session] | None = None

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        # Never put SQL parameter values (a child's text) into exceptions or logs.
        kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = app.config.get("DATABASE_ENGINE") or create_engine(url, **kwargs)
        if url.startswith("sqlite") and not app.config.get("DATABASE_ENGINE"):
            _configure_sqlite(self.engine)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        app.extensions["family_db"] = self
        app.teardown_appcontext(self._teardown)

    @property
    def session(self) -> Session:
        """The session of the current app context; created on first use."""
        if "db_session" not in g:
            assert self.session_factory is not None, "Database.init_app was not called"
            g.db_session = self.session_factory()
        return g.db_session

    def _teardown(self, exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on error."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers and one writer work at once (several gunicorn workers);
        # foreign keys are off by default in SQLite and we rely on them.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

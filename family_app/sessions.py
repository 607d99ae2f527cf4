"""Server-side sessions through Flask-Session: the cookie holds only a random id.

Why: a signed cookie that carries the session itself cannot be taken back, so a
copy of it outlived "Logga ut". With the session kept on the server, signing out
deletes it there, and every worker and instance sees that on the next request.

Where: Redis when ``FAMILY_APP_REDIS_URL`` is set (production), otherwise the
app's own database, in the table ``web_sessions`` that Alembic creates
(migration 0004). Flask-Session's SQL backend needs a Flask-SQLAlchemy instance;
we give it one of its own, used for that table only, with parameters hidden
from logs like the app's engine. The library also creates its table when it is
missing (``checkfirst``); on a migrated database that is a no-op, and migration
0004 adopts a table the library made before the migration ran.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, session
from flask_session import Session

SESSION_TABLE = "web_sessions"
# Expired rows of the SQL store are deleted on average once every this many requests.
CLEANUP_EVERY_N_REQUESTS = 500


def _sql_store(app: Flask) -> Any:
    """A Flask-SQLAlchemy instance for the session table only (a fresh one per app,
    since the library defines its table model on it)."""
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import MetaData
    from sqlalchemy.pool import NullPool

    from .models.base import NAMING

    url = app.config["DATABASE_URL"]
    options: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    else:
        options["pool_pre_ping"] = True
        options["pool_size"] = 2
        options["max_overflow"] = 4
    if app.testing:
        # Tests build hundreds of apps; do not leave a pool of connections behind each.
        options.pop("pool_size", None)
        options.pop("max_overflow", None)
        options["poolclass"] = NullPool
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", url)
    # Our naming convention: should the library create its table on a database that
    # has not been migrated yet, it is the very table migration 0004 describes.
    store = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), engine_options=options)
    store.init_app(app)
    return store


def init_app(app: Flask) -> None:
    """Choose the store (Redis or the database) and bind Flask-Session."""
    app.config.setdefault("SESSION_PERMANENT", True)
    app.config.setdefault("SESSION_KEY_PREFIX", "family:session:")
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        import redis

        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = redis.Redis.from_url(redis_url)
    else:
        app.config["SESSION_TYPE"] = "sqlalchemy"
        app.config["SESSION_SQLALCHEMY"] = _sql_store(app)
        app.config["SESSION_SQLALCHEMY_TABLE"] = SESSION_TABLE
        app.config.setdefault("SESSION_CLEANUP_N_REQUESTS", CLEANUP_EVERY_N_REQUESTS)
    Session(app)


def new_session_id(app: Flask) -> None:
    """Give the current session a new id and delete the old one from the store, so
    a copied cookie of the old id opens nothing (sign-in and sign-out)."""
    regenerate = getattr(app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)

"""Server-side sessions through Flask-Session: the cookie holds only a random id.

Why: a signed cookie that carries the session itself cannot be taken back, so a
copy of it outlived "Logga ut". With the session kept on the server, signing out
deletes it there, and every worker and instance sees that on the next request.

Where: Redis when ``FAMILY_APP_REDIS_URL`` is set (production), otherwise the
app's own database, in the table ``web_sessions`` that Alembic creates
(migration 0004). For the database we use Flask-Session's CacheLib backend with
a small cachelib cache over that table (:class:`DatabaseCache`), on the app's own
engine: Flask-Session's SQLAlchemy backend would need a second engine through
Flask-SQLAlchemy and creates its table itself when the app starts (so the app
could not even start, or say "database unreachable", without a database).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from cachelib import BaseCache
from flask import Flask, session
from flask_session import Session
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .models.auth import web_sessions


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class DatabaseCache(BaseCache):
    """A cachelib cache over the ``web_sessions`` table, for Flask-Session.

    Values are MessagePack (never pickle: a row changed in the database must not
    become code). Each call is its own short transaction on the app's engine, apart
    from the request's ORM session.
    """

    def __init__(self, default_timeout: int = 3600) -> None:
        super().__init__(default_timeout=default_timeout)

    @property
    def _engine(self) -> Any:
        from .extensions import db

        return db.engine

    def _expiry(self, timeout: int | timedelta | None) -> datetime:
        seconds = self._normalize_timeout(timeout) or 365 * 24 * 3600
        return _naive_utc(datetime.now(UTC)) + timedelta(seconds=seconds)

    def get(self, key: str) -> Any:
        now = _naive_utc(datetime.now(UTC))
        with self._engine.connect() as connection:
            data = connection.scalar(
                select(web_sessions.c.data).where(
                    web_sessions.c.session_id == key, web_sessions.c.expiry > now
                )
            )
        if data is None:
            return None
        try:
            return msgspec.msgpack.decode(data)
        except msgspec.DecodeError:
            return None

    def set(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        data = msgspec.msgpack.encode(value)
        expiry = self._expiry(timeout)
        values = {"data": data, "expiry": expiry}
        with self._engine.begin() as connection:
            updated = connection.execute(
                update(web_sessions).where(web_sessions.c.session_id == key).values(**values)
            )
            if updated.rowcount == 0:
                try:
                    with connection.begin_nested():
                        connection.execute(insert(web_sessions).values(session_id=key, **values))
                except IntegrityError:  # the same session saved by a parallel request
                    connection.execute(
                        update(web_sessions)
                        .where(web_sessions.c.session_id == key)
                        .values(**values)
                    )
        return True

    def purge_expired(self) -> int:
        """Delete rows past their expiry. ``get`` never returns them anyway; this
        only keeps the table small. Run from the daily job (``family-app
        reminders``), not on requests, so a request costs the same every time."""
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(web_sessions).where(web_sessions.c.expiry <= _naive_utc(datetime.now(UTC)))
            )
        return result.rowcount or 0

    def add(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        if self.has(key):
            return False
        return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self._engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.session_id == key))
        return True

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def clear(self) -> bool:
        with self._engine.begin() as connection:
            connection.execute(delete(web_sessions))
        return True


def init_app(app: Flask) -> None:
    """Choose the store (Redis or the database) and bind Flask-Session."""
    app.config.setdefault("SESSION_PERMANENT", True)
    # Write the cookie and the store only when the session changed (a signed-in
    # request always does: it notes when it was last seen). Refreshing on every
    # request let a slow anonymous request that started before sign-in answer after
    # it, setting the old session's cookie again: the person seemed signed out.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config.setdefault("SESSION_KEY_PREFIX", "family:session:")
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        import redis

        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = redis.Redis.from_url(redis_url)
    else:
        app.config["SESSION_TYPE"] = "cachelib"
        app.config["SESSION_CACHELIB"] = DatabaseCache()
    Session(app)


def new_session_id(app: Flask, keep_old: bool = False) -> None:
    """Give the current session a new id, so a cookie copied before opens nothing.

    ``keep_old`` (sign-in): the old, anonymous session stays in the store until it
    expires. A request the browser sent with the old cookie just before (the service
    worker fetching its offline page) would otherwise find nothing, start a new
    session and set its cookie over the signed-in one. At sign-out the old session
    is deleted (and its sign-in marked ended, see :func:`end_sign_in`)."""
    if not hasattr(session, "sid"):
        return
    if keep_old:
        session.sid = secrets.token_urlsafe(32)  # ServerSideSession.sid: the store key
        session.modified = True
        return
    app.session_interface.regenerate(session)  # type: ignore[attr-defined]


# --- ended sign-ins: a request in flight at sign-out cannot bring its session back -----


def _ended_key(app: Flask, sign_in_id: str) -> str:
    return f"{app.config['SESSION_KEY_PREFIX']}ended:{sign_in_id}"


def end_sign_in(app: Flask, sign_in_id: str) -> None:
    """Remember, for as long as a session can live, that this sign-in has ended."""
    seconds = int(app.permanent_session_lifetime.total_seconds())
    key = _ended_key(app, sign_in_id)
    if app.config["SESSION_TYPE"] == "redis":
        app.config["SESSION_REDIS"].set(key, b"1", ex=seconds)
    else:
        app.config["SESSION_CACHELIB"].set(key, 1, timeout=seconds)


def sign_in_ended(app: Flask, sign_in_id: str) -> bool:
    key = _ended_key(app, sign_in_id)
    if app.config["SESSION_TYPE"] == "redis":
        return bool(app.config["SESSION_REDIS"].exists(key))
    return app.config["SESSION_CACHELIB"].has(key)

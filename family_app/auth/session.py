"""Flask-Login wiring with a server-side session version and timeouts.

Sessions live in signed cookies; the person's ``session_version`` in the
database lets "sign out everywhere" end every one of them at once.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, session
from flask_login import UserMixin, current_user, login_user, logout_user

from ..extensions import db, login_manager
from ..models import Person


class SignedInPerson(UserMixin):
    """Flask-Login's view of a Person; attribute reads go to the Person."""

    def __init__(self, person: Person) -> None:
        self.person = person

    def get_id(self) -> str:
        return str(self.person.id)

    def __getattr__(self, name: str):  # noqa: ANN204 - proxy
        return getattr(self.person, name)


def current_person() -> Person | None:
    """The signed-in Person (not Flask-Login's wrapper), or None."""
    if current_user and current_user.is_authenticated:
        return current_user.person
    return None


def _load_person(user_id: str) -> SignedInPerson | None:
    try:
        person = db.session.get(Person, int(user_id))
    except (TypeError, ValueError):
        return None
    if person is None or session.get("sv") != person.session_version:
        return None
    now = time.time()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    if now - session.get("seen", 0) > idle or now - session.get("since", 0) > absolute:
        session.pop("_user_id", None)
        session["expired"] = True
        # Remembered only so text typed after the timeout can wait for this same
        # person (views/routes.py); it grants nothing by itself.
        session["expired_user"] = person.id
        return None
    session["seen"] = now
    return SignedInPerson(person)


def sign_in(person: Person) -> None:
    """Start a fresh session: the old cookie's contents are dropped (rotation).

    Kept: the language, and text saved while this same person's session had run out.
    """
    lang = session.get("lang")
    pending = session.get("pending_draft") if session.get("expired_user") == person.id else None
    session.clear()
    if lang:
        session["lang"] = lang
    if pending:
        session["pending_draft"] = pending
    now = time.time()
    session["sv"] = person.session_version
    session["since"] = now
    session["seen"] = now
    session.permanent = True
    login_user(SignedInPerson(person))


def sign_out() -> None:
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_person)
    login_manager.session_protection = None  # the session version does this job

"""Flask-Login wiring with server-side sessions, a session version and timeouts.

Sessions live on the server (family_app/sessions.py); the cookie holds only a
random id that changes at sign-in and sign-out. The person's ``session_version``
lets "sign out everywhere" (and an agency admin) end every session at once; a
session made with a passkey ends when that passkey is removed.
"""

from __future__ import annotations

import base64
import functools
import secrets
import time
from typing import Any

from flask import Flask, current_app, g, session
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import Date, Integer, bindparam, select

from ..extensions import db, login_manager
from ..models import Credential, Person


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


# "Last seen" is written to the session store at most this often: the idle
# timeout (minutes) stays exact to within this, and a page that changed nothing
# else writes nothing (one UPDATE less on most requests).
SEEN_EVERY_SECONDS = 60


@functools.cache
def _person_and_unread() -> Any:
    """The person and the header's unread count in one statement, built once per
    process with bound parameters (building it was a tenth of a small request)."""
    from ..notifications import unread_count_query

    person_id = bindparam("person_id", type_=Integer)
    born_by = bindparam("born_by", type_=Date)
    return select(Person, unread_count_query(person_id, born_by)).where(Person.id == person_id)


def _load_person(user_id: str) -> SignedInPerson | None:
    from ..access import adult_born_by, age_rules, stockholm_today

    try:
        person_id = int(user_id)
    except (TypeError, ValueError):
        return None
    born_by = adult_born_by(stockholm_today(), age_rules())
    row = db.session.execute(
        _person_and_unread(), {"person_id": person_id, "born_by": born_by}
    ).first()
    person = row[0] if row else None
    if person is None or session.get("sv") != person.session_version:
        return None
    if session.get("lid") and _sessions().sign_in_ended(current_app, session["lid"]):
        return None  # signed out; this is a request that was in flight, or a copy
    credential = _session_credential(person)
    if credential is False:
        return None  # the passkey this session was made with has been removed
    g.session_credential = credential
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
    if now - session.get("seen", 0) >= SEEN_EVERY_SECONDS:
        session["seen"] = now
    g.unread_notifications = row[1]
    return SignedInPerson(person)


def _credential_key(credential_id: bytes) -> str:
    return base64.urlsafe_b64encode(credential_id).decode()


def _session_credential(person: Person) -> Credential | None | bool:
    """The passkey this session was made with; False when it no longer exists;
    None for a session made without one (the development sign-in)."""
    key = session.get("cred")
    if not key:
        return None
    try:
        raw = base64.urlsafe_b64decode(key)
    except (TypeError, ValueError):
        return False
    credential = db.session.scalar(select(Credential).where(Credential.credential_id == raw))
    if credential is None or credential.person_id != person.id:
        return False
    return credential


def session_credential() -> Credential | None:
    """The passkey the current session was made with, if any (loaded with the user)."""
    _ = current_user.is_authenticated  # make sure the user (and it) are loaded
    return g.get("session_credential")


def proof_age_seconds() -> float:
    """Seconds since this session last proved itself with a passkey."""
    return time.time() - float(session.get("proof", session.get("since", 0)))


def record_fresh_proof() -> None:
    """The person has just used their passkey again in this session."""
    session["proof"] = time.time()


def sign_in(person: Person, credential: Credential | None = None) -> None:
    """Start a fresh session under a new id; the old one is deleted from the store,
    so a cookie copied before sign-in opens nothing (session fixation).

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
    session["proof"] = now
    if credential is not None:
        session["cred"] = _credential_key(credential.credential_id)
    session["lid"] = secrets.token_urlsafe(16)  # this sign-in, to end it for sure
    session.permanent = True
    _sessions().new_session_id(current_app, keep_old=True)
    # What this request learnt about whoever was signed in before is not theirs.
    g.pop("unread_notifications", None)
    login_user(SignedInPerson(person))


def sign_out() -> None:
    """End this session on the server: its stored data is deleted, so a copy of
    the cookie opens nothing either."""
    sign_in_id = session.get("lid")
    if sign_in_id:
        _sessions().end_sign_in(current_app, sign_in_id)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
        _sessions().new_session_id(current_app)


def _sessions():  # noqa: ANN202 - the module, imported late (it imports the models)
    from .. import sessions

    return sessions


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_person)
    login_manager.session_protection = None  # the session version does this job

"""One-time invitations: a link token and a short code, both stored as keyed hashes.

The code has 60 bits (twelve characters of a 32-letter alphabet) and both it and
the token are hashed with HMAC under ``FAMILY_APP_INVITATION_KEY``, which is kept
out of the database: a copy of the database alone cannot be used to find a code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Invitation, Person, utcnow
from ..tokens import new_token

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type
CODE_LENGTH = 12  # 12 x 5 bits = 60 bits
# The key of the app created last, for code run outside an app context (tests, scripts).
_fallback_key: str | None = None


def init_app(app: Flask) -> None:
    """Remember the key for code that runs outside an app context."""
    global _fallback_key
    _fallback_key = app.config["INVITATION_KEY"]


def _key() -> bytes:
    key = current_app.config["INVITATION_KEY"] if has_app_context() else _fallback_key
    if not key:
        raise RuntimeError("No invitation key: create the app first.")
    return str(key).encode()


def _hash(secret: str) -> str:
    """HMAC-SHA256 of a token or code under the server-side invitation key."""
    return hmac.new(_key(), secret.encode(), hashlib.sha256).hexdigest()


def rate_key(secret: str) -> str:
    """A key for rate limits per invitation that does not reveal the secret."""
    return _hash("limit:" + normalise_code(secret))[:32]


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # only in memory, shown once
    code: str  # "ABCD-EFGH-JKLM", shown once


def issue_invitation(
    session: Session,
    person: Person,
    created_by: Person | None,
    days: int,
    plan_id: int | None = None,
    now: datetime | None = None,
    reason: str | None = None,
) -> IssuedInvitation:
    """Withdraw the person's open invitations and issue a new one. ``reason`` says
    why an account that already has passkeys is invited again."""
    now = now or utcnow()
    withdraw_open_invitations(session, person, now)
    token = new_token()
    raw_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    invitation = Invitation(
        person_id=person.id,
        plan_id=plan_id,
        token_hash=_hash(token),
        code_hash=_hash(raw_code),
        expires_at=now + timedelta(days=days),
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        reason=reason,
    )
    session.add(invitation)
    session.flush()
    return IssuedInvitation(invitation, token, format_code(raw_code))


def withdraw_open_invitations(
    session: Session, person: Person, now: datetime | None = None
) -> None:
    session.execute(
        update(Invitation)
        .where(
            Invitation.person_id == person.id,
            Invitation.used_at.is_(None),
            Invitation.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now or utcnow())
    )


def find_by_token(session: Session, token: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))


def find_by_code(session: Session, code: str) -> Invitation | None:
    """The newest invitation with this code (only a usable one will be accepted
    by the caller)."""
    return session.scalar(
        select(Invitation)
        .where(Invitation.code_hash == _hash(normalise_code(code)))
        .order_by(Invitation.id.desc())
    )


def mark_used(session: Session, invitation: Invitation, now: datetime | None = None) -> bool:
    """Use an invitation once. The conditional UPDATE makes a double tap or two
    devices racing with one link end with exactly one winner."""
    now = now or utcnow()
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


def shown_once(issued: IssuedInvitation, person: Person, back_url: str, back_text: str) -> str:
    """The one page that shows an invitation: link, typable code and a QR code to
    print. Only the hash is stored, so this is the only time it can be shown."""
    import segno
    from flask import render_template

    from ..links import external_url

    link = external_url("auth.invitation", token=issued.token)
    return render_template(
        "auth/invitation_shown.html",
        person=person,
        link=link,
        code=issued.code,
        qr_svg=segno.make(link, error="m").svg_data_uri(scale=6, border=2),
        expires_at=issued.invitation.expires_at,
        back_url=back_url,
        back_text=back_text,
    )

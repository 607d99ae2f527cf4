"""One-time invitations: a link token and a short code, both stored hashed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Invitation, Person, utcnow
from ..tokens import hash_token as _hash
from ..tokens import new_token

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # only in memory, shown once
    code: str  # "ABCD-EFGH", shown once


def issue_invitation(
    session: Session,
    person: Person,
    created_by: Person | None,
    days: int,
    plan_id: int | None = None,
    now: datetime | None = None,
) -> IssuedInvitation:
    """Withdraw the person's open invitations and issue a new one."""
    now = now or utcnow()
    withdraw_open_invitations(session, person, now)
    token = new_token()
    raw_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    invitation = Invitation(
        person_id=person.id,
        plan_id=plan_id,
        token_hash=_hash(token),
        code_hash=_hash(raw_code),
        expires_at=now + timedelta(days=days),
        created_by_id=created_by.id if created_by else None,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    return IssuedInvitation(invitation, token, f"{raw_code[:4]}-{raw_code[4:]}")


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
    """The newest invitation with this code (codes are short, so they may repeat
    over time; only a usable one will be accepted by the caller)."""
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

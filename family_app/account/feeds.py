"""A person's private calendar feed: one live address at a time, revocable."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import CalendarFeed, Person, utcnow
from ..tokens import hash_token, new_token


def active_feed(session: Session, person: Person) -> CalendarFeed | None:
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.person_id == person.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def revoke_feeds(session: Session, person: Person) -> None:
    session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.person_id == person.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def new_feed(session: Session, person: Person) -> str:
    """Revoke the old address and make a new one; the token is returned once."""
    revoke_feeds(session, person)
    token = new_token()
    session.add(CalendarFeed(person_id=person.id, token_hash=hash_token(token)))
    session.flush()
    return token

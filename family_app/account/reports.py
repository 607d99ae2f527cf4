"""Whom to alert when a person says a new passkey on their account was not theirs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Invitation, Person


def admins_to_alert(session: Session, person: Person) -> list[Person]:
    """The admins of the agency whose staff made the person's latest invitation
    (re-invitations come from a coordinator); the person's own agency otherwise."""
    invitation = session.scalar(
        select(Invitation)
        .where(Invitation.person_id == person.id, Invitation.used_at.is_not(None))
        .order_by(Invitation.used_at.desc())
        .limit(1)
    )
    agency_id = None
    if invitation is not None and invitation.created_by is not None:
        agency_id = invitation.created_by.agency_id
    agency_id = agency_id or person.agency_id
    if agency_id is None:
        return []
    return list(
        session.scalars(
            select(Person).where(Person.agency_id == agency_id, Person.is_admin.is_(True))
        )
    )

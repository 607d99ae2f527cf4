"""The agency admin's writes: staff added to the admin's own agency, and their
invitations. No Flask request here; the route commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import AuditAction, record
from ..auth.invitations import IssuedInvitation, issue_invitation, withdraw_open_invitations
from ..models import AgencyApiToken, Credential, Invitation, Person, utcnow
from ..tokens import hash_token, new_token


@dataclass(frozen=True)
class NewStaff:
    display_name: str
    title: str
    phone: str
    is_admin: bool


def add_staff(session: Session, admin: Person, values: NewStaff) -> Person:
    """A professional of the admin's own agency: a person who can be added to plans
    from the directory and invited by this admin (decision 5)."""
    person = Person(
        display_name=values.display_name,
        title=values.title or None,
        phone=values.phone or None,
        agency_id=admin.agency_id,
        is_admin=values.is_admin,
    )
    session.add(person)
    session.flush()
    detail = "staff_added_admin" if values.is_admin else "staff_added"
    record(session, AuditAction.WRITE, admin, object_type="person", object_id=person.id,
           detail=detail)  # fmt: skip
    return person


def set_translator(session: Session, admin: Person, staff: Person, on: bool) -> None:
    """The admin decides who of their staff translates; the change is audited."""
    staff.is_translator = on
    record(session, AuditAction.WRITE, admin, object_type="person", object_id=staff.id,
           detail="translator_on" if on else "translator_off")  # fmt: skip


def has_passkeys(session: Session, person: Person) -> bool:
    return (
        session.scalar(select(Credential.id).where(Credential.person_id == person.id).limit(1))
        is not None
    )


def invite_staff(
    session: Session, admin: Person, staff: Person, days: int, reason: str | None
) -> IssuedInvitation:
    """A one-time invitation for a colleague. For an account that already has
    passkeys the caller has a reason: the new passkey will be pending (issue 10)
    and the reason is listed on the admin page."""
    issued = issue_invitation(session, staff, admin, days, reason=reason or None)
    record(session, AuditAction.INVITE, admin, object_type="person", object_id=staff.id,
           detail="reinvite" if reason else "")  # fmt: skip
    return issued


def withdraw_staff_invitation(session: Session, admin: Person, staff: Person) -> None:
    withdraw_open_invitations(session, staff)
    record(session, AuditAction.INVITE, admin, object_type="person", object_id=staff.id,
           detail="withdrawn")  # fmt: skip


def staff_overview(
    session: Session, admin: Person
) -> tuple[list[Person], set[int], dict[int, Invitation]]:
    """The admin's agency's staff, who of them has passkeys, and their open invitations."""
    staff = list(
        session.scalars(
            select(Person).where(Person.agency_id == admin.agency_id).order_by(Person.display_name)
        )
    )
    ids = [p.id for p in staff]
    with_passkeys = set(
        session.scalars(select(Credential.person_id).where(Credential.person_id.in_(ids)))
    )
    open_invites = {
        i.person_id: i
        for i in session.scalars(
            select(Invitation).where(
                Invitation.person_id.in_(ids),
                Invitation.used_at.is_(None),
                Invitation.withdrawn_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        )
    }
    return staff, with_passkeys, open_invites


def create_api_token(
    session: Session, admin: Person, name: str, days: int
) -> tuple[str, AgencyApiToken]:
    """A new API token for the admin's own agency's system: the token itself is
    returned once, to be shown once; only its hash is stored (issue 15)."""
    token = new_token()
    row = AgencyApiToken(
        agency_id=admin.agency_id,
        name=name,
        token_hash=hash_token(token),
        created_by_id=admin.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    record(session, AuditAction.WRITE, admin, object_type="api_token", object_id=row.id,
           detail=f"api_token_created_{days}d")  # fmt: skip
    return token, row


def revoke_api_token(session: Session, admin: Person, row: AgencyApiToken) -> None:
    """Revoked at once: the next request with it is refused (401). Twice is once."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(session, AuditAction.WRITE, admin, object_type="api_token", object_id=row.id,
               detail="api_token_revoked")  # fmt: skip


def api_tokens(session: Session, admin: Person) -> list[AgencyApiToken]:
    """The admin's agency's API tokens, newest first (revoked and expired too)."""
    return list(
        session.scalars(
            select(AgencyApiToken)
            .where(AgencyApiToken.agency_id == admin.agency_id)
            .order_by(AgencyApiToken.created_at.desc(), AgencyApiToken.id.desc())
        )
    )

"""Who can see the plan this moment, and why; and who has looked (rule 9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import PlanAccess, consent_state
from ..models import Agency, AuditEvent, Consent, ConsentParty, MemberRole, Person, utcnow
from ..plans.services import plan_agencies


@dataclass(frozen=True)
class Seer:
    name: str
    reason: str  # child | guardian | relative | coordinator | consent | no_consent
    agency: Agency | None = None
    since: datetime | None = None
    missing: tuple[Person, ...] = ()


def who_can_see(session: Session, access: PlanAccess) -> list[Seer]:
    plan = access.plan
    now = utcnow()
    rows = [Seer(plan.child.display_name, "child")]
    for member in plan.members:
        if member.role == MemberRole.GUARDIAN:
            rows.append(Seer(member.person.display_name, "guardian"))
        elif member.role == MemberRole.RELATIVE:
            rows.append(Seer(member.person.display_name, "relative"))
    if plan.coordinator:
        rows.append(Seer(plan.coordinator.display_name, "coordinator", plan.coordinator.agency))
    people = {p.id: p for p in [plan.child] + [m.person for m in plan.members]}
    for agency in plan_agencies(plan, access):
        state = consent_state(session, plan, agency.id, now)
        staff = [
            m.person
            for m in plan.members
            if m.role == MemberRole.PROFESSIONAL and m.person.agency_id == agency.id
        ]
        if state.effective:
            since = session.scalar(
                select(ConsentParty.given_at)
                .join(Consent, Consent.id == ConsentParty.consent_id)
                .where(Consent.plan_id == plan.id, Consent.agency_id == agency.id)
                .order_by(ConsentParty.given_at.desc())
            )
            for person in staff or [None]:
                rows.append(Seer(person.display_name if person else "", "consent", agency, since))
        else:
            missing = tuple(people[pid] for pid in state.missing if pid in people)
            rows.append(Seer("", "no_consent", agency, missing=missing))
    return rows


@dataclass(frozen=True)
class Look:
    at: datetime
    who: str  # an agency name, or a role code for the family
    is_agency: bool


def who_looked(session: Session, access: PlanAccess, limit: int = 30) -> list[Look]:
    """The latest reads of this plan by others: which unit, and when."""
    plan = access.plan
    events = session.execute(
        select(AuditEvent.at, AuditEvent.actor_id, Agency.name)
        .outerjoin(Agency, Agency.id == AuditEvent.actor_agency_id)
        .where(
            AuditEvent.plan_id == plan.id,
            AuditEvent.action.in_(("read", "export")),
            AuditEvent.actor_id != access.person.id,
        )
        .order_by(AuditEvent.at.desc())
        .limit(limit)
    ).all()
    shown_agencies = {a.name for a in plan_agencies(plan, access)}
    roles = {plan.child_id: "child"}
    roles.update({m.person_id: m.role for m in plan.members if m.role != MemberRole.PROFESSIONAL})
    looks = []
    for at, actor_id, agency_name in events:
        if agency_name:
            if agency_name not in shown_agencies and access.is_guardian_side:
                continue  # an agency the reader may not know of (rule 6)
            looks.append(Look(at, agency_name, True))
        else:
            looks.append(Look(at, roles.get(actor_id, "professional"), False))
    return looks

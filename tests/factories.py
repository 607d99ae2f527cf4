"""Test data builders: small, explicit, one call per family."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from family_app.models import (
    Action,
    ActionStatus,
    Agency,
    AgencyKind,
    Consent,
    ConsentMethod,
    ConsentParty,
    Goal,
    Meeting,
    MeetingStatus,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    PrincipalKind,
)

_counter = {"n": 0}


def unique(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix} {_counter['n']}"


def birth_date_for_age(age: int, today: date | None = None) -> date:
    today = today or date.today()
    return date(today.year - age, 1, 1) if (today.month, today.day) >= (1, 1) else today


def make_agency(
    session: Session, kind: str = AgencyKind.BUP, principal: str = PrincipalKind.REGION
) -> Agency:
    agency = Agency(
        name=unique("Verksamhet"), kind=kind, principal=principal, phone="010-100 00 00"
    )
    session.add(agency)
    session.flush()
    return agency


def make_person(session: Session, name: str | None = None, **fields: object) -> Person:
    person = Person(display_name=name or unique("Person"), **fields)
    session.add(person)
    session.flush()
    return person


@dataclass
class Family:
    plan: Plan
    child: Person
    guardians: list[Person]
    coordinator: Person
    professional: Person
    coordinator_agency: Agency
    professional_agency: Agency
    goal: Goal
    action: Action
    meeting: Meeting
    extra: dict[str, object] = field(default_factory=dict)


def give_consent(
    session: Session, plan: Plan, agency: Agency, parties: list[Person], now: datetime | None = None
) -> Consent:
    now = now or datetime.now(UTC)
    consent = Consent(plan_id=plan.id, agency_id=agency.id)
    session.add(consent)
    session.flush()
    for person in parties:
        session.add(
            ConsentParty(
                consent_id=consent.id,
                person_id=person.id,
                given_at=now - timedelta(days=1),
                valid_from=now - timedelta(days=1),
                valid_to=now + timedelta(days=365),
                method=ConsentMethod.WRITTEN,
            )
        )
    session.flush()
    return consent


def make_family(
    session: Session,
    child_age: int = 10,
    guardians: int = 2,
    consent: bool = True,
    status: str = PlanStatus.ACTIVE,
    child_name: str | None = None,
    coordinator_consent: bool = True,
) -> Family:
    """A plan with a child, guardians with custody, a coordinator and one
    professional. The professional's agency has consent unless ``consent=False``;
    the coordinator's agency unless ``coordinator_consent=False``."""
    coordinator_agency = make_agency(
        session, AgencyKind.SOCIAL_SERVICES, PrincipalKind.MUNICIPALITY
    )
    professional_agency = make_agency(session, AgencyKind.BUP, PrincipalKind.REGION)
    child = make_person(
        session, child_name or unique("Barn"), birth_date=birth_date_for_age(child_age)
    )
    parents = [make_person(session, unique("Förälder")) for _ in range(guardians)]
    coordinator = make_person(session, unique("Samordnare"), agency_id=coordinator_agency.id)
    professional = make_person(session, unique("Behandlare"), agency_id=professional_agency.id)
    plan = Plan(
        child_id=child.id,
        status=status,
        responsible_agency_id=coordinator_agency.id,
        coordinator_id=coordinator.id,
        follow_up_date=date.today() + timedelta(days=30),
        background="Bakgrund",
    )
    session.add(plan)
    session.flush()
    for parent in parents:
        session.add(
            PlanMember(
                plan_id=plan.id, person_id=parent.id, role=MemberRole.GUARDIAN, has_custody=True
            )
        )
    session.add(
        PlanMember(plan_id=plan.id, person_id=professional.id, role=MemberRole.PROFESSIONAL)
    )
    goal = Goal(plan_id=plan.id, text="Jag vill sova bättre.", position=1)
    session.add(goal)
    session.flush()
    action = Action(
        plan_id=plan.id,
        goal_id=goal.id,
        title="Samtal",
        description="Samtal varje vecka.",
        responsible_agency_id=professional_agency.id,
        contact_person_id=professional.id,
        status=ActionStatus.PLANNED,
        planned_start=date.today() + timedelta(days=3),
    )
    session.add(action)
    now = datetime.now(UTC)
    meeting = Meeting(
        plan_id=plan.id,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=1),
        place="Storgatan 1",
        status=MeetingStatus.PLANNED,
    )
    session.add(meeting)
    session.flush()
    parties = list(parents) + ([child] if child_age >= 15 else [])
    if consent:
        give_consent(session, plan, professional_agency, parties)
    if coordinator_consent:
        give_consent(session, plan, coordinator_agency, parties)
    session.commit()
    return Family(
        plan=plan,
        child=child,
        guardians=parents,
        coordinator=coordinator,
        professional=professional,
        coordinator_agency=coordinator_agency,
        professional_agency=professional_agency,
        goal=goal,
        action=action,
        meeting=meeting,
    )

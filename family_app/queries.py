"""Loading shared by the access guard and the pages, so a plan is read once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import Action, Person, Plan, PlanMember


def plan_load_options() -> list:
    """Eager loads for a plan's people, goals and actions: the number of queries
    does not grow with the size of the plan, nor with the number of plans."""
    return [
        selectinload(Plan.child),
        selectinload(Plan.coordinator).selectinload(Person.agency),
        selectinload(Plan.responsible_agency),
        selectinload(Plan.members).selectinload(PlanMember.person).selectinload(Person.agency),
        selectinload(Plan.goals),
        selectinload(Plan.actions).selectinload(Action.responsible_agency),
        selectinload(Plan.actions).selectinload(Action.contact_person).selectinload(Person.agency),
    ]


def load_plan(session: Session, plan_id: int) -> Plan | None:
    """The plan with its people, goals and actions loaded eagerly."""
    return session.scalar(select(Plan).where(Plan.id == plan_id).options(*plan_load_options()))


def insert_once(session: Session, model: type, **values: object) -> None:
    """INSERT unless the unique row exists already: two racing requests make one row."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())

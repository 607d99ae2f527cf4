"""Loading shared by the access guard and the pages, so a plan is read once."""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from .models import Action, Person, Plan, PlanMember


@functools.cache
def plan_load_options() -> tuple:
    """Eager loads for a plan's people, goals and actions: the number of queries
    does not grow with the size of the plan, nor with the number of plans.

    Whatever is one-to-one (a child, a coordinator, an action's agency) is joined
    into the statement that loads its owner; each list (members, goals, actions)
    costs one statement of its own, but the members, who are joined to the plan
    (one list joined is no cross product): three in all. Built once per process:
    loader options are immutable, and building them was a slice of every page."""
    return (
        joinedload(Plan.child),
        joinedload(Plan.coordinator).joinedload(Person.agency),
        joinedload(Plan.responsible_agency),
        joinedload(Plan.members).joinedload(PlanMember.person).joinedload(Person.agency),
        selectinload(Plan.goals),
        selectinload(Plan.actions).options(
            joinedload(Action.responsible_agency),
            joinedload(Action.contact_person).joinedload(Person.agency),
        ),
    )


def load_plan(session: Session, plan_id: int) -> Plan | None:
    """The plan with its people, goals and actions loaded eagerly."""
    return (
        session.scalars(select(Plan).where(Plan.id == plan_id).options(*plan_load_options()))
        .unique()
        .first()
    )


def insert_once(session: Session, model: type, **values: object) -> None:
    """INSERT unless the unique row exists already: two racing requests make one row."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())

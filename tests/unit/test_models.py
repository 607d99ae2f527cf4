"""Model invariants that hold in the database itself."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from family_app.models import Action, ActionStatus, Agency, Person, Plan, PlanMember
from family_app.models.base import UTCDateTime
from tests.factories import make_family, make_person


def test_a_plan_cannot_exist_without_its_child(session):
    session.add(Plan(status="draft"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_a_plan_has_exactly_one_child_by_construction(session):
    family = make_family(session)
    assert family.plan.child_id == family.child.id
    # The child is not a PlanMember, so no second child can be added as one.
    roles = session.scalars(select(PlanMember.role).where(PlanMember.plan_id == family.plan.id))
    assert "child" not in set(roles)


def test_a_person_is_in_a_plan_once(session):
    family = make_family(session)
    session.add(
        PlanMember(plan_id=family.plan.id, person_id=family.guardians[0].id, role="relative")
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_late_action_is_planned_with_a_passed_start(session):
    family = make_family(session)
    action: Action = family.action
    today = date.today()
    action.planned_start = today - timedelta(days=1)
    assert action.is_late(today)
    action.status = ActionStatus.STARTED
    assert not action.is_late(today)


def test_overall_responsibility_only_for_region_or_municipality():
    assert Agency(name="a", principal="region").may_hold_overall_responsibility
    assert Agency(name="b", principal="municipality").may_hold_overall_responsibility
    assert not Agency(name="c", principal="state").may_hold_overall_responsibility
    assert not Agency(name="d", principal="private").may_hold_overall_responsibility


def test_follow_up_overdue_is_flagged():
    plan = Plan(follow_up_date=date(2026, 1, 1))
    assert plan.follow_up_overdue(date(2026, 1, 2))
    assert not plan.follow_up_overdue(date(2026, 1, 1))


def test_age_counts_whole_years():
    person = Person(display_name="x", birth_date=date(2013, 12, 1))
    assert person.age_on(date(2026, 11, 30)) == 12
    assert person.age_on(date(2026, 12, 1)) == 13


def test_times_come_back_as_aware_utc(session):
    person = make_person(session)
    session.commit()
    session.expire_all()
    again = session.get(Person, person.id)
    assert again.created_at.tzinfo is not None
    assert again.created_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]
    aware = datetime(2026, 1, 1, tzinfo=UTC)
    assert UTCDateTime().process_result_value(aware, None) == aware  # type: ignore[arg-type]


def test_plan_version_increments_on_update(session):
    family = make_family(session)
    before = family.plan.version
    family.plan.background = "Ny bakgrund"
    session.commit()
    assert family.plan.version == before + 1

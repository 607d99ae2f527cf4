"""My plans: the plans a staff member works on, with what needs them first, in a
fixed number of SQL statements however many plans there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from family_app.models import (
    Action,
    AuditEvent,
    ConsentParty,
    Goal,
    Meeting,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    Statement,
    StatementAnswer,
)
from tests.conftest import sign_in_as, statements_of
from tests.factories import birth_date_for_age, make_family, make_person

NOW = datetime.now(UTC)


def _workspace(app, client) -> tuple[int, str]:
    statements, response = statements_of(app, client, "/workspace/")
    return len(statements), response.get_data(as_text=True)


def _more_plans(session, family, n: int) -> None:
    """``n`` more plans for the same coordinator, each with a guardian, a goal, a
    late action, a meeting this week and an unanswered wish, added in one go."""
    children = [
        Person(display_name=f"Barn {i:03}", birth_date=birth_date_for_age(9)) for i in range(n)
    ]
    guardians = [Person(display_name=f"Förälder {i:03}") for i in range(n)]
    session.add_all(children + guardians)
    session.flush()
    plans = [
        Plan(
            child_id=c.id,
            coordinator_id=family.coordinator.id,
            responsible_agency_id=family.coordinator_agency.id,
            status=PlanStatus.DRAFT,
            follow_up_date=(NOW - timedelta(days=1)).date(),
        )
        for c in children
    ]
    session.add_all(plans)
    session.flush()
    meetings = []
    for plan, guardian in zip(plans, guardians, strict=True):
        session.add(
            PlanMember(
                plan_id=plan.id, person_id=guardian.id, role=MemberRole.GUARDIAN, has_custody=True
            )
        )
        session.add(Goal(plan_id=plan.id, text="Mål"))
        session.add(
            Action(
                plan_id=plan.id,
                title="Sen",
                responsible_agency_id=family.professional_agency.id,
                planned_start=(NOW - timedelta(days=3)).date(),
            )
        )
        meetings.append(
            Meeting(
                plan_id=plan.id,
                starts_at=NOW + timedelta(days=2),
                ends_at=NOW + timedelta(days=2, hours=1),
            )
        )
    session.add_all(meetings)
    session.flush()
    statements = [
        Statement(meeting_id=m.id, author_id=g.id, status="submitted", submitted_at=NOW)
        for m, g in zip(meetings, guardians, strict=True)
    ]
    session.add_all(statements)
    session.flush()
    session.add_all(
        StatementAnswer(statement_id=s.id, prompt="want_help", text="Hjälp") for s in statements
    )
    session.commit()


def test_my_plans_costs_the_same_with_one_plan_and_with_two_hundred(app, client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    client.get("/workspace/")  # warm up: the first request loads what every request shares
    one, _ = _workspace(app, client)
    _more_plans(session, family, 199)
    many, page = _workspace(app, client)
    assert page.count('class="card"') == 200
    assert many == one


def test_my_plans_shows_what_needs_the_team_first(client, session):
    family = make_family(session)
    quiet = make_family(session, child_name="Öyvind Lugn")
    quiet_plan = session.get(Plan, quiet.plan.id)
    quiet_plan.coordinator_id = family.coordinator.id
    quiet_plan.status = PlanStatus.DRAFT  # a draft is the coordinator's without consent
    quiet_meeting = session.get(Meeting, quiet.meeting.id)
    quiet_meeting.starts_at = NOW + timedelta(days=20)
    quiet_meeting.ends_at = NOW + timedelta(days=20, hours=1)
    session.get(Action, quiet.action.id).planned_start = None
    plan = session.get(Plan, family.plan.id)
    plan.follow_up_date = (NOW - timedelta(days=2)).date()
    session.get(Action, family.action.id).planned_start = (NOW - timedelta(days=4)).date()
    ending = select(ConsentParty).join(ConsentParty.consent).filter_by(plan_id=family.plan.id)
    for party in session.scalars(ending):
        party.valid_to = NOW + timedelta(days=10)
    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=family.child.id,
        status="submitted",
        submitted_at=NOW,
    )
    session.add(statement)
    session.flush()
    session.add(StatementAnswer(statement_id=statement.id, prompt="want_help", text="Mer tid"))
    session.add(StatementAnswer(statement_id=statement.id, prompt="going_well", text="Skolan"))
    session.commit()
    sign_in_as(client, family.coordinator)
    page = client.get("/workspace/").get_data(as_text=True)
    assert "Uppföljningen skulle ha varit" in page
    assert "Försenad insats: <bdi>Samtal" in page
    assert f"Samtycket för <bdi>{family.professional_agency.name}</bdi> slutar gälla" in page
    assert "Möte " in page
    assert "1 önskemål väntar på svar." in page
    # The plan that needs something comes first; the quiet one says so.
    assert page.index(family.child.display_name) < page.index("Öyvind Lugn")
    assert "Inget brådskande just nu." in page
    reads = session.scalars(select(AuditEvent.plan_id).where(AuditEvent.object_type == "my_plans"))
    assert sorted(reads) == sorted([family.plan.id, quiet.plan.id])


def test_my_plans_leaves_out_plans_without_consent_and_is_for_staff_only(client, session):
    family = make_family(session, consent=False)
    sign_in_as(client, family.professional)
    page = client.get("/workspace/").get_data(as_text=True)
    assert family.child.display_name not in page
    guardian = make_person(session)
    session.commit()
    sign_in_as(client, guardian)
    assert client.get("/workspace/").status_code == 404

"""The translator role (issue 12): marked by their agency's admin, added to a plan
by its coordinator, and then the plan's translation view alone, while their
agency has the family's consent (rule 2). Checked at the data, no mocks."""

from __future__ import annotations

from sqlalchemy import select

from family_app.models import (
    AgencyKind,
    AuditEvent,
    ContentTranslation,
    MemberRole,
    PlanMember,
    PrincipalKind,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import give_consent, make_agency, make_family, make_person


def _post(client, path: str, data: dict, page: str = "/workspace/"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _translator(session, family, agency=None, marked=True):
    agency = agency or family.professional_agency
    person = make_person(session, "Tolk Ali", agency_id=agency.id, is_translator=marked)
    session.add(PlanMember(plan_id=family.plan.id, person_id=person.id, role="translator"))
    session.commit()
    return person


def test_the_admin_marks_a_translator_and_the_coordinator_adds_them(app, client, session):
    family = make_family(session)
    admin = make_person(session, "Admin", agency_id=family.professional_agency.id, is_admin=True)
    colleague = make_person(session, "Tolk Ali", agency_id=family.professional_agency.id)
    session.commit()

    coordinator = app.test_client()
    sign_in_as(coordinator, family.coordinator)
    add = f"/workspace/plans/{family.plan.id}/members/new"
    form = {"kind": "translator", "professional_id": str(colleague.id)}
    refused = _post(coordinator, add, form, add)
    assert refused.status_code == 400  # not (yet) a translator
    assert "Den personen är inte översättare." in refused.get_data(as_text=True)

    sign_in_as(client, admin)
    toggle = f"/admin/people/{colleague.id}/translator"
    assert _post(client, toggle, {"translator": "1"}, "/admin/").status_code == 303
    # A second tap (or an old page) asks for the same state: nothing flips back.
    assert _post(client, toggle, {"translator": "1"}, "/admin/").status_code == 303
    session.expire_all()
    assert colleague.is_translator
    assert (
        session.scalar(select(AuditEvent.detail).where(AuditEvent.object_type == "person"))
        == "translator_on"
    )

    assert _post(coordinator, add, form, add).status_code == 303
    member = session.scalar(select(PlanMember).where(PlanMember.person_id == colleague.id))
    assert member.role == MemberRole.TRANSLATOR

    # Unmarked by the admin, the access ends at the next request.
    translator = app.test_client()
    sign_in_as(translator, colleague)
    path = f"/workspace/plans/{family.plan.id}/translations"
    assert translator.get(path).status_code == 200
    assert _post(client, toggle, {"translator": "0"}, "/admin/").status_code == 303
    assert translator.get(path).status_code == 404


def test_a_translator_translates_and_opens_nothing_else_of_the_plan(app, client, session):
    family = make_family(session)
    person = _translator(session, family)
    sign_in_as(client, person)
    plan_id = family.plan.id

    listed = client.get("/workspace/").get_data(as_text=True)
    assert f"/workspace/plans/{plan_id}/translations" in listed
    assert f'href="/workspace/plans/{plan_id}"' not in listed

    overview = client.get(f"/workspace/plans/{plan_id}/translations")
    assert overview.status_code == 200
    assert f'href="/workspace/plans/{plan_id}"' not in overview.get_data(as_text=True)
    page = f"/workspace/plans/{plan_id}/translations/ar"
    assert client.get(page).status_code == 200
    key = f"t_goal_{family.goal.id}_text"
    saved = _post(client, page, {"translator": "Tolk Ali", key: "هدف"}, page)
    assert saved.status_code == 303
    row = session.scalar(select(ContentTranslation))
    assert (row.object_type, row.text) == ("goal", "هدف")

    # Every read is audited as any staff read, with the translator's agency.
    reads = session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == person.id, AuditEvent.action == "read")
    ).all()
    assert {e.object_type for e in reads} >= {"translations"}
    assert all(e.actor_agency_id == family.professional_agency.id for e in reads)

    for path in (
        f"/plans/{plan_id}",
        f"/plans/{plan_id}/people",
        f"/plans/{plan_id}/consent",
        f"/meetings/{family.meeting.id}",
        f"/workspace/plans/{plan_id}",
        f"/workspace/plans/{plan_id}/people",
        f"/workspace/plans/{plan_id}/goals/{family.goal.id}",
    ):
        assert client.get(path).status_code == 404, path


def test_a_translator_s_agency_needs_the_family_s_consent(app, client, session):
    """Rule 2 for the translator: an interpreting agency outside the plan has no
    consent until the family gives it, and the family sees it among the agencies."""
    family = make_family(session)
    agency = make_agency(session, AgencyKind.OTHER, PrincipalKind.PRIVATE)
    person = _translator(session, family, agency)
    sign_in_as(client, person)
    path = f"/workspace/plans/{family.plan.id}/translations"
    assert client.get(path).status_code == 404
    refused = session.scalar(
        select(AuditEvent.detail).where(
            AuditEvent.actor_id == person.id, AuditEvent.action == "refused"
        )
    )
    assert refused == "no_consent"

    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    consent_page = guardian.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert agency.name in consent_page

    give_consent(session, family.plan, agency, [*family.guardians, family.child])
    session.commit()
    assert client.get(path).status_code == 200


def test_the_family_sees_the_translator_as_translator_not_as_family(app, client, session):
    family = make_family(session)
    person = _translator(session, family)
    sign_in_as(client, family.guardians[0])
    people = client.get(f"/plans/{family.plan.id}/people").get_data(as_text=True)
    assert person.display_name in people and "Översättare" in people
    coordinator = app.test_client()
    sign_in_as(coordinator, family.coordinator)
    staff_page = coordinator.get(f"/workspace/plans/{family.plan.id}/people").get_data(as_text=True)
    # Not among the family whom the coordinator invites.
    assert f"/people/{person.id}/invitation" not in staff_page


def test_a_translator_never_sees_an_agenda_point_meant_for_the_coordinator(app, client, session):
    """Rule 5: a point the team meant for the coordinator alone never reaches the
    family, so it is not translated, and a translator (staff, not coordinator) does
    not read it; a point for everyone is offered."""
    from family_app.models import AgendaItem

    family = make_family(session)
    person = _translator(session, family)
    session.add_all(
        [
            AgendaItem(
                meeting_id=family.meeting.id, text="MARK-FOR-COORDINATOR", audience="coordinator"
            ),
            AgendaItem(meeting_id=family.meeting.id, text="MARK-FOR-EVERYONE", audience="everyone"),
        ]
    )
    session.commit()
    sign_in_as(client, person)
    page = client.get(f"/workspace/plans/{family.plan.id}/translations/ar").get_data(as_text=True)
    assert "MARK-FOR-EVERYONE" in page
    assert "MARK-FOR-COORDINATOR" not in page


def test_the_service_refuses_a_translator_the_admin_never_marked(app, session):
    """The rule holds at the data, not only on the form: add_member refuses."""
    import pytest

    from family_app.access import plan_access
    from family_app.workspace import services

    family = make_family(session)
    colleague = make_person(session, "Inte Tolk", agency_id=family.professional_agency.id)
    session.commit()
    access = plan_access(session, family.coordinator, family.plan)
    with app.app_context(), pytest.raises(ValueError):
        services.add_member(session, access, "translator", professional=colleague)
    session.rollback()
    assert session.scalar(select(PlanMember).where(PlanMember.person_id == colleague.id)) is None

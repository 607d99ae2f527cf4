"""Small gaps in the workspace (issue 11): the question for the meeting, others'
actions that may be explicitly "none", guardians' protected identity on the
new-plan form, and editing a family member's details.

Requests run with CSRF on against the real database; what was saved is checked
at the data, and what the family sees on its own plan page.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from family_app.models import (
    Action,
    AgencyKind,
    AuditEvent,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    PrincipalKind,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import birth_date_for_age, make_agency, make_family, make_person

TODAY = date.today()


def _post(client, path: str, data: dict, page: str = "/workspace/"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _details(family, **changes: str) -> dict:
    form = {
        "version": str(family.plan.version),
        "background": "Bakgrund",
        "meeting_question": "",
        "follow_up_date": (TODAY + timedelta(days=20)).isoformat(),
        "responsible_agency_id": str(family.coordinator_agency.id),
    }
    form.update(changes)
    return form


def _family_page(client, family, who) -> str:
    reader = client.application.test_client()
    sign_in_as(reader, who)
    response = reader.get(f"/plans/{family.plan.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the question for the meeting ---


def test_the_question_for_the_meeting_is_saved_and_shown_to_the_family(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    question = "Hur kan Vera orka hela skoldagen?"
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/details",
        _details(family, meeting_question=question),
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Plan, family.plan.id).meeting_question == question
    assert question in _family_page(client, family, family.guardians[0])
    assert question in _family_page(client, family, family.child)
    # The workspace shows it too, and the form opens with it filled in.
    assert question in client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    form = client.get(f"/workspace/plans/{family.plan.id}/details").get_data(as_text=True)
    assert question in form


def test_no_question_no_heading_on_the_family_page(client, session):
    family = make_family(session)
    page = _family_page(client, family, family.guardians[0])
    assert "Frågan till mötet" not in page


def test_a_question_with_markup_is_refused_and_kept(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/details",
        _details(family, meeting_question="Hur <script>x</script>?", background="Ny text"),
    )
    assert response.status_code == 400
    assert "Ny text" in response.get_data(as_text=True)
    session.expire_all()
    plan = session.get(Plan, family.plan.id)
    assert plan.meeting_question == "" and plan.background == "Bakgrund"


# --- others' actions, explicitly none ---


def test_explicit_no_other_actions_shows_inga_andra_insatser(client, session):
    family = make_family(session)
    before = _family_page(client, family, family.guardians[0])
    assert "Inga andra insatser" not in before  # not said yet: nothing is claimed
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/details",
        _details(family, no_other_actions="y"),
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Plan, family.plan.id).no_other_actions is True
    assert "Inga andra insatser" in _family_page(client, family, family.guardians[0])
    workspace = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert "Inga andra insatser" in workspace
    # Unticked again: no longer claimed.
    plan = session.get(Plan, family.plan.id)
    _post(
        client,
        f"/workspace/plans/{family.plan.id}/details",
        _details(family, version=str(plan.version)),
    )
    session.expire_all()
    assert session.get(Plan, family.plan.id).no_other_actions is False


def test_none_cannot_be_ticked_while_someone_else_has_an_action(client, session):
    """An action by an agency outside the region and the municipality (here the
    state's Försäkringskassan) is an "other's action": "none" would contradict it."""
    family = make_family(session)
    state = make_agency(session, AgencyKind.OTHER, PrincipalKind.STATE)
    session.add(
        Action(
            plan_id=family.plan.id,
            title="Aktivitetsersättning utreds",
            responsible_agency_id=state.id,
        )
    )
    session.commit()
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/details",
        _details(family, no_other_actions="y", background="Ändrad bakgrund"),
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Aktivitetsersättning utreds" in body and "Ändrad bakgrund" in body
    session.expire_all()
    plan = session.get(Plan, family.plan.id)
    assert plan.no_other_actions is False and plan.background == "Bakgrund"
    workspace = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert "Aktivitetsersättning utreds" in workspace


def test_publishing_does_not_ask_about_others_actions(client, session):
    """DESIGN rule 1 lists what publishing needs; others' actions are not in it,
    so they are shown, never a reason to refuse publishing."""
    from family_app.workspace.services import publish_problems

    family = make_family(session, status=PlanStatus.DRAFT)
    action = session.get(Action, family.action.id)
    action.child_description = "Du får hjälp."
    session.commit()
    plan = session.get(Plan, family.plan.id)
    assert plan.no_other_actions is False
    with client.application.app_context():
        assert publish_problems(plan, TODAY) == []


# --- protected identity for guardians on the new-plan form ---


def test_new_plan_marks_each_guardians_protected_identity_on_its_own(client, session):
    agency = make_agency(session, "social_services", PrincipalKind.MUNICIPALITY)
    staff = make_person(session, "Leila Samordnare", agency_id=agency.id)
    session.commit()
    sign_in_as(client, staff)
    form = {
        "child_name": "Vera Lind",
        "child_birth_date": birth_date_for_age(10).isoformat(),
        "child_language": "sv",
        "guardian_1_name": "Sara Lind",
        "guardian_1_kind": "parent",
        "guardian_1_protected": "y",
        "guardian_2_name": "Olle Lind",
        "guardian_2_kind": "parent",
        "responsible_agency_id": str(agency.id),
    }
    page = client.get("/workspace/plans/new").get_data(as_text=True)
    assert 'name="guardian_1_protected"' in page and 'name="guardian_2_protected"' in page
    assert _post(client, "/workspace/plans/new", form).status_code == 303
    people = {
        p.display_name: p.protected_identity
        for p in session.scalars(select(Person).where(Person.display_name.like("% Lind")))
    }
    assert people == {"Vera Lind": False, "Sara Lind": True, "Olle Lind": False}


# --- editing a family member ---


def _member(session, plan_id: int, person_id: int) -> PlanMember:
    session.expire_all()
    return session.scalar(
        select(PlanMember).where(PlanMember.plan_id == plan_id, PlanMember.person_id == person_id)
    )


def test_coordinator_corrects_a_guardians_name_kind_and_protected_identity(client, session):
    family = make_family(session)
    guardian = family.guardians[1]
    member = _member(session, family.plan.id, guardian.id)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/members/{member.id}"
    workspace = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert path in workspace
    people = client.get(f"/workspace/plans/{family.plan.id}/people").get_data(as_text=True)
    assert path in people
    opened = client.get(path)
    assert opened.status_code == 200 and guardian.display_name in opened.get_data(as_text=True)
    response = _post(
        client,
        path,
        {"name": "Olle Andersson", "guardian_kind": "parent_without_custody", "protected": "y"},
    )
    assert response.status_code == 303
    member = _member(session, family.plan.id, guardian.id)
    assert member.person.display_name == "Olle Andersson"
    assert member.person.protected_identity is True
    assert (member.guardian_kind, member.has_custody) == ("parent_without_custody", False)
    audit = session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "plan_member", AuditEvent.object_id == member.id
        )
    )
    assert audit.actor_id == family.coordinator.id and audit.detail == "custody"
    # Custody back: consent counts again from this guardian.
    _post(client, path, {"name": "Olle Andersson", "guardian_kind": "appointed"})
    member = _member(session, family.plan.id, guardian.id)
    assert member.has_custody is True and member.person.protected_identity is False


def test_member_edit_refuses_an_empty_name_and_keeps_what_was_typed(client, session):
    family = make_family(session)
    guardian = family.guardians[0]
    member = _member(session, family.plan.id, guardian.id)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/members/{member.id}",
        {"name": "", "guardian_kind": "god_man", "protected": "y"},
    )
    assert response.status_code == 400
    assert "Fyll i namnet." in response.get_data(as_text=True)
    member = _member(session, family.plan.id, guardian.id)
    assert member.person.display_name == guardian.display_name
    assert member.guardian_kind != "god_man" and not member.person.protected_identity


def test_a_relative_has_no_guardian_kind_and_staff_are_not_edited_here(client, session):
    family = make_family(session)
    relative = make_person(session, "Moster Maria")
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    session.commit()
    sign_in_as(client, family.coordinator)
    member = _member(session, family.plan.id, relative.id)
    page = client.get(f"/workspace/plans/{family.plan.id}/members/{member.id}")
    assert page.status_code == 200
    assert 'name="guardian_kind"' not in page.get_data(as_text=True)
    professional = _member(session, family.plan.id, family.professional.id)
    assert (
        client.get(f"/workspace/plans/{family.plan.id}/members/{professional.id}").status_code
        == 404
    )
    # A member of another plan is not found through this plan.
    other = make_family(session)
    elsewhere = _member(session, other.plan.id, other.guardians[0].id)
    assert (
        client.get(f"/workspace/plans/{family.plan.id}/members/{elsewhere.id}").status_code == 404
    )


def test_a_guardian_or_relative_added_later_can_have_protected_identity(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/members/new"
    added = _post(
        client,
        path,
        {"kind": "relative", "name": "Farmor Aina", "guardian_kind": "parent", "protected": "y"},
    )
    plain = _post(
        client, path, {"kind": "relative", "name": "Morfar Bo", "guardian_kind": "parent"}
    )
    assert (added.status_code, plain.status_code) == (303, 303)
    session.expire_all()
    people = {
        p.display_name: p.protected_identity
        for p in session.scalars(
            select(Person).where(Person.display_name.in_(["Farmor Aina", "Morfar Bo"]))
        )
    }
    assert people == {"Farmor Aina": True, "Morfar Bo": False}

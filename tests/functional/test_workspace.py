"""The team's workspace: a plan is created, written and published in the app.

Every request here runs with CSRF on, against the real database; every write is
checked at the data (what was saved, what was not, the audit, the notices).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from family_app.access import plan_access
from family_app.models import (
    Action,
    AuditEvent,
    Goal,
    Invitation,
    MemberRole,
    Notification,
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


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _new_plan_form(agency_id: int, **changes: str) -> dict:
    form = {
        "child_name": "Vera Lind",
        "child_birth_date": birth_date_for_age(10).isoformat(),
        "child_language": "sv",
        "guardian_1_name": "Sara Lind",
        "guardian_1_kind": "parent",
        "guardian_2_name": "Olle Lind",
        "guardian_2_kind": "parent",
        "responsible_agency_id": str(agency_id),
    }
    form.update(changes)
    return form


@pytest.fixture
def staff(session):
    """A coordinator-to-be at the social services (a municipality)."""
    agency = make_agency(session, "social_services", PrincipalKind.MUNICIPALITY)
    person = make_person(session, "Leila Samordnare", agency_id=agency.id)
    session.commit()
    return person


# --- a new plan ---


def test_staff_creates_a_draft_plan_that_the_family_does_not_see(client, session, staff):
    sign_in_as(client, staff)
    response = _post(client, "/workspace/plans/new", _new_plan_form(staff.agency_id))
    assert response.status_code == 303
    plan = session.scalar(select(Plan))
    assert plan.status == PlanStatus.DRAFT
    assert plan.coordinator_id == staff.id
    assert plan.child.display_name == "Vera Lind"
    guardians = [m for m in plan.members if m.role == MemberRole.GUARDIAN]
    assert sorted(m.person.display_name for m in guardians) == ["Olle Lind", "Sara Lind"]
    assert all(m.has_custody for m in guardians)
    assert plan_access(session, guardians[0].person, plan) is None
    assert plan_access(session, plan.child, plan) is None
    assert _count(session, AuditEvent, AuditEvent.plan_id == plan.id, AuditEvent.action == "write")


def test_appointed_guardian_and_god_man_hold_custody_a_parent_without_custody_does_not(
    client, session, staff
):
    sign_in_as(client, staff)
    form = _new_plan_form(
        staff.agency_id, guardian_1_kind="god_man", guardian_2_kind="parent_without_custody"
    )
    assert _post(client, "/workspace/plans/new", form).status_code == 303
    members = {m.person.display_name: m for m in session.scalar(select(Plan)).members}
    assert members["Sara Lind"].has_custody and members["Sara Lind"].guardian_kind == "god_man"
    assert not members["Olle Lind"].has_custody


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"child_name": ""}, "Fyll i barnets namn."),
        ({"child_birth_date": "31/02/2020"}, "Skriv datumet som år-månad-dag"),
        ({"child_birth_date": (TODAY + timedelta(days=3)).isoformat()}, "i framtiden"),
        ({"child_birth_date": birth_date_for_age(19).isoformat()}, "under 18 år"),
        ({"child_name": "<script>alert(1)</script>"}, "Skriv utan kod"),
        ({"child_name": "Vera\x00\x1b"}, "tecken som inte går att visa"),
        ({"child_name": "V" * 1_000_000}, "högst 120 tecken"),
        ({"child_language": "xx"}, "Välj ett av alternativen"),
        ({"responsible_agency_id": "abc"}, "Välj ett av alternativen"),
    ],
)
def test_bad_input_answers_400_with_the_text_kept_and_nothing_saved(
    client, session, staff, changes, message
):
    sign_in_as(client, staff)
    response = _post(client, "/workspace/plans/new", _new_plan_form(staff.agency_id, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert 'class="error-summary"' in body
    assert "Sara Lind" in body  # what was typed in the other fields stays
    if "child_name" in changes and len(changes["child_name"]) < 100:
        from markupsafe import escape

        assert str(escape(changes["child_name"])) in body
    assert _count(session, Plan) == 0
    assert _count(session, Person, Person.display_name == "Sara Lind") == 0


def test_overall_responsibility_only_for_region_or_municipality(client, session, staff):
    school = make_agency(session, "school_health", PrincipalKind.PRIVATE)
    session.commit()
    sign_in_as(client, staff)
    response = _post(
        client,
        "/workspace/plans/new",
        _new_plan_form(staff.agency_id, responsible_agency_id=str(school.id)),
    )
    assert response.status_code == 400
    assert _count(session, Plan) == 0


def test_adding_a_professional_is_membership_only_never_an_invitation(client, session):
    family = make_family(session, status=PlanStatus.DRAFT)
    colleague = make_person(session, "Kim Kurator", agency_id=make_agency(session).id)
    session.commit()
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/members/new"
    response = _post(client, path, {"kind": "professional", "professional_id": str(colleague.id)})
    assert response.status_code == 303
    assert _count(
        session, PlanMember, PlanMember.person_id == colleague.id, PlanMember.role == "professional"
    )
    assert _count(session, Invitation) == 0


def test_member_form_refuses_someone_already_in_a_plan_or_a_missing_name(client, session):
    family = make_family(session, status=PlanStatus.DRAFT)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/members/new"
    taken = _post(
        client, path, {"kind": "professional", "professional_id": str(family.professional.id)}
    )
    nameless = _post(client, path, {"kind": "relative", "name": ""})
    assert (taken.status_code, nameless.status_code) == (400, 400)
    assert "Fyll i namnet." in nameless.get_data(as_text=True)
    assert _count(session, PlanMember, PlanMember.plan_id == family.plan.id) == 3


# --- writing: details, goals, actions ---


def _action_form(family, **changes: str) -> dict:
    form = {
        "version": str(family.action.version),
        "title": "Samtal på BUP",
        "description": "Samtal varje tisdag (KBT).",
        "child_description": "Du träffar Maja varje tisdag.",
        "family_part": "",
        "goal_id": str(family.goal.id),
        "responsible_agency_id": str(family.professional_agency.id),
        "contact_person_id": str(family.professional.id),
        "planned_start": (TODAY + timedelta(days=1)).isoformat(),
        "planned_end": (TODAY + timedelta(days=60)).isoformat(),
    }
    form.update(changes)
    return form


def test_follow_up_in_the_past_is_refused_and_nothing_changes(client, session):
    family = make_family(session, status=PlanStatus.DRAFT)
    sign_in_as(client, family.coordinator)
    before = family.plan.follow_up_date
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/details",
        {
            "version": str(family.plan.version),
            "background": "Ny bakgrund",
            "follow_up_date": (TODAY - timedelta(days=1)).isoformat(),
            "responsible_agency_id": str(family.coordinator_agency.id),
        },
    )
    assert response.status_code == 400
    assert "Ny bakgrund" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Plan, family.plan.id).follow_up_date == before
    assert session.get(Plan, family.plan.id).background == "Bakgrund"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planned_end": (TODAY - timedelta(days=5)).isoformat()}, "före startdatumet"),
        ({"title": ""}, "Fyll i vad hjälpen heter."),
        ({"description": "x" * 6000}, "högst 5000 tecken"),
    ],
)
def test_action_with_bad_input_keeps_the_text_and_saves_nothing(client, session, changes, message):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/actions/{family.action.id}"
    response = _post(client, path, _action_form(family, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Du träffar Maja varje tisdag." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Action, family.action.id).title == "Samtal"


def test_a_person_or_goal_from_another_plan_is_not_a_choice(client, session):
    family = make_family(session)
    other = make_family(session)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/actions/{family.action.id}"
    stranger = _post(
        client, path, _action_form(family, contact_person_id=str(other.professional.id))
    )
    foreign_goal = _post(client, path, _action_form(family, goal_id=str(other.goal.id)))
    assert (stranger.status_code, foreign_goal.status_code) == (400, 400)
    session.expire_all()
    assert session.get(Action, family.action.id).contact_person_id == family.professional.id


def test_coordinator_writes_an_action_with_all_its_parts(client, session):
    family = make_family(session, status=PlanStatus.DRAFT)
    sign_in_as(client, family.coordinator)
    response = _post(client, f"/workspace/plans/{family.plan.id}/actions/new", _action_form(family))
    assert response.status_code == 303
    action = session.scalar(select(Action).where(Action.title == "Samtal på BUP"))
    assert action.child_description == "Du träffar Maja varje tisdag."
    assert action.goal_id == family.goal.id
    assert action.planned_end == TODAY + timedelta(days=60)
    assert _count(
        session, AuditEvent, AuditEvent.object_type == "action", AuditEvent.object_id == action.id
    )


def test_professional_edits_only_their_own_agencys_actions(client, session):
    family = make_family(session)
    theirs = Action(
        plan_id=family.plan.id,
        title="Föräldrastöd",
        responsible_agency_id=family.coordinator_agency.id,
    )
    session.add(theirs)
    session.commit()
    sign_in_as(client, family.professional)
    base = f"/workspace/plans/{family.plan.id}/actions"
    assert client.get(f"{base}/{family.action.id}").status_code == 200
    assert client.get(f"{base}/{theirs.id}").status_code == 404
    # Nor can they make another agency responsible for a new action.
    response = _post(
        client,
        f"{base}/new",
        _action_form(family, responsible_agency_id=str(family.coordinator_agency.id)),
        page=f"{base}/new",
    )
    assert response.status_code == 400
    assert _count(session, Action, Action.plan_id == family.plan.id) == 2


def test_status_change_is_saved_with_its_date(client, session):
    family = make_family(session)
    sign_in_as(client, family.professional)
    path = f"/workspace/plans/{family.plan.id}/actions/{family.action.id}/status"
    yesterday = TODAY - timedelta(days=1)
    bad = _post(
        client, path, {"status-version": str(family.action.version), "status-status": "started"}
    )
    assert bad.status_code == 400
    good = _post(
        client,
        path,
        {
            "status-version": str(family.action.version),
            "status-status": "started",
            "status-on": yesterday.isoformat(),
        },
    )
    assert good.status_code == 303
    session.expire_all()
    action = session.get(Action, family.action.id)
    assert (action.status, action.status_changed_on) == ("started", yesterday)


# --- publishing (rule 1) ---


def _bare_draft(session, child_age: int = 10):
    """A draft with a child, a guardian and a coordinator, and nothing else."""
    agency = make_agency(session, "social_services", PrincipalKind.MUNICIPALITY)
    coordinator = make_person(session, agency_id=agency.id)
    child = make_person(session, "Barnet", birth_date=birth_date_for_age(child_age))
    guardian = make_person(session, "Föräldern")
    plan = Plan(child_id=child.id, coordinator_id=coordinator.id, status=PlanStatus.DRAFT)
    session.add(plan)
    session.flush()
    session.add(
        PlanMember(plan_id=plan.id, person_id=guardian.id, role="guardian", has_custody=True)
    )
    session.commit()
    return plan, coordinator, agency, guardian


def test_publishing_names_each_missing_piece_and_links_to_its_field(client, session):
    plan, coordinator, _agency, _guardian = _bare_draft(session)
    sign_in_as(client, coordinator)
    response = _post(client, f"/workspace/plans/{plan.id}/publish", {})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="/workspace/plans/{plan.id}/details#responsible_agency_id"' in body
    assert f'href="/workspace/plans/{plan.id}/details#follow_up_date"' in body
    assert f'href="/workspace/plans/{plan.id}/actions/new#title"' in body
    session.expire_all()
    assert session.get(Plan, plan.id).status == PlanStatus.DRAFT
    assert _count(session, Notification) == 0


def test_publishing_asks_for_a_child_text_on_every_action_from_six(client, session):
    for age, blocked in ((5, False), (6, True)):
        plan, coordinator, agency, _guardian = _bare_draft(session, child_age=age)
        plan = session.get(Plan, plan.id)
        plan.responsible_agency_id = agency.id
        plan.follow_up_date = TODAY + timedelta(days=30)
        action = Action(plan_id=plan.id, title="Stöd", responsible_agency_id=agency.id)
        session.add(action)
        session.commit()
        sign_in_as(client, coordinator)
        response = _post(client, f"/workspace/plans/{plan.id}/publish", {})
        link = f"/workspace/plans/{plan.id}/actions/{action.id}#child_description"
        assert (link in response.get_data(as_text=True)) is blocked, age
        assert response.status_code == (400 if blocked else 303), age


def test_a_complete_draft_is_published_and_the_family_is_told(client, session):
    plan, coordinator, agency, guardian = _bare_draft(session)
    plan = session.get(Plan, plan.id)
    plan.responsible_agency_id = agency.id
    plan.follow_up_date = TODAY + timedelta(days=30)
    session.add(
        Action(
            plan_id=plan.id,
            title="Stöd",
            responsible_agency_id=agency.id,
            child_description="Du får stöd.",
        )
    )
    session.commit()
    sign_in_as(client, coordinator)
    response = _post(client, f"/workspace/plans/{plan.id}/publish", {})
    assert response.status_code == 303
    session.expire_all()
    plan = session.get(Plan, plan.id)
    assert plan.status == PlanStatus.ACTIVE and plan.published_at is not None
    told = set(
        session.scalars(select(Notification.person_id).where(Notification.kind == "plan_published"))
    )
    assert told == {guardian.id, plan.child_id}
    assert plan_access(session, guardian, plan) is not None


# --- after publishing: changes, the child's text ---


def test_a_change_after_publishing_shows_changed_on_and_tells_the_family_once(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/goals/{family.goal.id}"
    first = _post(
        client,
        path,
        {"version": str(family.goal.version), "text": "Sova hela natten.", "words_of": "child"},
    )
    session.expire_all()
    goal = session.get(Goal, family.goal.id)
    second = _post(
        client, path, {"version": str(goal.version), "text": "Sova gott.", "words_of": "child"}
    )
    assert (first.status_code, second.status_code) == (303, 303)
    session.expire_all()
    assert session.get(Goal, family.goal.id).changed_on == TODAY
    notices = list(
        session.scalars(select(Notification.person_id).where(Notification.kind == "plan_changed"))
    )
    assert sorted(notices) == sorted([family.child.id, *[g.id for g in family.guardians]])
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    page = guardian.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Sova gott." in page
    assert "Ändrad" in page


def test_child_page_shows_the_child_text_never_the_staff_wording(client, session):
    family = make_family(session, child_age=10)
    action = session.get(Action, family.action.id)
    action.description = "Behandling enligt KBT-protokoll."
    action.child_description = "Du pratar med Maja om det som är svårt."
    session.commit()
    sign_in_as(client, family.child)
    child_page = client.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Du pratar med Maja om det som är svårt." in child_page
    assert "KBT-protokoll" not in child_page
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    # The glossary links "KBT" in the team's text: compare the words, not the markup.
    guardian_page = guardian.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "KBT-protokoll" in re.sub(r"<[^>]+>", "", guardian_page)


# --- the harm flag (OSL 12:3) ---


def test_harm_flag_hides_a_part_from_guardians_and_clearing_is_its_own_audited_act(client, session):
    family = make_family(session)
    sign_in_as(client, family.professional)
    base = f"/workspace/plans/{family.plan.id}/goals/{family.goal.id}/harm-flag"
    assert _post(client, base, {"reason": ""}).status_code == 400
    assert (
        _post(client, base, {"reason": "Risk för barnet om föräldrarna får veta."}).status_code
        == 303
    )
    session.expire_all()
    goal = session.get(Goal, family.goal.id)
    assert goal.harm_flag and goal.harm_set_by_id == family.professional.id
    assert goal.harm_reason == "Risk för barnet om föräldrarna får veta."
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    assert "Jag vill sova bättre." not in guardian.get(f"/plans/{family.plan.id}").get_data(
        as_text=True
    )
    assert _post(client, f"{base}/clear", {}).status_code == 303
    session.expire_all()
    assert not session.get(Goal, family.goal.id).harm_flag
    details = list(
        session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.object_type == "goal")
            .order_by(AuditEvent.id)
        )
    )
    assert details == ["harm_flag_set", "harm_flag_cleared"]
    assert "Risk" not in " ".join(details)  # the reason never reaches the log
    assert "Jag vill sova bättre." in guardian.get(f"/plans/{family.plan.id}").get_data(
        as_text=True
    )


# --- concurrent editing ---


def test_two_staff_editing_the_same_action_get_a_conflict_page_with_both_texts(client, session):
    family = make_family(session)
    read_version = str(family.action.version)
    other = client.application.test_client()
    sign_in_as(other, family.professional)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/actions/{family.action.id}"
    theirs = _post(
        other, path, _action_form(family, version=read_version, description="Deras text.")
    )
    mine = _post(client, path, _action_form(family, version=read_version, description="Min text."))
    assert theirs.status_code == 303
    body = mine.get_data(as_text=True)
    assert mine.status_code == 409
    assert "Deras text." in body and "Min text." in body
    session.expire_all()
    saved = session.get(Action, family.action.id)
    assert saved.description == "Deras text."
    # Saving again from the conflict page, knowingly, carries the current version.
    again = _post(
        client, path, _action_form(family, version=str(saved.version), description="Min text.")
    )
    assert again.status_code == 303

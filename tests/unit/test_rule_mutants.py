"""Rule functions of access.py and rules.py, pinned down one decision at a time.

Written against mutation testing (docs/mutation-testing.md): each test fails when
one small change is made to the rule it names — a role added or dropped, a
comparison turned around, a check removed — and passes on the real code.
Real database, real models; nothing of our own is mocked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from family_app.access import (
    PlanAccess,
    Policy,
    Role,
    agency_system_access,
    check_every_route_is_guarded,
    consent_state,
    consent_states,
    family_of,
    guard,
    plan_access,
    plan_consents,
    plans_for,
    refused_for_consent,
    route_policies,
    safe_next,
    stockholm_today,
)
from family_app.models import (
    Action,
    Agency,
    AgendaItem,
    Audience,
    Consent,
    ConsentEvent,
    ConsentEventKind,
    ConsentException,
    ConsentParty,
    Decision,
    Goal,
    MeetingAttendee,
    MemberRole,
    Person,
    PlanMember,
    PlanStatus,
    Statement,
    StatementAnswer,
    StatementStatus,
)
from family_app.rules import (
    AgeRules,
    ChildSay,
    PartyState,
    add_months,
    child_chooses_what_guardians_see,
    child_say,
    effective_consent,
    is_late,
    lix,
)
from tests.factories import Family, give_consent, make_agency, make_family, make_person

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
RULES = AgeRules()


@pytest.fixture
def ctx(app):
    """age_rules() reads the app's configuration; no request is made here."""
    with app.app_context():
        yield app


def _relative(session: Session, family: Family) -> Person:
    relative = make_person(session, "Mormor Test")
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role="relative"))
    session.commit()
    return relative


def _guardian_without_custody(session: Session, family: Family) -> Person:
    parent = make_person(session, "Pappa Utan")
    session.add(
        PlanMember(
            plan_id=family.plan.id,
            person_id=parent.id,
            role=MemberRole.GUARDIAN,
            has_custody=False,
        )
    )
    session.commit()
    return parent


def _as(family: Family, role: Role, person: Person | None = None, **kw) -> PlanAccess:
    person = person or {
        Role.CHILD: family.child,
        Role.GUARDIAN: family.guardians[0],
        Role.COORDINATOR: family.coordinator,
        Role.PROFESSIONAL: family.professional,
        Role.TRANSLATOR: family.professional,  # staff; the role is what is tested
    }.get(role)
    assert person is not None
    return PlanAccess(person, family.plan, role, **kw)


ALL_ROLES = list(Role)
GUARDIAN_SIDE = {Role.GUARDIAN, Role.RELATIVE}


# --- rule 6: parts hidden from the guardian side ---------------------------------------


def test_harm_flagged_part_is_hidden_from_guardians_and_relatives_only(ctx, session):
    family = make_family(session, child_age=8)
    relative = _relative(session, family)
    flagged = Goal(text="Skyddat", harm_flag=True)
    plain = Goal(text="Öppet")
    for role in ALL_ROLES:
        access = _as(family, role, relative if role is Role.RELATIVE else None)
        assert access.sees_part(flagged) is (role not in GUARDIAN_SIDE), role
        assert access.sees_part(plain) is True, role
        assert access.visible_parts([flagged, plain]) == (
            [plain] if role in GUARDIAN_SIDE else [flagged, plain]
        )


@pytest.mark.parametrize(("age", "hidden"), [(12, False), (13, True), (17, True)])
def test_childs_own_choice_hides_a_part_from_the_proxy_age(ctx, session, age, hidden):
    family = make_family(session, child_age=age)
    relative = _relative(session, family)
    chosen = Action(title="Mitt eget", hidden_from_guardians_by_child=True)
    for role in ALL_ROLES:
        access = _as(family, role, relative if role is Role.RELATIVE else None)
        expected = not (hidden and role in GUARDIAN_SIDE)
        assert access.sees_part(chosen) is expected, (role, age)


def test_proxy_age_comes_from_the_deployment_configuration(ctx, session):
    family = make_family(session, child_age=14)
    chosen = Goal(text="Mitt", hidden_from_guardians_by_child=True)
    ctx.config["GUARDIAN_FULL_PROXY_UNDER_AGE"] = 15
    assert _as(family, Role.GUARDIAN).sees_part(chosen)
    ctx.config["GUARDIAN_FULL_PROXY_UNDER_AGE"] = 14
    assert not _as(family, Role.GUARDIAN).sees_part(chosen)


def test_child_with_unknown_birth_date_does_not_hide_from_guardians(ctx, session):
    family = make_family(session, child_age=15)
    family.child.birth_date = None
    session.commit()
    chosen = Goal(text="Mitt", hidden_from_guardians_by_child=True)
    assert _as(family, Role.GUARDIAN).sees_part(chosen)


# --- rule 6 and decision 10: agencies hidden with their parts ---------------------------


def _hidden_agency(session: Session, family: Family, name: str = "Barnahus Dold") -> Agency:
    agency = Agency(name=name, kind="other", principal="region")
    session.add(agency)
    session.flush()
    session.add(
        Action(
            plan_id=family.plan.id,
            title="Utredning",
            harm_flag=True,
            responsible_agency_id=agency.id,
        )
    )
    # Its staff take part in the plan: the agency is known through them too.
    staff = make_person(session, f"Utredare på {name}", agency_id=agency.id)
    session.add(PlanMember(plan_id=family.plan.id, person_id=staff.id, role="professional"))
    session.commit()
    return agency


def test_agency_known_only_through_hidden_actions_is_hidden_from_the_guardian_side(ctx, session):
    family = make_family(session, child_age=8)
    relative = _relative(session, family)
    hidden = _hidden_agency(session, family)
    for role in ALL_ROLES:
        access = _as(family, role, relative if role is Role.RELATIVE else None)
        on_guardian_side = role in GUARDIAN_SIDE
        assert access.hidden_agency_ids == (
            frozenset({hidden.id}) if on_guardian_side else frozenset()
        ), role
        assert access.sees_agency(hidden.id) is not on_guardian_side
        assert access.sees_agency(family.professional_agency.id)
        assert access.sees_agency(None)
        names = [a.name for a in access.visible_agencies]
        assert (hidden.name in names) is not on_guardian_side
        assert family.professional_agency.name in names
        assert family.coordinator_agency.name in names
        assert (access.agency_in_plan(hidden.id) is None) is on_guardian_side
        assert access.agency_in_plan(family.professional_agency.id) is not None


def test_visible_agencies_are_in_name_order_without_duplicates(ctx, session):
    family = make_family(session, child_age=8)
    family.coordinator_agency.name = "Öst"
    family.professional_agency.name = "Ahus"
    extra = Agency(name="Mitt", kind="other", principal="region")
    session.add(extra)
    session.flush()
    for n in range(2):
        session.add(
            Action(plan_id=family.plan.id, title=f"Sak {n}", responsible_agency_id=extra.id)
        )
    session.commit()
    names = [a.name for a in _as(family, Role.GUARDIAN).visible_agencies]
    assert names == ["Ahus", "Mitt", "Öst"]


def test_agency_with_one_visible_action_is_not_hidden(ctx, session):
    family = make_family(session, child_age=8)
    family.action.harm_flag = True
    session.add(
        Action(
            plan_id=family.plan.id,
            title="Öppen",
            responsible_agency_id=family.professional_agency.id,
        )
    )
    session.commit()
    assert _as(family, Role.GUARDIAN).hidden_agency_ids == frozenset()


def test_responsible_and_coordinators_agency_are_never_hidden(ctx, session):
    family = make_family(session, child_age=8)
    responsible = Agency(name="Huvudansvar", kind="bup", principal="region")
    session.add(responsible)
    session.flush()
    family.plan.responsible_agency_id = responsible.id
    for agency in (responsible, family.coordinator_agency):
        session.add(
            Action(
                plan_id=family.plan.id,
                title="Flaggad",
                harm_flag=True,
                responsible_agency_id=agency.id,
            )
        )
    family.action.harm_flag = True  # the professional's agency: hidden
    session.commit()
    session.refresh(family.plan)
    access = _as(family, Role.GUARDIAN)
    assert access.hidden_agency_ids == frozenset({family.professional_agency.id})
    assert access.sees_agency(family.coordinator_agency.id)
    assert access.sees_agency(responsible.id)
    assert responsible.name in {a.name for a in access.visible_agencies}


def test_plan_without_coordinator_still_hides_agencies(ctx, session):
    family = make_family(session, child_age=8)
    family.action.harm_flag = True
    family.plan.coordinator_id = None
    session.commit()
    session.refresh(family.plan)
    access = _as(family, Role.GUARDIAN)
    assert access.hidden_agency_ids == frozenset({family.professional_agency.id})


def test_staff_attendance_and_decisions_of_a_hidden_agency_are_hidden(ctx, session):
    family = make_family(session, child_age=8)
    hidden = _hidden_agency(session, family)
    staff = make_person(session, "Dold Utredare", agency_id=hidden.id)
    session.add(PlanMember(plan_id=family.plan.id, person_id=staff.id, role="professional"))
    rows = [
        MeetingAttendee(meeting_id=family.meeting.id, agency_id=hidden.id, role="x"),
        MeetingAttendee(meeting_id=family.meeting.id, person_id=staff.id, role="x"),
        MeetingAttendee(meeting_id=family.meeting.id, person_id=family.professional.id, role="x"),
        Decision(meeting_id=family.meeting.id, what="Dolt", agency_id=hidden.id),
        Decision(meeting_id=family.meeting.id, what="Dold person", person_id=staff.id),
        Decision(meeting_id=family.meeting.id, what="Öppet", person_id=family.professional.id),
    ]
    session.add_all(rows)
    session.commit()
    session.refresh(family.meeting)
    guardian = _as(family, Role.GUARDIAN)
    assert not guardian.sees_person(staff)
    assert guardian.sees_person(family.professional)
    assert guardian.sees_person(None)
    assert [a.person_id for a in guardian.visible_attendees(family.meeting)] == [
        family.professional.id
    ]
    assert [d.what for d in guardian.visible_decisions(family.meeting)] == ["Öppet"]
    coordinator = _as(family, Role.COORDINATOR)
    assert len(coordinator.visible_attendees(family.meeting)) == 3
    assert len(coordinator.visible_decisions(family.meeting)) == 3


# --- consent: who decides, who hears the child's say ------------------------------------


def test_only_guardians_with_custody_and_a_child_of_consent_age_give_consent(ctx, session):
    family = make_family(session, child_age=15)
    without = _guardian_without_custody(session, family)
    relative = _relative(session, family)
    assert _as(family, Role.GUARDIAN, has_custody=True).may_give_consent
    assert not _as(family, Role.GUARDIAN, without, has_custody=False).may_give_consent
    assert not _as(family, Role.GUARDIAN, has_custody=False).may_give_consent
    assert not _as(family, Role.RELATIVE, relative).may_give_consent
    assert not _as(family, Role.COORDINATOR).may_give_consent
    assert not _as(family, Role.PROFESSIONAL).may_give_consent
    assert _as(family, Role.CHILD).may_give_consent
    younger = make_family(session, child_age=14)
    assert not _as(younger, Role.CHILD).may_give_consent


def test_guardian_without_custody_gets_an_access_that_cannot_give_consent(ctx, session):
    family = make_family(session)
    without = _guardian_without_custody(session, family)
    access = plan_access(session, without, family.plan)
    assert access is not None and access.role is Role.GUARDIAN
    assert access.has_custody is False and not access.may_give_consent
    with_custody = plan_access(session, family.guardians[0], family.plan)
    assert with_custody.has_custody is True and with_custody.may_give_consent


def test_childs_say_on_consent_is_for_the_child_and_the_team(ctx, session):
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    seen_by = {
        role
        for role in ALL_ROLES
        if _as(family, role, relative if role is Role.RELATIVE else None).sees_child_consent_view
    }
    assert seen_by == {Role.CHILD, Role.COORDINATOR, Role.PROFESSIONAL}


def test_child_view_events_and_hidden_agencies_leave_the_guardians_history(ctx, session):
    family = make_family(session, child_age=10)
    hidden = _hidden_agency(session, family)
    shown = session.query(Consent).filter_by(agency_id=family.professional_agency.id).one()
    secret = Consent(plan_id=family.plan.id, agency_id=hidden.id)
    session.add(secret)
    session.flush()
    given = ConsentEvent(consent_id=shown.id, kind=ConsentEventKind.GIVEN, at=NOW)
    said = ConsentEvent(consent_id=shown.id, kind=ConsentEventKind.CHILD_VIEW, at=NOW)
    hidden_given = ConsentEvent(consent_id=secret.id, kind=ConsentEventKind.GIVEN, at=NOW)
    session.add_all([given, said, hidden_given])
    session.commit()
    relative = _relative(session, family)
    for role in ALL_ROLES:
        access = _as(family, role, relative if role is Role.RELATIVE else None)
        on_guardian_side = role in GUARDIAN_SIDE
        assert access.sees_consent_event(given), role
        assert access.sees_consent_event(said) is not on_guardian_side, role
        assert access.sees_consent_event(hidden_given) is not on_guardian_side, role


def test_child_tells_a_view_from_the_asked_age(ctx, session):
    assert not _as(make_family(session, child_age=5), Role.CHILD).may_tell_consent_view
    assert _as(make_family(session, child_age=6), Role.CHILD).may_tell_consent_view
    family = make_family(session, child_age=10)
    for role in (Role.GUARDIAN, Role.COORDINATOR, Role.PROFESSIONAL):
        assert not _as(family, role).may_tell_consent_view


# --- who may do what ------------------------------------------------------------------


def test_what_each_role_may_do(ctx, session):
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    expected = {
        # role: (coordinate, write views, prepare, answer wishes, invite, who looked)
        Role.CHILD: (False, True, False, False, False, True),
        Role.GUARDIAN: (False, True, False, False, False, True),
        Role.RELATIVE: (False, False, False, False, False, False),
        Role.COORDINATOR: (True, False, True, True, True, True),
        Role.PROFESSIONAL: (False, False, True, False, False, False),
    }
    for role, wanted in expected.items():
        access = _as(family, role, relative if role is Role.RELATIVE else None)
        got = (
            access.may_coordinate,
            access.may_write_views,
            access.may_prepare_meeting,
            access.may_answer_wishes,
            access.may_invite_family,
            access.sees_who_looked,
        )
        assert got == wanted, role
        assert access.is_family is (role in {Role.CHILD, Role.GUARDIAN, Role.RELATIVE})
        assert access.is_team is (role in {Role.COORDINATOR, Role.PROFESSIONAL})
        assert access.is_child is (role is Role.CHILD)
    assert not _as(make_family(session, child_age=5), Role.CHILD).may_write_views


@pytest.mark.parametrize(
    ("age", "say"),
    [(5, ChildSay.NONE), (6, ChildSay.ASKED), (12, ChildSay.ASSENT), (15, ChildSay.CONSENT)],
)
def test_access_knows_the_childs_say_from_the_childs_age(ctx, session, age, say):
    assert _as(make_family(session, child_age=age), Role.GUARDIAN).child_say is say


# --- rule 5: the writer decides the audience ------------------------------------------


def test_audience_of_an_answer_decides_who_reads_it(ctx, session):
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    readers = {
        # A translator reads no one's own words, whatever the audience.
        Audience.EVERYONE: set(ALL_ROLES) - {Role.TRANSLATOR},
        Audience.NOT_GUARDIANS: {Role.CHILD, Role.COORDINATOR, Role.PROFESSIONAL},
        Audience.COORDINATOR: {Role.COORDINATOR},
    }
    stranger_id = family.guardians[1].id
    for audience, allowed in readers.items():
        for role in ALL_ROLES:
            access = _as(family, role, relative if role is Role.RELATIVE else None)
            assert access.sees_answer(stranger_id, audience) is (role in allowed), (audience, role)
            assert access.sees_answer(None, audience) is (role in allowed), (audience, role)
            # The writer always reads their own words.
            assert access.sees_answer(access.person.id, audience) is True


def _answer(session, family, author, text="Jag vill", audience=Audience.EVERYONE, sent=True):
    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=author.id,
        status=StatementStatus.SUBMITTED if sent else StatementStatus.DRAFT,
    )
    session.add(statement)
    session.flush()
    answer = StatementAnswer(
        statement_id=statement.id, prompt="want_help", text=text, audience=audience
    )
    session.add(answer)
    session.commit()
    return answer


def test_coordinator_adds_a_sent_readable_answer_to_the_agenda_and_nothing_else(ctx, session):
    family = make_family(session, child_age=10)
    coordinator = _as(family, Role.COORDINATOR)
    child = family.child
    assert coordinator.may_add_to_agenda(_answer(session, family, child))
    not_guardians = _answer(session, family, family.guardians[0], audience="not_guardians")
    assert coordinator.may_add_to_agenda(not_guardians)
    assert not _as(family, Role.PROFESSIONAL).may_add_to_agenda(not_guardians)
    assert not _as(family, Role.GUARDIAN, family.guardians[1]).may_add_to_agenda(not_guardians)
    other = make_family(session, child_age=10)
    coordinator = _as(other, Role.COORDINATOR)
    assert not coordinator.may_add_to_agenda(_answer(session, other, other.child, sent=False))
    other = make_family(session, child_age=10)
    coordinator = _as(other, Role.COORDINATOR)
    assert not coordinator.may_add_to_agenda(_answer(session, other, other.child, text="  "))
    other = make_family(session, child_age=10)
    coordinator = _as(other, Role.COORDINATOR)
    only_me = _answer(session, other, other.child, audience=Audience.COORDINATOR)
    assert not coordinator.may_add_to_agenda(only_me)


# --- rule 7: protected identity -------------------------------------------------------


def test_protected_childs_details_go_to_the_child_coordinator_and_custodial_guardians(ctx, session):
    family = make_family(session, child_age=10)
    family.child.protected_identity = True
    session.commit()
    without = _guardian_without_custody(session, family)
    relative = _relative(session, family)
    child = family.child
    assert _as(family, Role.CHILD).sees_protected_details(child)
    assert _as(family, Role.COORDINATOR).sees_protected_details(child)
    assert _as(family, Role.GUARDIAN, has_custody=True).sees_protected_details(child)
    assert not _as(family, Role.GUARDIAN, without).sees_protected_details(child)
    assert not _as(family, Role.RELATIVE, relative).sees_protected_details(child)
    assert not _as(family, Role.PROFESSIONAL).sees_protected_details(child)
    # Meeting places: the child and the custodial guardians, not the others.
    assert _as(family, Role.CHILD).sees_protected_details()
    assert _as(family, Role.GUARDIAN, has_custody=True).sees_protected_details()
    assert not _as(family, Role.GUARDIAN, without).sees_protected_details()
    assert not _as(family, Role.RELATIVE, relative).sees_protected_details()
    assert not _as(family, Role.PROFESSIONAL).sees_protected_details()
    assert _as(family, Role.COORDINATOR).sees_protected_details()


def test_protected_guardians_whereabouts_are_kept_from_the_other_guardian(ctx, session):
    family = make_family(session, child_age=10)
    hidden, other = family.guardians
    hidden.protected_identity = True
    session.commit()
    assert _as(family, Role.GUARDIAN, hidden, has_custody=True).sees_protected_details(hidden)
    assert not _as(family, Role.GUARDIAN, other, has_custody=True).sees_protected_details(hidden)
    assert not _as(family, Role.CHILD).sees_protected_details(hidden)
    assert not _as(family, Role.PROFESSIONAL).sees_protected_details(hidden)
    assert _as(family, Role.COORDINATOR).sees_protected_details(hidden)
    # Anyone's details that are not protected are shown.
    assert _as(family, Role.PROFESSIONAL).sees_protected_details(other)
    # Meeting places: the child, the protected guardian and the coordinator.
    assert _as(family, Role.CHILD).sees_protected_details()
    assert _as(family, Role.GUARDIAN, hidden, has_custody=True).sees_protected_details()
    assert not _as(family, Role.GUARDIAN, other, has_custody=True).sees_protected_details()
    assert not _as(family, Role.PROFESSIONAL).sees_protected_details()
    assert _as(family, Role.COORDINATOR).sees_protected_details()


def test_unprotected_family_shows_places_to_every_reader(ctx, session):
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    for role in ALL_ROLES:
        access = _as(family, role, relative if role is Role.RELATIVE else None)
        assert access.sees_protected_details()
        assert access.sees_protected_details(family.child)


# --- plan_access: who may open the plan at all ----------------------------------------


def test_draft_plan_is_the_coordinators_alone(ctx, session):
    family = make_family(session, status=PlanStatus.DRAFT, coordinator_consent=False)
    relative = _relative(session, family)
    without = _guardian_without_custody(session, family)
    for person in (family.child, *family.guardians, relative, without):
        assert plan_access(session, person, family.plan) is None, person.display_name
    coordinator = plan_access(session, family.coordinator, family.plan)
    assert coordinator is not None and coordinator.role is Role.COORDINATOR


@pytest.mark.parametrize("status", [PlanStatus.ACTIVE, PlanStatus.CLOSED])
def test_family_reads_a_plan_that_is_not_a_draft(ctx, session, status):
    family = make_family(session, status=status)
    relative = _relative(session, family)
    roles = {
        family.child.id: Role.CHILD,
        family.guardians[0].id: Role.GUARDIAN,
        relative.id: Role.RELATIVE,
        family.coordinator.id: Role.COORDINATOR,
        family.professional.id: Role.PROFESSIONAL,
    }
    for person in (family.child, family.guardians[0], relative, family.coordinator):
        access = plan_access(session, person, family.plan)
        assert access is not None and access.role is roles[person.id]
        assert access.person.id == person.id and access.plan.id == family.plan.id
    access = plan_access(session, relative, family.plan)
    assert access.has_custody is False


def test_staff_read_only_while_their_agency_has_consent(ctx, session):
    family = make_family(session, consent=False, coordinator_consent=False)
    assert plan_access(session, family.professional, family.plan) is None
    assert plan_access(session, family.coordinator, family.plan) is None
    with_consent = make_family(session)
    professional = plan_access(session, with_consent.professional, with_consent.plan)
    assert professional is not None and professional.role is Role.PROFESSIONAL


def test_staff_without_an_agency_never_read_the_plan(ctx, session):
    family = make_family(session)
    family.professional.agency_id = None
    family.coordinator.agency_id = None
    session.commit()
    assert plan_access(session, family.professional, family.plan) is None
    assert plan_access(session, family.coordinator, family.plan) is None


def test_draft_plan_is_closed_to_professionals_without_consent(ctx, session):
    family = make_family(session, status=PlanStatus.DRAFT, consent=False)
    assert plan_access(session, family.professional, family.plan) is None


def test_agency_system_reads_only_while_its_agency_is_in_the_team(ctx, session):
    """Issue 15: consent alone does not let an agency's system read a plan; the
    agency must be in the plan's team now. The FHIR service looks only among its
    team's plans as well, so this is the rule's own check, tested on the rule."""
    now = datetime.now(UTC)  # the factories give consent from today
    family = make_family(session)
    agency = family.professional_agency
    found = agency_system_access(session, agency, family.plan, now)
    assert found is not None and found.role is Role.PROFESSIONAL
    outsider = make_agency(session)
    give_consent(session, family.plan, outsider, family.guardians, now)
    session.commit()
    assert consent_state(session, family.plan, outsider.id, now).effective
    assert agency_system_access(session, outsider, family.plan, now) is None
    member = next(m for m in family.plan.members if m.person_id == family.professional.id)
    session.delete(member)
    session.commit()
    session.refresh(family.plan)
    assert consent_state(session, family.plan, agency.id, now).effective  # still given
    assert agency_system_access(session, agency, family.plan, now) is None


def test_outsider_and_admin_member_role_get_nothing(ctx, session):
    family = make_family(session)
    outsider = make_person(session, "Utomstående")
    assert plan_access(session, outsider, family.plan) is None
    odd = make_person(session, "Konstig roll", agency_id=family.professional_agency.id)
    session.add(PlanMember(plan_id=family.plan.id, person_id=odd.id, role="admin"))
    session.commit()
    assert plan_access(session, odd, family.plan) is None


def test_revocation_binds_the_next_decision(ctx, session):
    family = make_family(session)
    assert plan_access(session, family.professional, family.plan) is not None
    party = session.query(ConsentParty).filter_by(person_id=family.guardians[0].id).first()
    party.revoked_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    state = consent_state(session, family.plan, family.professional_agency.id, datetime.now(UTC))
    assert state.effective is False and state.missing == (family.guardians[0].id,)


def test_consent_states_cover_each_agency_asked_for(ctx, session):
    family = make_family(session, consent=False)
    now = datetime.now(UTC)
    states = consent_states(
        session, family.plan, [family.professional_agency.id, family.coordinator_agency.id], now
    )
    assert states[family.professional_agency.id].effective is False
    assert states[family.coordinator_agency.id].effective is True


def test_recorded_exception_for_the_child_stands_in_for_the_childs_consent(ctx, session):
    family = make_family(session, child_age=16, consent=False)
    now = datetime.now(UTC)
    agency = family.professional_agency
    consent = Consent(plan_id=family.plan.id, agency_id=agency.id)
    session.add(consent)
    session.flush()
    for guardian in family.guardians:
        session.add(
            ConsentParty(
                consent_id=consent.id,
                person_id=guardian.id,
                given_at=now - timedelta(days=1),
                valid_to=now + timedelta(days=30),
            )
        )
    session.commit()
    state = consent_state(session, family.plan, agency.id, now)
    assert not state.effective and state.missing == (family.child.id,)
    session.add(ConsentException(consent_id=consent.id, person_id=family.child.id, reason="Mognad"))
    session.commit()
    session.refresh(consent)
    assert consent_state(session, family.plan, agency.id, now).effective
    # A guardian's exception does not waive the child's consent.
    other = make_family(session, child_age=16, consent=False)
    consent = Consent(plan_id=other.plan.id, agency_id=other.professional_agency.id)
    session.add(consent)
    session.flush()
    for guardian in other.guardians:
        session.add(
            ConsentParty(
                consent_id=consent.id, person_id=guardian.id, given_at=now - timedelta(days=1)
            )
        )
        session.add(ConsentException(consent_id=consent.id, person_id=guardian.id, reason="Beslut"))
    session.commit()
    state = consent_state(session, other.plan, other.professional_agency.id, now)
    assert not state.effective and state.missing == (other.child.id,)


def test_guardian_without_custody_is_not_asked_for_consent(ctx, session):
    family = make_family(session)
    _guardian_without_custody(session, family)
    session.refresh(family.plan)
    now = datetime.now(UTC)
    assert consent_state(session, family.plan, family.professional_agency.id, now).effective


def test_plans_for_lists_only_plans_the_person_may_open_by_childs_name(ctx, session):
    second = make_family(session, child_name="Bertil Andersson")
    first = make_family(session, child_name="Alva Andersson")
    parent = first.guardians[0]
    session.add(
        PlanMember(
            plan_id=second.plan.id, person_id=parent.id, role=MemberRole.GUARDIAN, has_custody=True
        )
    )
    draft = make_family(session, status=PlanStatus.DRAFT)
    session.add(PlanMember(plan_id=draft.plan.id, person_id=parent.id, role=MemberRole.RELATIVE))
    session.commit()
    names = [a.plan.child.display_name for a in plans_for(session, parent)]
    assert names == ["Alva Andersson", "Bertil Andersson"]


def test_refused_attempts_are_staff_of_the_plan_turned_away(ctx, session):
    family = make_family(session, consent=False, coordinator_consent=False)
    assert refused_for_consent(family.professional, family.plan)
    assert refused_for_consent(family.coordinator, family.plan)
    assert not refused_for_consent(family.guardians[0], family.plan)
    stranger = make_person(session, "Främling", agency_id=family.professional_agency.id)
    assert not refused_for_consent(stranger, family.plan)
    family.professional.agency_id = None
    session.commit()
    assert not refused_for_consent(family.professional, family.plan)
    draft = make_family(session, status=PlanStatus.DRAFT, consent=False)
    assert not refused_for_consent(draft.professional, draft.plan)
    assert not refused_for_consent(draft.coordinator, draft.plan)


# --- rules.py: the pure rules at their boundaries -------------------------------------


def test_childs_say_at_each_threshold_and_for_an_unknown_age():
    rules = AgeRules(asked_from=4, assent_from=8, consent_from=11)
    assert [child_say(a, rules) for a in (3, 4, 7, 8, 10, 11)] == [
        ChildSay.NONE,
        ChildSay.ASKED,
        ChildSay.ASKED,
        ChildSay.ASSENT,
        ChildSay.ASSENT,
        ChildSay.CONSENT,
    ]
    assert child_say(None, RULES) is ChildSay.ASKED
    assert [child_say(a, RULES) for a in (5, 6, 11, 12, 14, 15)] == [
        ChildSay.NONE,
        ChildSay.ASKED,
        ChildSay.ASKED,
        ChildSay.ASSENT,
        ChildSay.ASSENT,
        ChildSay.CONSENT,
    ]


def test_default_age_rules_and_rules_from_configuration():
    assert (
        RULES.asked_from,
        RULES.assent_from,
        RULES.consent_from,
        RULES.guardian_full_proxy_under,
    ) == (6, 12, 15, 13)
    rules = AgeRules.from_config(
        {
            "CHILD_ASKED_FROM_AGE": 5,
            "CHILD_ASSENT_FROM_AGE": 11,
            "CHILD_CONSENT_FROM_AGE": 16,
            "GUARDIAN_FULL_PROXY_UNDER_AGE": 14,
        }
    )
    assert rules == AgeRules(5, 11, 16, 14)


def test_child_chooses_what_guardians_see_from_the_proxy_age():
    assert not child_chooses_what_guardians_see(None, RULES)
    assert not child_chooses_what_guardians_see(12, RULES)
    assert child_chooses_what_guardians_see(13, RULES)
    assert not child_chooses_what_guardians_see(13, AgeRules(guardian_full_proxy_under=14))


def test_party_in_force_at_each_boundary():
    given = NOW - timedelta(days=1)
    assert PartyState(1, given_at=given).in_force(NOW)
    assert not PartyState(1).in_force(NOW)
    assert PartyState(1, exception=True).in_force(NOW)
    assert not PartyState(1, given_at=given, revoked_at=NOW).in_force(NOW)
    assert PartyState(1, given_at=given, revoked_at=NOW + timedelta(seconds=1)).in_force(NOW)
    assert not PartyState(1, exception=True, revoked_at=given).in_force(NOW)
    assert PartyState(1, given_at=given, valid_from=NOW).in_force(NOW)
    assert not PartyState(1, given_at=given, valid_from=NOW + timedelta(seconds=1)).in_force(NOW)
    assert PartyState(1, given_at=given, valid_to=NOW + timedelta(seconds=1)).in_force(NOW)
    assert not PartyState(1, given_at=given, valid_to=NOW).in_force(NOW)


def test_effective_consent_needs_every_custodial_guardian_once():
    def yes(pid: int) -> PartyState:
        return PartyState(pid, given_at=NOW - timedelta(days=1))

    none = effective_consent([], 9, 16, [yes(9)], NOW, RULES)
    assert none.effective is False and none.missing == ()
    state = effective_consent([1, 1, 2], 9, 10, [], NOW, RULES)
    assert state.effective is False and state.missing == (1, 2)
    state = effective_consent([1, 2], 9, 10, [yes(2), yes(1)], NOW, RULES)
    assert state.effective is True and state.missing == ()


def test_effective_consent_asks_the_child_from_the_consent_age_unless_waived():
    def yes(pid: int) -> PartyState:
        return PartyState(pid, given_at=NOW - timedelta(days=1))

    assert effective_consent([1], 9, 14, [yes(1)], NOW, RULES).effective
    state = effective_consent([1], 9, 15, [yes(1)], NOW, RULES)
    assert state.effective is False and state.missing == (9,)
    assert effective_consent([1], 9, 15, [yes(1), yes(9)], NOW, RULES).effective
    waived = effective_consent([1], 9, 15, [yes(1)], NOW, RULES, child_consent_waived=True)
    assert waived.effective and waived.missing == ()
    state = effective_consent([1], 9, 15, [yes(9)], NOW, RULES)
    assert state.effective is False and state.missing == (1,)


def test_late_lix_and_months():
    today = date(2026, 11, 30)
    assert is_late("planned", today - timedelta(days=1), today)
    assert not is_late("planned", today, today)
    assert not is_late("started", today - timedelta(days=1), today)
    assert not is_late("planned", None, today)
    assert lix("") == 0.0
    assert lix("Jag är här. Du är där.") == 3.0
    assert lix("Samordnaren ringer") == pytest.approx(2 + 100 * 1 / 2)
    assert lix("Hej hopp") == 2.0  # no full stop still counts as one sentence
    assert lix("Ett två! Tre fyra? Fem sex: sju") == pytest.approx(7 / 3)
    assert lix("Sexbok sjubokst") == pytest.approx(2 + 100 * 1 / 2)
    jan31 = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert add_months(jan31, 1) == datetime(2026, 2, 28, 9, 30, tzinfo=UTC)
    assert add_months(jan31, 13) == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    assert add_months(datetime(2026, 12, 15, tzinfo=UTC), 1) == datetime(2027, 1, 15, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 1) == datetime(2026, 12, 15, tzinfo=UTC)
    assert add_months(datetime(2028, 1, 31, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 31, tzinfo=UTC), 12) == datetime(2027, 3, 31, tzinfo=UTC)


def test_lix_counts_words_of_seven_letters_as_long():
    assert lix("Planera nu.") == pytest.approx(1 * 2 + 100 * 1 / 2)
    assert lix("Sexbok nu.") == pytest.approx(2.0)


# --- the agenda is read through the answer, with its audience now (decision 12) --------


def test_agenda_item_is_read_through_the_answer_and_its_writer_always_sees_it(ctx, session):
    family = make_family(session, child_age=10)
    answer = _answer(session, family, family.child)
    item = AgendaItem(meeting_id=family.meeting.id, position=1, text="", answer_id=answer.id)
    session.add(item)
    session.commit()
    everyone = [_as(family, role) for role in (Role.CHILD, Role.GUARDIAN, Role.COORDINATOR)]
    assert all(access.sees_agenda_item(item) for access in everyone)
    # The child narrows the audience after the item was put on the agenda.
    answer.audience = Audience.COORDINATOR
    session.commit()
    assert _as(family, Role.CHILD).sees_agenda_item(item)
    assert _as(family, Role.COORDINATOR).sees_agenda_item(item)
    assert not _as(family, Role.GUARDIAN).sees_agenda_item(item)
    assert not _as(family, Role.PROFESSIONAL).sees_agenda_item(item)
    assert _as(family, Role.CHILD).visible_agenda(family.meeting) == [item]
    assert _as(family, Role.GUARDIAN).visible_agenda(family.meeting) == []
    # Emptied, or taken back to a draft: no one reads it from the agenda.
    answer.audience = Audience.EVERYONE
    answer.text = "   "
    session.commit()
    assert not _as(family, Role.COORDINATOR).sees_agenda_item(item)
    answer.text = "Jag vill"
    answer.statement.status = StatementStatus.DRAFT
    session.commit()
    assert not _as(family, Role.COORDINATOR).sees_agenda_item(item)


def test_teams_own_agenda_items_have_their_own_audience(ctx, session):
    family = make_family(session, child_age=10)
    shared = AgendaItem(meeting_id=family.meeting.id, position=1, text="Skolan")
    private = AgendaItem(
        meeting_id=family.meeting.id, position=2, text="Oro", audience="not_guardians"
    )
    blank = AgendaItem(meeting_id=family.meeting.id, position=3, text="  ")
    session.add_all([shared, private, blank])
    session.commit()
    session.refresh(family.meeting)
    assert _as(family, Role.GUARDIAN).visible_agenda(family.meeting) == [shared]
    assert _as(family, Role.PROFESSIONAL).visible_agenda(family.meeting) == [shared, private]


# --- decision 5: the coordinator invites the family, never a colleague -----------------


def test_family_of_a_plan_is_the_child_guardians_and_relatives(ctx, session):
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    session.refresh(family.plan)
    people = [(person.id, role) for person, role in family_of(family.plan)]
    assert people[0] == (family.child.id, "child")
    assert sorted(people[1:]) == sorted(
        [(g.id, "guardian") for g in family.guardians] + [(relative.id, "relative")]
    )


def test_part_without_flags_is_seen_and_each_flag_counts_alone(ctx, session):
    family = make_family(session, child_age=14)
    guardian = _as(family, Role.GUARDIAN)
    assert guardian.sees_part(SimpleNamespace())
    assert not guardian.sees_part(SimpleNamespace(harm_flag=True))
    assert not guardian.sees_part(SimpleNamespace(hidden_from_guardians_by_child=True))
    assert guardian.sees_part(
        SimpleNamespace(harm_flag=False, hidden_from_guardians_by_child=False)
    )


def test_each_reader_finds_the_plan_on_their_own_list(ctx, session):
    family = make_family(session)
    for person in (family.child, family.guardians[0], family.coordinator, family.professional):
        assert [a.plan.id for a in plans_for(session, person)] == [family.plan.id]
    assert plans_for(session, make_person(session, "Ingen")) == []


# --- route guards: the way back after sign-in, the start-up check -----------------------


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        (None, None),
        ("", None),
        ("/plans/1", "/plans/1"),
        ("/plans/1?visa=mer", "/plans/1?visa=mer"),
        ("plans/1", None),
        ("//evil.example/plans", None),
        ("///evil.example/plans", None),  # browsers read this as //evil.example
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("/plans\\1", None),
        ("javascript:alert(1)", None),
    ],
)
def test_only_a_local_path_is_kept_for_after_sign_in(target, kept):
    assert safe_next(target) == kept


def test_every_route_must_have_an_access_policy():
    app = Flask(__name__)

    @app.get("/guarded")
    @guard(Policy.PUBLIC)
    def guarded():
        return "ok"

    assert route_policies(app) == {"guarded": Policy.PUBLIC}
    check_every_route_is_guarded(app)

    @app.get("/open")
    def open_door():
        return "oops"

    @app.get("/also-open")
    def also_open():
        return "oops"

    assert route_policies(app)["open_door"] is None
    with pytest.raises(RuntimeError, match="also_open, open_door"):
        check_every_route_is_guarded(app)


def test_dates_in_plans_are_swedish_dates_wherever_the_server_is(monkeypatch):
    import time
    from zoneinfo import ZoneInfo

    # 25 hours apart: on one of these servers the local date is not Sweden's.
    try:
        for server_zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            monkeypatch.setenv("TZ", server_zone)
            time.tzset()
            assert stockholm_today() == datetime.now(ZoneInfo("Europe/Stockholm")).date()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_consent_is_read_afresh_by_a_session_that_read_it_before(ctx, session):
    """Rule 2: a revocation made by another worker binds the next read, even in a
    session that already holds the consent in its identity map."""
    from family_app.extensions import db

    family = make_family(session)
    agency_id = family.professional_agency.id
    now = datetime.now(UTC)
    assert consent_states(session, family.plan, [agency_id], now)[agency_id].effective
    held = plan_consents(session, family.plan)  # still in the session's identity map
    assert all(p.revoked_at is None for p in held[agency_id].parties)
    worker = db.session_factory()
    worker.execute(
        update(ConsentParty)
        .where(ConsentParty.person_id == family.guardians[0].id)
        .values(revoked_at=now - timedelta(minutes=1))
    )
    worker.commit()
    worker.close()
    state = consent_states(session, family.plan, [agency_id], now)[agency_id]
    assert state.effective is False and state.missing == (family.guardians[0].id,)
    assert held[agency_id] is plan_consents(session, family.plan)[agency_id]


def test_a_persons_list_of_plans_never_reads_other_childrens_plans(ctx, session):
    """plans_for asks the database for this person's plans only: the work it does
    does not grow with the number of other families."""
    from sqlalchemy import event

    from family_app.extensions import db

    mine = make_family(session)

    def statements_for_my_list() -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        fresh = db.session_factory()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            guardian = fresh.get(Person, mine.guardians[0].id)
            assert [a.plan.id for a in plans_for(fresh, guardian)] == [mine.plan.id]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
            fresh.close()
        return len(seen)

    alone = statements_for_my_list()
    for _ in range(3):
        make_family(session)
    assert statements_for_my_list() == alone


def test_an_ended_exception_no_longer_stands_in_for_the_childs_consent(ctx, session):
    family = make_family(session, child_age=16, consent=False)
    now = datetime.now(UTC)
    consent = Consent(plan_id=family.plan.id, agency_id=family.professional_agency.id)
    session.add(consent)
    session.flush()
    for guardian in family.guardians:
        session.add(
            ConsentParty(
                consent_id=consent.id, person_id=guardian.id, given_at=now - timedelta(days=2)
            )
        )
    session.add(
        ConsentException(
            consent_id=consent.id,
            person_id=family.child.id,
            reason="Mognad",
            valid_from=now - timedelta(days=60),
            valid_to=now - timedelta(days=1),
        )
    )
    session.commit()
    state = consent_state(session, family.plan, family.professional_agency.id, now)
    assert state.effective is False and state.missing == (family.child.id,)

"""The surviving mutants of issue 9, killed through the pages people use.

Each test fails when the named rule in access.py is weakened (see
docs/mutation-testing.md) and passes on the real code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from family_app.models import (
    Action,
    Agency,
    AgendaItem,
    AuditEvent,
    ConsentParty,
    Credential,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    PlanMember,
    PlanStatus,
    Statement,
    StatementAnswer,
    StatementStatus,
    WishResponse,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family, make_person
from tests.functional.test_my_data import json_export


def _as(app, person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


def _relative(session, family, name="Mormor Märta"):
    relative = make_person(session, name)
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role="relative"))
    session.commit()
    return relative


def _hidden_agency(session, family, name="Barnahus Dolda"):
    """An agency known only through a harm-flagged action."""
    agency = Agency(name=name, kind="other", principal="region")
    session.add(agency)
    session.flush()
    session.add(
        Action(
            plan_id=family.plan.id,
            title="MARK-FLAGGED-ACTION",
            harm_flag=True,
            responsible_agency_id=agency.id,
        )
    )
    # Its staff take part in the plan: the agency is known through them too.
    staff = make_person(session, f"Utredare på {name}", agency_id=agency.id)
    session.add(PlanMember(plan_id=family.plan.id, person_id=staff.id, role="professional"))
    session.commit()
    return agency


def test_relative_does_not_see_harm_flagged_parts(app, session):
    """Mutant: PlanAccess.sees_part checks only guardians, not relatives."""
    family = make_family(session, child_age=9)
    relative = _relative(session, family)
    session.add(Goal(plan_id=family.plan.id, text="MARK-FLAGGED-GOAL", harm_flag=True, position=2))
    session.add(Action(plan_id=family.plan.id, title="MARK-FLAGGED-ACTION", harm_flag=True))
    session.commit()
    plan_path = f"/plans/{family.plan.id}"
    for reader in (relative, family.guardians[0]):
        html = _as(app, reader).get(plan_path).get_data(as_text=True)
        assert family.goal.text in html  # the page is really the plan
        assert "MARK-FLAGGED-GOAL" not in html and "MARK-FLAGGED-ACTION" not in html
    html = _as(app, family.coordinator).get(plan_path).get_data(as_text=True)
    assert "MARK-FLAGGED-GOAL" in html and "MARK-FLAGGED-ACTION" in html


def test_relative_does_not_see_what_a_teenager_keeps_from_guardians(app, session):
    family = make_family(session, child_age=14)
    relative = _relative(session, family)
    session.add(
        Action(
            plan_id=family.plan.id, title="MARK-CHILD-HIDDEN", hidden_from_guardians_by_child=True
        )
    )
    session.commit()
    plan_path = f"/plans/{family.plan.id}"
    assert "MARK-CHILD-HIDDEN" not in _as(app, relative).get(plan_path).get_data(as_text=True)
    assert "MARK-CHILD-HIDDEN" in _as(app, family.child).get(plan_path).get_data(as_text=True)


def test_relative_does_not_see_a_draft_plan(app, session):
    """Mutant: plan_access lets a relative into a plan that is still a draft."""
    family = make_family(session, status=PlanStatus.DRAFT, child_name="Draftbarn Svensson")
    relative = _relative(session, family)
    client = _as(app, relative)
    assert client.get(f"/plans/{family.plan.id}").status_code == 404
    assert client.get(f"/plans/{family.plan.id}/consent").status_code == 404
    assert "Draftbarn" not in client.get("/").get_data(as_text=True)
    family.plan.status = PlanStatus.ACTIVE
    session.commit()
    assert client.get(f"/plans/{family.plan.id}").status_code == 200


def test_guardian_without_custody_cannot_give_consent(app, session):
    """Mutant: PlanAccess.may_give_consent lets any guardian decide."""
    family = make_family(session, consent=False)
    parent = make_person(session, "Pappa Utanvårdnad")
    session.add(
        PlanMember(
            plan_id=family.plan.id,
            person_id=parent.id,
            role=MemberRole.GUARDIAN,
            has_custody=False,
        )
    )
    session.commit()
    client = _as(app, parent)
    consent_page = f"/plans/{family.plan.id}/consent"
    html = client.get(consent_page).get_data(as_text=True)
    assert family.professional_agency.name in html  # the page is really there
    assert "Ge samtycke till" not in html and "Återkalla samtycket för" not in html
    give = f"{consent_page}/{family.professional_agency.id}/give"
    assert client.get(give).status_code == 404
    token = csrf_token(client, consent_page)
    assert client.post(give, data={"csrf_token": token}).status_code == 404
    parties = session.scalar(
        select(func.count()).select_from(ConsentParty).where(ConsentParty.person_id == parent.id)
    )
    assert parties == 0
    custodial = _as(app, family.guardians[0])
    assert custodial.get(give).status_code == 200


def test_guardians_do_not_see_what_the_child_said_about_consent(app, session):
    """Mutant: PlanAccess.sees_child_consent_view shows the child's say to guardians."""
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    child = _as(app, family.child)
    consent_page = f"/plans/{family.plan.id}/consent"
    path = f"{consent_page}/{family.professional_agency.id}/child-view"
    token = csrf_token(child, consent_page)
    answer = {"csrf_token": token, "view": "not_ok", "words": "MARK-CHILD-SAY"}
    assert child.post(path, data=answer).status_code == 303
    for reader in (family.coordinator, family.professional, family.child):
        assert "MARK-CHILD-SAY" in _as(app, reader).get(consent_page).get_data(as_text=True)
    for reader in (family.guardians[0], family.guardians[1], relative):
        html = _as(app, reader).get(consent_page).get_data(as_text=True)
        assert family.professional_agency.name in html
        assert "MARK-CHILD-SAY" not in html


def test_agency_hidden_by_a_harm_flag_is_not_named_to_guardians_or_relatives(app, session):
    """Mutant: the rule-6 agency filter removed (hidden_agency_ids, visible_agencies,
    sees_agency), as used by the consent page and who-can-see."""
    family = make_family(session, child_age=9)
    relative = _relative(session, family)
    hidden = _hidden_agency(session, family)
    pages = [f"/plans/{family.plan.id}/consent", f"/plans/{family.plan.id}/who-can-see"]
    for reader in (family.guardians[0], relative):
        client = _as(app, reader)
        for page in pages:
            html = client.get(page).get_data(as_text=True)
            assert family.professional_agency.name in html, page
            assert hidden.name not in html, (reader.display_name, page)
        give = f"/plans/{family.plan.id}/consent/{hidden.id}/give"
        assert client.get(give).status_code == 404
    coordinator = _as(app, family.coordinator)
    for page in pages:
        assert hidden.name in coordinator.get(page).get_data(as_text=True), page


def _answer(session, family, author, sent=True, audience="everyone"):
    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=author.id,
        status=StatementStatus.SUBMITTED if sent else StatementStatus.DRAFT,
    )
    session.add(statement)
    session.flush()
    answer = StatementAnswer(
        statement_id=statement.id,
        prompt="want_help",
        text="Jag vill spela fotboll",
        audience=audience,
    )
    session.add(answer)
    session.commit()
    return answer


def test_coordinator_answers_and_adds_only_sent_answers_of_this_meeting(app, session):
    """Mutants of access._sent_answer: a draft, or an answer from another family's
    meeting, must not be reachable through this meeting's routes."""
    family = make_family(session, child_age=10)
    other = make_family(session, child_age=10)
    draft = _answer(session, family, family.child, sent=False)
    elsewhere = _answer(session, other, other.child)
    sent = _answer(session, family, family.guardians[0])
    coordinator = _as(app, family.coordinator)
    meeting = f"/meetings/{family.meeting.id}"
    token = csrf_token(coordinator, f"{meeting}/prepare")
    reply = {"csrf_token": token, "outcome": "agreed", "reason": ""}
    for answer_id in (draft.id, elsewhere.id, 999_999):
        assert (
            coordinator.post(f"{meeting}/answers/{answer_id}/response", data=reply).status_code
            == 404
        )
        assert (
            coordinator.post(
                f"{meeting}/answers/{answer_id}/agenda", data={"csrf_token": token}
            ).status_code
            == 404
        )
    assert session.scalar(select(func.count()).select_from(WishResponse)) == 0
    assert session.scalar(select(func.count()).select_from(AgendaItem)) == 0
    assert coordinator.post(f"{meeting}/answers/{sent.id}/response", data=reply).status_code == 303
    assert (
        coordinator.post(
            f"{meeting}/answers/{sent.id}/agenda", data={"csrf_token": token}
        ).status_code
        == 303
    )
    assert session.scalar(select(func.count()).select_from(WishResponse)) == 1
    assert session.scalar(select(func.count()).select_from(AgendaItem)) == 1


# --- rules added after the last mutmut run (scripts/mutation --known) -----------------


def _export_meeting(app, person, meeting_id: int) -> dict:
    """The meeting as this person's My data export holds it."""
    plans = json_export(_as(app, person))["plans"]
    return next(m for plan in plans for m in plan["meetings"] if m["id"] == meeting_id)


def test_who_took_part_never_names_staff_of_an_agency_hidden_since(app, session):
    """Mutant: PlanAccess.took_part lists every attendee who came, not only those
    the reader may see. A harm flag set after the meeting was held hides the
    agency's staff from "De här var med" on the page and in My data."""
    family = make_family(session, child_age=10)
    relative = _relative(session, family)
    meeting = session.get(Meeting, family.meeting.id)
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    meeting.status = MeetingStatus.HELD
    session.add_all(
        [
            MeetingAttendee(meeting_id=meeting.id, person_id=family.coordinator.id, attended=True),
            MeetingAttendee(meeting_id=meeting.id, person_id=family.professional.id, attended=True),
        ]
    )
    session.commit()
    page = f"/meetings/{meeting.id}"
    came = _as(app, family.guardians[0]).get(page).get_data(as_text=True).split("De här var med")
    assert family.professional.display_name in came[1]  # seen while nothing hides it

    family.action.harm_flag = True  # the professional's agency's only action
    session.commit()
    for reader in (family.guardians[0], relative):
        html = _as(app, reader).get(page).get_data(as_text=True)
        assert family.coordinator.display_name in html.split("De här var med")[1]
        assert family.professional.display_name not in html, reader.display_name
        shown = _export_meeting(app, reader, meeting.id)
        assert shown["attendees_took_part"] is True
        assert shown["attendees"] == [family.coordinator.display_name]
    child = _as(app, family.child).get(page).get_data(as_text=True)
    assert family.professional.display_name in child.split("De här var med")[1]


def test_how_the_child_felt_is_for_the_child_and_the_team_alone(app, session):
    """Mutant: PlanAccess.sees_mood shows a statement's mood to anyone outside the
    team. A guardian reads the child's words for everyone but never how the child
    felt, and once the child narrows them no card is left at all."""
    family = make_family(session, child_age=14)
    answer = _answer(session, family, family.child)
    answer.text = "MARK-FOR-EVERYONE"
    answer.statement.mood = "worried"
    session.commit()
    page = f"/meetings/{family.meeting.id}"
    (mine,) = _export_meeting(app, family.child, family.meeting.id)["views"]
    assert mine["mood"] == "worried"
    assert "Orolig" in _as(app, family.coordinator).get(f"{page}/prepare").get_data(as_text=True)
    (theirs,) = _export_meeting(app, family.guardians[0], family.meeting.id)["views"]
    assert theirs["by"] == family.child.display_name and theirs["mood"] is None

    answer.audience = "coordinator"  # the child narrows the words
    session.commit()
    guardian = _as(app, family.guardians[0])
    assert "Tankar inför mötet" not in guardian.get(page).get_data(as_text=True)
    assert _export_meeting(app, family.guardians[0], family.meeting.id)["views"] == []


def test_the_teams_answers_to_a_wish_go_to_its_writer_once_published(app, session):
    """Mutants: PlanAccess.sees_wish_answers without "once published", or for
    anyone who reads the wish. The guardian reads the child's wish, never the
    team's answer to it; the child reads the answer only once it is published."""
    family = make_family(session, child_age=14)
    answer = _answer(session, family, family.child)
    session.add(
        WishResponse(
            answer_id=answer.id,
            outcome="not_now",
            reason="MARK-TEAM-REASON",
            responded_by_id=family.coordinator.id,
        )
    )
    session.commit()

    def team_answers(person) -> list:
        views = _export_meeting(app, person, family.meeting.id)["views"]
        return [a["team_answer"] for view in views for a in view["answers"]]

    assert team_answers(family.child) == [None]  # written, not yet published
    meeting = session.get(Meeting, family.meeting.id)
    meeting.feedback_published_at = datetime.now(UTC)
    session.commit()
    (published,) = team_answers(family.child)
    assert published["reason"] == "MARK-TEAM-REASON"
    assert team_answers(family.guardians[0]) == [None]  # the wish, not the answer


# --- route guards that the other test files reach only by chance ------------------------


def test_signed_out_reader_goes_to_sign_in_and_back_to_the_same_page(client, session):
    family = make_family(session)
    page = client.get(f"/plans/{family.plan.id}?visa=mer")
    assert page.status_code == 302
    location = urlsplit(page.headers["Location"])
    assert parse_qs(location.query)["next"] == [f"/plans/{family.plan.id}?visa=mer"]
    page = client.get(f"/plans/{family.plan.id}")
    assert parse_qs(urlsplit(page.headers["Location"]).query)["next"] == [
        f"/plans/{family.plan.id}"
    ]
    # A form sent after the session ended is not repeated after sign-in.
    give = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/give"
    posted = client.post(give, data={"csrf_token": csrf_token(client, "/sign-in")})
    assert posted.status_code == 302
    assert "next" not in parse_qs(urlsplit(posted.headers["Location"]).query)
    assert urlsplit(posted.headers["Location"]).path == location.path


def test_calendar_feed_answers_only_a_live_token(app, session):
    from family_app.account.feeds import new_feed, revoke_feeds

    family = make_family(session)
    token = new_feed(session, family.guardians[0])
    session.commit()
    client = app.test_client()
    assert client.get(f"/feeds/{token}/calendar.ics").status_code == 200
    assert client.get(f"/feeds/{token}x/calendar.ics").status_code == 404
    revoke_feeds(session, family.guardians[0])
    session.commit()
    assert client.get(f"/feeds/{token}/calendar.ics").status_code == 404


def test_a_passkey_is_managed_only_by_its_owner(app, session):
    family = make_family(session)
    mine, theirs = (
        Credential(person_id=person.id, credential_id=bytes([n]) * 16, public_key=b"k", name="Min")
        for n, person in enumerate(family.guardians, start=1)
    )
    session.add_all([mine, theirs])
    session.commit()
    client = _as(app, family.guardians[0])
    assert client.get(f"/account/devices/{mine.id}/remove").status_code == 200
    assert client.get(f"/account/devices/{theirs.id}/remove").status_code == 404
    assert client.get("/account/devices/999999/remove").status_code == 404
    token = csrf_token(client, "/account/devices")
    renamed = client.post(
        f"/account/devices/{theirs.id}/rename", data={"csrf_token": token, "name": "Stulen"}
    )
    assert renamed.status_code == 404
    session.refresh(theirs)
    assert theirs.name == "Min"


def test_coordinator_invites_the_family_and_no_one_else(app, session):
    family = make_family(session)
    other = make_family(session)
    coordinator = _as(app, family.coordinator)
    people = f"/workspace/plans/{family.plan.id}/people"
    token = csrf_token(coordinator, people)
    for person in (family.child, family.guardians[0]):
        invited = coordinator.post(f"{people}/{person.id}/invitation", data={"csrf_token": token})
        assert invited.status_code == 200, person.display_name
    for person in (family.professional, family.coordinator, other.child, other.guardians[0]):
        refused = coordinator.post(f"{people}/{person.id}/invitation", data={"csrf_token": token})
        assert refused.status_code == 404, person.display_name
    professional = _as(app, family.professional)
    token = csrf_token(professional, f"/plans/{family.plan.id}")
    refused = professional.post(
        f"{people}/{family.child.id}/invitation", data={"csrf_token": token}
    )
    assert refused.status_code == 404


def test_refused_attempt_is_recorded_for_staff_only(app, session):
    family = make_family(session, consent=False)
    other = make_family(session)
    assert _as(app, family.professional).get(f"/plans/{family.plan.id}").status_code == 404
    assert _as(app, other.guardians[0]).get(f"/plans/{family.plan.id}").status_code == 404
    assert _as(app, other.professional).get(f"/plans/{family.plan.id}").status_code == 404
    refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()
    assert [
        (e.actor_id, e.actor_agency_id, e.plan_id, e.object_type, e.object_id, e.detail)
        for e in refused
    ] == [
        (
            family.professional.id,
            family.professional_agency.id,
            family.plan.id,
            "plan",
            family.plan.id,
            "no_consent",
        )
    ]
    assert _as(app, family.coordinator).get("/plans/999999").status_code == 404


def test_a_meeting_or_plan_that_does_not_exist_answers_404(app, session):
    family = make_family(session)
    coordinator = _as(app, family.coordinator)
    for path in ("/meetings/999999", "/meetings/999999/prepare", "/plans/999999/consent"):
        assert coordinator.get(path).status_code == 404, path
    assert coordinator.get(f"/meetings/{family.meeting.id}/prepare").status_code == 200

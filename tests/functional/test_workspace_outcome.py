"""After the meeting (issue 11): who took part, how the child took part and how the
child's views were taken into account; the decisions as who does what by when, each
with a text for the child; answers to wishes published only once the meeting has
started; ``meeting_soon`` the day before; workspace times without seconds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import escape
from sqlalchemy import select

from family_app.models import (
    Action,
    AuditEvent,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    Notification,
    PlanStatus,
)
from family_app.notifications import remind_meetings_soon
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person

STOCKHOLM = ZoneInfo("Europe/Stockholm")

SUMMARY = "Vi pratade om skolan och sömnen."
VIEWS_USED = "Barnet ville börja senare på morgonen. Skolan provar det i fyra veckor."
VIEWS_USED_CHILD = "Du sa att morgnarna är svåra. Nu börjar du klockan nio."
WHAT = "BUP gör en utredning av sömnen och skickar remiss."
CHILD_WHAT = "Maja på BUP hjälper dig att sova bättre."


def _post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, "/workspace/"), **data})


def _as(app, person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


def _start(session, meeting: Meeting, hours: int = 1) -> None:
    """The meeting began ``hours`` ago."""
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=hours)
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    session.commit()


def _attend(session, family) -> tuple[MeetingAttendee, MeetingAttendee]:
    coordinator = MeetingAttendee(
        meeting_id=family.meeting.id, person_id=family.coordinator.id, role="Samordnare"
    )
    professional = MeetingAttendee(
        meeting_id=family.meeting.id, person_id=family.professional.id, role="Psykolog"
    )
    session.add_all([coordinator, professional])
    session.commit()
    return coordinator, professional


def _outcome_path(family) -> str:
    return f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/outcome"


def _decisions_path(family) -> str:
    return f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/decisions"


def _outcome_form(version: int = 1, **changes) -> dict:
    form = {
        "version": str(version),
        "child_participation": "part",
        "summary": SUMMARY,
        "child_views_used": VIEWS_USED,
        "child_views_used_child": VIEWS_USED_CHILD,
    }
    form.update(changes)
    return form


# --- the outcome -------------------------------------------------------------------------


def test_coordinator_records_the_outcome_and_the_family_is_told(app, session):
    family = make_family(session)
    here, away = _attend(session, family)
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    assert client.get(_outcome_path(family)).status_code == 200
    response = _post(client, _outcome_path(family), {**_outcome_form(), "took_part": [here.id]})
    assert response.status_code == 303
    session.expire_all()
    meeting = session.get(Meeting, family.meeting.id)
    assert meeting.status == MeetingStatus.HELD
    assert (meeting.summary, meeting.child_views_used, meeting.child_participation) == (
        SUMMARY,
        VIEWS_USED,
        "part",
    )
    assert session.get(MeetingAttendee, here.id).attended is True
    assert session.get(MeetingAttendee, away.id).attended is False
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.detail == "outcome"))
    # Everyone in the family is told that something is new, never what.
    told = session.scalars(select(Notification).where(Notification.plan_id == family.plan.id)).all()
    assert {n.person_id for n in told} == {family.child.id, *(g.id for g in family.guardians)}
    assert {n.kind for n in told} == {"plan_changed"}

    # The child reads the text written for the child; the guardians the adult text.
    child_page = _as(app, family.child).get(f"/meetings/{family.meeting.id}")
    child_html = child_page.get_data(as_text=True)
    assert str(escape(VIEWS_USED_CHILD)) in child_html
    assert str(escape(VIEWS_USED)) not in child_html
    assert "Så använde vi dina tankar" in child_html
    guardian_html = (
        _as(app, family.guardians[0]).get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
    )
    assert str(escape(VIEWS_USED)) in guardian_html
    assert str(escape(VIEWS_USED_CHILD)) not in guardian_html
    assert "De här var med" in guardian_html
    assert "Barnet var med på en del av mötet." in guardian_html


def test_without_a_child_text_the_child_reads_the_adult_text(app, session):
    family = make_family(session)
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    form = _outcome_form(child_views_used_child="")
    assert _post(client, _outcome_path(family), form).status_code == 303
    html = _as(app, family.child).get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
    assert str(escape(VIEWS_USED)) in html


def test_no_outcome_before_the_meeting_starts_nor_for_a_cancelled_one(app, session):
    family = make_family(session)
    client = _as(app, family.coordinator)
    assert client.get(_outcome_path(family)).status_code == 404  # five days ahead
    _start(session, family.meeting)
    family.meeting.status = MeetingStatus.CANCELLED
    session.commit()
    assert client.get(_outcome_path(family)).status_code == 404
    assert _post(client, _outcome_path(family), _outcome_form()).status_code == 404


def test_only_the_coordinator_records_the_outcome_and_only_in_their_plan(app, session):
    family = make_family(session)
    other = make_family(session)
    _start(session, family.meeting)
    assert _as(app, family.professional).get(_outcome_path(family)).status_code == 404
    assert _as(app, family.guardians[0]).get(_outcome_path(family)).status_code == 404
    # The other plan's coordinator, with this meeting under their own plan's address.
    wrong = f"/workspace/plans/{other.plan.id}/meetings/{family.meeting.id}/outcome"
    assert _as(app, other.coordinator).get(wrong).status_code == 404


def test_bad_outcome_input_keeps_the_text_and_saves_nothing(app, session):
    family = make_family(session)
    _attend(session, family)
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    cases = [
        _outcome_form(summary=""),
        _outcome_form(child_views_used=""),
        _outcome_form(child_participation="kanske"),
        _outcome_form(child_participation="represented_by", child_represented_by=""),
        _outcome_form(summary="<script>alert(1)</script>"),
        _outcome_form(summary="x" * 6000),
        _outcome_form(took_part="999999"),
        _outcome_form(version="abc"),
    ]
    for form in cases:
        response = _post(client, _outcome_path(family), form)
        assert response.status_code == 400, form
        html = response.get_data(as_text=True)
        assert "Något behöver rättas" in html
        assert str(escape(VIEWS_USED_CHILD)) in html  # the typed text is kept
    session.expire_all()
    meeting = session.get(Meeting, family.meeting.id)
    assert meeting.status == MeetingStatus.PLANNED and meeting.summary == ""
    assert session.scalar(select(Notification.id)) is None


def test_two_people_recording_the_outcome_get_the_conflict_page(app, session):
    family = make_family(session)
    _start(session, family.meeting)
    first = _as(app, family.coordinator)
    second = _as(app, family.coordinator)
    assert _post(first, _outcome_path(family), _outcome_form(version=1)).status_code == 303
    late = _post(second, _outcome_path(family), _outcome_form(version=1, summary="Min version"))
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert SUMMARY in html and "Min version" in html  # both texts on one page
    assert 'name="version" type="hidden" value="2"' in html
    session.expire_all()
    assert session.get(Meeting, family.meeting.id).summary == SUMMARY
    # Saving again from the conflict page is a conscious choice, and it wins.
    again = _post(second, _outcome_path(family), _outcome_form(version=2, summary="Min version"))
    assert again.status_code == 303
    session.expire_all()
    assert session.get(Meeting, family.meeting.id).summary == "Min version"


# --- decisions ---------------------------------------------------------------------------


def _decision_form(family, **changes) -> dict:
    form = {
        "version": "0",
        "what": WHAT,
        "child_what": CHILD_WHAT,
        "agency_id": str(family.professional_agency.id),
        "person_id": str(family.professional.id),
        "by_date": (date.today() + timedelta(days=30)).isoformat(),
    }
    form.update(changes)
    return form


def _hold(app, session, family) -> None:
    """The meeting was held and its outcome recorded."""
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    assert _post(client, _outcome_path(family), _outcome_form()).status_code == 303


def test_a_decision_with_a_child_text_the_child_reads_instead(app, session):
    family = make_family(session)
    _hold(app, session, family)
    client = _as(app, family.coordinator)
    assert client.get(f"{_decisions_path(family)}/new").status_code == 200
    response = _post(client, f"{_decisions_path(family)}/new", _decision_form(family))
    assert response.status_code == 303
    decision = session.scalar(select(Decision))
    assert (decision.what, decision.child_what) == (WHAT, CHILD_WHAT)
    assert session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.object_type == "decision", AuditEvent.object_id == decision.id
        )
    )
    meeting_page = f"/meetings/{family.meeting.id}"
    child_html = _as(app, family.child).get(meeting_page).get_data(as_text=True)
    assert str(escape(CHILD_WHAT)) in child_html and str(escape(WHAT)) not in child_html
    guardian_html = _as(app, family.guardians[0]).get(meeting_page).get_data(as_text=True)
    assert str(escape(WHAT)) in guardian_html and str(escape(CHILD_WHAT)) not in guardian_html
    # The next steps show the decision's deadline in the child's words too.
    next_html = _as(app, family.child).get(f"/plans/{family.plan.id}/next").get_data(as_text=True)
    assert str(escape(CHILD_WHAT)) in next_html and str(escape(WHAT)) not in next_html
    # The workspace page lists it, with a way to change it.
    after = client.get(f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/after")
    assert str(escape(WHAT)) in after.get_data(as_text=True)


def test_a_child_asked_from_6_needs_a_child_text_a_younger_one_does_not(app, session):
    family = make_family(session, child_age=10)
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    path = f"{_decisions_path(family)}/new"
    missing = _post(client, path, _decision_form(family, child_what=""))
    assert missing.status_code == 400
    assert "Skriv beslutet till barnet" in missing.get_data(as_text=True)
    assert str(escape(WHAT)) in missing.get_data(as_text=True)
    little = make_family(session, child_age=4)
    _start(session, little.meeting)
    path = f"/workspace/plans/{little.plan.id}/meetings/{little.meeting.id}/decisions/new"
    fine = _post(_as(app, little.coordinator), path, _decision_form(little, child_what=""))
    assert fine.status_code == 303


def test_bad_decision_input_is_refused_and_nothing_saved(app, session):
    family = make_family(session)
    other = make_family(session)
    outsider = make_agency(session)
    stranger = make_person(session, "Okänd", agency_id=outsider.id)
    session.commit()
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    path = f"{_decisions_path(family)}/new"
    meeting_day = family.meeting.starts_at.astimezone(STOCKHOLM).date()
    cases = [
        _decision_form(family, what=""),
        _decision_form(family, agency_id=str(outsider.id)),  # not an agency of the plan
        _decision_form(family, agency_id=str(other.professional_agency.id)),
        _decision_form(family, person_id=str(stranger.id)),  # not in the team
        _decision_form(family, person_id=str(other.coordinator.id)),  # another plan's
        _decision_form(family, by_date=(meeting_day - timedelta(days=1)).isoformat()),
        _decision_form(family, by_date="2026-02-30"),
        _decision_form(family, what="a\x00b"),
        _decision_form(family, child_what="<b>hej</b>"),
    ]
    for form in cases:
        response = _post(client, path, form)
        assert response.status_code == 400, form
    assert session.scalar(select(Decision.id)) is None


def test_a_professional_decides_for_their_own_agency_only(app, session):
    family = make_family(session)
    _hold(app, session, family)
    coordinator = _as(app, family.coordinator)
    _post(
        coordinator,
        f"{_decisions_path(family)}/new",
        _decision_form(family, agency_id=str(family.coordinator_agency.id), what="Samordnaren"),
    )
    theirs = session.scalar(select(Decision).where(Decision.what == "Samordnaren"))
    professional = _as(app, family.professional)
    path = f"{_decisions_path(family)}/new"
    other_agency = _decision_form(family, agency_id=str(family.coordinator_agency.id))
    assert _post(professional, path, other_agency).status_code == 400
    assert _post(professional, path, _decision_form(family, agency_id="")).status_code == 400
    assert _post(professional, path, _decision_form(family)).status_code == 303
    own = session.scalar(select(Decision).where(Decision.what == WHAT))
    assert own.agency_id == family.professional_agency.id
    base = _decisions_path(family)
    assert professional.get(f"{base}/{own.id}").status_code == 200
    assert professional.get(f"{base}/{theirs.id}").status_code == 404
    assert professional.get(f"{base}/{theirs.id}/remove").status_code == 404


def test_editing_a_stale_decision_shows_both_texts_and_removing_asks_first(app, session):
    family = make_family(session)
    _hold(app, session, family)
    client = _as(app, family.coordinator)
    _post(client, f"{_decisions_path(family)}/new", _decision_form(family))
    decision = session.scalar(select(Decision))
    decision_id = decision.id
    path = f"{_decisions_path(family)}/{decision_id}"
    first = _post(client, path, _decision_form(family, version="1", what="Första ändringen"))
    assert first.status_code == 303
    stale = _post(client, path, _decision_form(family, version="1", what="Andra ändringen"))
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Första ändringen" in html and "Andra ändringen" in html
    session.expire_all()
    assert session.get(Decision, decision.id).what == "Första ändringen"

    remove = f"{path}/remove"
    assert "Vill du ta bort beslutet?" in client.get(remove).get_data(as_text=True)
    assert _post(client, remove, {"version": "1"}).status_code == 303  # stale: kept
    session.expire_all()
    assert session.get(Decision, decision.id) is not None
    assert _post(client, remove, {"version": "2"}).status_code == 303
    session.expire_all()
    assert session.scalar(select(Decision.id).where(Decision.id == decision_id)) is None
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.detail == "removed"))


def test_a_decision_of_a_hidden_agency_stays_hidden_from_guardians(app, session):
    """Rule 6: the professional's agency is hidden from guardians by a harm flag on
    its only action; its decision reaches the child, never the guardians (neither
    the page nor a notification)."""
    family = make_family(session)
    action = session.get(Action, family.action.id)
    action.harm_flag = True
    session.commit()
    _hold(app, session, family)
    session.execute(Notification.__table__.delete())
    session.commit()
    client = _as(app, family.coordinator)
    assert _post(client, f"{_decisions_path(family)}/new", _decision_form(family)).status_code == (
        303
    )
    meeting_page = f"/meetings/{family.meeting.id}"
    guardian_html = _as(app, family.guardians[0]).get(meeting_page).get_data(as_text=True)
    assert str(escape(WHAT)) not in guardian_html
    assert family.professional_agency.name not in guardian_html
    child_html = _as(app, family.child).get(meeting_page).get_data(as_text=True)
    assert str(escape(CHILD_WHAT)) in child_html
    told = set(session.scalars(select(Notification.person_id)))
    assert told == {family.child.id}


def test_decisions_need_a_meeting_that_has_started(app, session):
    family = make_family(session)
    client = _as(app, family.coordinator)
    assert client.get(f"{_decisions_path(family)}/new").status_code == 404
    after = f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/after"
    assert client.get(after).status_code == 404


# --- answers to wishes: only once the meeting has started --------------------------------


def test_answers_to_wishes_are_published_only_after_the_meeting_has_started(app, session):
    family = make_family(session)
    client = _as(app, family.coordinator)
    prepare = f"/meetings/{family.meeting.id}/prepare"
    token = csrf_token(client, prepare)
    html = client.get(prepare).get_data(as_text=True)
    assert f"/meetings/{family.meeting.id}/feedback" not in html  # no button before
    early = client.post(
        f"/meetings/{family.meeting.id}/feedback",
        data={"csrf_token": token, "participation": "present"},
    )
    assert early.status_code == 409
    assert "först när mötet har börjat" in early.get_data(as_text=True)
    session.expire_all()
    assert session.get(Meeting, family.meeting.id).feedback_published_at is None
    _start(session, family.meeting)
    later = client.post(
        f"/meetings/{family.meeting.id}/feedback",
        data={"csrf_token": token, "participation": "present"},
    )
    assert later.status_code == 303
    session.expire_all()
    assert session.get(Meeting, family.meeting.id).feedback_published_at is not None


def test_the_workspace_meeting_page_leads_to_the_answers(app, session):
    family = make_family(session)
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    html = client.get(
        f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/after"
    ).get_data(as_text=True)
    assert f"/meetings/{family.meeting.id}/prepare" in html
    plan_html = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert f"/meetings/{family.meeting.id}/after" in plan_html


# --- meeting_soon the day before ---------------------------------------------------------


def _tomorrow_at(hour: int) -> datetime:
    tomorrow = datetime.now(STOCKHOLM).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(hour), STOCKHOLM).astimezone(UTC)


def _move(session, meeting: Meeting, starts_at: datetime) -> None:
    meeting.starts_at = starts_at
    meeting.ends_at = starts_at + timedelta(hours=1)
    session.commit()


def _reminded(session) -> set[tuple[int, int]]:
    return {
        (n.person_id, n.object_id)
        for n in session.scalars(select(Notification).where(Notification.kind == "meeting_soon"))
    }


def test_meeting_soon_the_day_before_once_for_each_family_member(app, session):
    family = make_family(session)
    _move(session, family.meeting, _tomorrow_at(9))
    later = make_family(session)  # in two days: not yet
    _move(session, later.meeting, _tomorrow_at(9) + timedelta(days=1))
    cancelled = make_family(session)
    _move(session, cancelled.meeting, _tomorrow_at(10))
    cancelled.meeting.status = MeetingStatus.CANCELLED
    draft = make_family(session, status=PlanStatus.DRAFT)
    _move(session, draft.meeting, _tomorrow_at(11))
    session.commit()

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["reminders"])
    assert result.exit_code == 0, result.output
    assert "3 meeting reminder(s) sent." in result.output
    m = family.meeting.id
    expected = {(family.child.id, m), *((g.id, m) for g in family.guardians)}
    assert _reminded(session) == expected  # never the team, a cancelled meeting, a draft
    # Twice the same day: nothing new.
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["reminders"]).exit_code == 0
    assert remind_meetings_soon(session) == 0
    assert len(session.scalars(select(Notification)).all()) == 3


def test_meeting_soon_never_tells_a_guardian_of_a_meeting_of_a_hidden_agency(app, session):
    """Everyone invited comes from an agency hidden from the guardians (rule 6): the
    child is reminded, the guardians are not."""
    family = make_family(session)
    _move(session, family.meeting, _tomorrow_at(15))
    session.add(MeetingAttendee(meeting_id=family.meeting.id, person_id=family.professional.id))
    session.get(Action, family.action.id).harm_flag = True
    session.commit()
    assert remind_meetings_soon(session) == 1
    assert _reminded(session) == {(family.child.id, family.meeting.id)}


# --- times in the workspace --------------------------------------------------------------


def test_workspace_times_show_hours_and_minutes_in_stockholm_time(app, session):
    family = make_family(session)
    _move(session, family.meeting, _tomorrow_at(14))
    html = _as(app, family.coordinator).get(f"/workspace/plans/{family.plan.id}")
    text = html.get_data(as_text=True)
    assert "14:00" in text
    assert "14:00:00" not in text and "CET" not in text and "CEST" not in text


def test_someone_who_was_not_invited_is_refused_in_the_readers_language(app, session):
    family = make_family(session)
    _attend(session, family)
    _start(session, family.meeting)
    client = _as(app, family.coordinator)
    response = _post(client, _outcome_path(family), _outcome_form(took_part="abc"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Välj ett av alternativen i listan." in html and "not a valid choice" not in html

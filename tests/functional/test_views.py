"""The child's voice before a meeting (DESIGN.md rules 5 and 8), and the loop back."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from markupsafe import escape
from sqlalchemy import select

from family_app.models import (
    AgendaItem,
    Notification,
    Statement,
    StatementAnswer,
    WishResponse,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family

HX = {"HX-Request": "true"}


def _step(family, key: str) -> str:
    return f"/meetings/{family.meeting.id}/my-views/{key}"


def _write(client, family, key: str, text: str, audience: str = "everyone", **extra):
    token = csrf_token(client, _step(family, key))
    data = {"csrf_token": token, "text": text, "audience": audience, "go": "next", **extra}
    return client.post(_step(family, key), data=data)


def _send(client, family):
    path = f"/meetings/{family.meeting.id}/my-views/send"
    return client.post(path, data={"csrf_token": csrf_token(client, path.rsplit("/", 1)[0])})


@pytest.fixture
def family(session):
    return make_family(session, child_age=12)


def _start_meeting(session, meeting) -> None:
    """The meeting begins: views become read-only and answers may be published."""
    meeting.starts_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()


def _as(app, person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


def test_child_answers_one_question_at_a_time_and_sends(app, session, family):
    child = _as(app, family.child)
    page = child.get(_step(family, "going_well")).get_data(as_text=True)
    assert "Fråga 1 av 7" in page and "Vad går bra just nu?" in page
    assert "Alla utom mina vårdnadshavare får läsa" in page  # audience choice in child words
    response = _write(child, family, "going_well", "Fotbollen", mood="happy", picks="friends")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/my-views/hard")
    statement = session.scalar(select(Statement))
    assert statement.mood == "happy" and statement.status == "draft"
    assert statement.answers[0].picks == "friends"
    assert _send(child, family).status_code == 303
    session.refresh(statement)
    assert statement.status == "submitted" and statement.submitted_at is not None
    overview = child.get(f"/meetings/{family.meeting.id}/my-views").get_data(as_text=True)
    assert "Skickat" in overview
    notes = session.scalars(
        select(Notification.kind).where(Notification.person_id == family.coordinator.id)
    ).all()
    assert notes == ["views_submitted"]
    _send(child, family)  # sending again sends changes; nobody is told twice
    assert (
        len(
            session.scalars(
                select(Notification).where(Notification.person_id == family.coordinator.id)
            ).all()
        )
        == 1
    )


def test_autosave_saves_quietly_and_says_so(app, session, family):
    child = _as(app, family.child)
    token = csrf_token(child, _step(family, "hard"))
    response = child.post(
        _step(family, "hard") + "/autosave",
        data={"csrf_token": token, "text": "Matten", "audience": "everyone"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "Sparat klockan" in response.get_data(as_text=True)
    assert session.scalar(select(StatementAnswer.text)) == "Matten"


def test_validation_error_keeps_what_was_typed(app, session, family):
    child = _as(app, family.child)
    too_long = "a" * 20_001
    response = _write(child, family, "hard", too_long)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert too_long in html and "för mycket text" in html
    bad_audience = _write(child, family, "hard", "Min text", audience="the_world")
    assert bad_audience.status_code == 400 and "Min text" in bad_audience.get_data(as_text=True)


def test_guardian_cannot_choose_not_for_guardians_but_child_can(app, session, family):
    guardian = _as(app, family.guardians[0])
    assert _write(guardian, family, "hard", "x", audience="not_guardians").status_code == 400
    child = _as(app, family.child)
    assert _write(child, family, "hard", "x", audience="not_guardians").status_code == 303


def test_full_text_reaches_the_team_byte_for_byte(app, session, family):
    text = (
        "Första raden\n\nAndra stycket med emoji 😀🌧️ och arabiska: مرحبا بكم\n" * 200
        + "Sista raden utan radbrytning"
    )
    child = _as(app, family.child)
    _write(child, family, "adults_know", text)
    _send(child, family)
    assert session.scalar(select(StatementAnswer.text)) == text
    coordinator = _as(app, family.coordinator)
    html = coordinator.get(f"/meetings/{family.meeting.id}/prepare").get_data(as_text=True)
    assert str(escape(text)) in html
    professional = _as(app, family.professional)
    html = professional.get(f"/meetings/{family.meeting.id}/prepare").get_data(as_text=True)
    assert str(escape(text)) in html


def test_read_only_once_the_meeting_has_started(app, session, family):
    child = _as(app, family.child)
    _write(child, family, "hard", "Före mötet")
    family.meeting.starts_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    response = _write(child, family, "hard", "Efter start")
    assert response.status_code == 400 and "Mötet har redan börjat" in response.get_data(
        as_text=True
    )
    assert session.scalar(select(StatementAnswer.text)) == "Före mötet"
    page = child.get(_step(family, "hard")).get_data(as_text=True)
    assert "readonly" in page and "Före mötet" in page
    assert _send(child, family).status_code == 303
    assert session.scalar(select(Statement.status)) == "draft"


def _expire(client) -> None:
    with client.session_transaction() as sess:
        sess["seen"] = time.time() - 24 * 3600


def test_draft_survives_session_expiry_and_comes_back_after_sign_in(app, session, family):
    child = _as(app, family.child)
    token = csrf_token(child, _step(family, "want_help"))
    child.post(
        _step(family, "want_help") + "/autosave",
        data={"csrf_token": token, "text": "Jag vill", "audience": "everyone"},
        headers=HX,
    )
    _expire(child)
    # The child typed on while the session ran out; the autosave says so, keeps the text.
    late = child.post(
        _step(family, "want_help") + "/autosave",
        data={"csrf_token": token, "text": "Jag vill ha hjälp med läxorna", "audience": "everyone"},
        headers=HX,
    )
    assert late.status_code == 401
    assert "det du skrev är sparat" in late.get_data(as_text=True)
    page = child.get(_step(family, "want_help"))
    assert page.status_code == 302 and "next=" in page.headers["Location"]
    sign_in_as(child, family.child)
    html = child.get(_step(family, "want_help")).get_data(as_text=True)
    assert "Jag vill ha hjälp med läxorna" in html
    assert session.scalar(select(StatementAnswer.text)) == "Jag vill ha hjälp med läxorna"


def test_form_post_after_expiry_is_kept_too(app, session, family):
    child = _as(app, family.child)
    token = csrf_token(child, _step(family, "hard"))
    _expire(child)
    response = child.post(
        _step(family, "hard"), data={"csrf_token": token, "text": "Sent", "audience": "coordinator"}
    )
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    sign_in_as(child, family.child)
    child.get(_step(family, "hard"))
    answer = session.scalar(select(StatementAnswer))
    assert (answer.text, answer.audience) == ("Sent", "coordinator")


def test_someone_elses_pending_text_never_lands_in_my_draft(app, session, family):
    other = make_family(session)
    stranger = app.test_client()
    token = csrf_token(stranger, "/sign-in")
    stranger.post(_step(family, "hard"), data={"csrf_token": token, "text": "Inskjutet"})
    sign_in_as(stranger, other.guardians[0])
    assert stranger.get(_step(family, "hard")).status_code == 404
    assert session.scalar(select(StatementAnswer)) is None


def test_coordinator_answers_each_wish_and_publishing_tells_the_child(app, session, family):
    child = _as(app, family.child)
    _write(child, family, "want_help", "Läxhjälp")
    _write(child, family, "who_attend", "Mormor")
    _send(child, family)
    answers = {a.prompt: a for a in session.scalars(select(StatementAnswer))}
    coordinator = _as(app, family.coordinator)
    prepare = f"/meetings/{family.meeting.id}/prepare"
    token = csrf_token(coordinator, prepare)
    path = f"/meetings/{family.meeting.id}/answers/{answers['who_attend'].id}/response"
    missing_reason = coordinator.post(
        path, data={"csrf_token": token, "outcome": "not_now", "reason": ""}
    )
    assert missing_reason.status_code == 400
    assert "Skriv varför" in missing_reason.get_data(as_text=True)
    coordinator.post(
        path,
        data={
            "csrf_token": token,
            "outcome": "not_now",
            "reason": "Mormor bor långt bort, vi ringer henne.",
        },
    )
    path = f"/meetings/{family.meeting.id}/answers/{answers['want_help'].id}/response"
    coordinator.post(path, data={"csrf_token": token, "outcome": "agreed", "reason": ""})
    assert len(session.scalars(select(WishResponse)).all()) == 2

    wishes = f"/meetings/{family.meeting.id}/wishes"
    assert "inte skrivit sina svar än" in child.get(wishes).get_data(as_text=True)
    feedback = f"/meetings/{family.meeting.id}/feedback"
    early = coordinator.post(feedback, data={"csrf_token": token, "participation": "part"})
    assert early.status_code == 409  # answers are published once the meeting has started
    assert "inte skrivit sina svar än" in child.get(wishes).get_data(as_text=True)
    _start_meeting(session, family.meeting)
    coordinator.post(feedback, data={"csrf_token": token, "participation": "part"})
    html = child.get(wishes).get_data(as_text=True)
    assert "Ja, så blir det." in html and "Mormor bor långt bort" in html
    assert "en del av mötet" in html
    kinds = session.scalars(
        select(Notification.kind).where(Notification.person_id == family.child.id)
    ).all()
    assert kinds == ["wish_answered"]


def test_topic_from_a_view_goes_on_the_agenda_by_reference_not_copy(app, session, family):
    """Decision 12: the agenda item points at the answer; no copy of the child's
    text is made, so the child's audience travels with it."""
    child = _as(app, family.child)
    _write(child, family, "hard", "Rasterna är svåra", audience="not_guardians")
    _send(child, family)
    answer = session.scalar(select(StatementAnswer))
    coordinator = _as(app, family.coordinator)
    token = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    for _twice in range(2):
        coordinator.post(
            f"/meetings/{family.meeting.id}/answers/{answer.id}/agenda",
            data={"csrf_token": token},
        )
    items = session.scalars(select(AgendaItem)).all()
    assert [(i.answer_id, i.text, i.source) for i in items] == [(answer.id, "", "child")]


# --- the audience matrix ------------------------------------------------------------------

MARKERS = {
    "everyone": "MARK-EVERYONE-1",
    "coordinator": "MARK-COORDINATOR-2",
    "not_guardians": "MARK-NOTGUARDIANS-3",
}
EXPECTED = {
    # reader -> audiences whose text that reader may see somewhere
    "child": {"everyone", "coordinator", "not_guardians"},
    "guardian": {"everyone"},
    "other_guardian": {"everyone"},
    "coordinator": {"everyone", "coordinator", "not_guardians"},
    "professional": {"everyone", "not_guardians"},
}


def test_audience_matrix_every_route_every_reader(app, session, family):
    """Each audience x each reader, through every page, fragment, export and
    notification that can show a view: a guardian never sees "not for my guardians"."""
    child = _as(app, family.child)
    keys = {"everyone": "hard", "coordinator": "adults_know", "not_guardians": "want_help"}
    for audience, key in keys.items():
        _write(child, family, key, f"{MARKERS[audience]} text", audience=audience)
    _send(child, family)
    coordinator = _as(app, family.coordinator)
    token = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    for answer in session.scalars(select(StatementAnswer)):
        base = f"/meetings/{family.meeting.id}/answers/{answer.id}"
        coordinator.post(f"{base}/agenda", data={"csrf_token": token})
        if answer.prompt == "want_help":
            coordinator.post(
                f"{base}/response",
                data={"csrf_token": token, "outcome": "agreed", "reason": "Svar på MARK-REPLY-4"},
            )
    _start_meeting(session, family.meeting)
    coordinator.post(
        f"/meetings/{family.meeting.id}/feedback",
        data={"csrf_token": token, "participation": "present"},
    )

    readers = {
        "child": family.child,
        "guardian": family.guardians[0],
        "other_guardian": family.guardians[1],
        "coordinator": family.coordinator,
        "professional": family.professional,
    }
    m, p = family.meeting.id, family.plan.id
    routes = [
        (f"/meetings/{m}", {}),
        (f"/meetings/{m}", HX),
        (f"/meetings/{m}/prepare", {}),
        (f"/meetings/{m}/prepare", HX),
        (f"/meetings/{m}/wishes", {}),
        (f"/meetings/{m}/my-views", {}),
        (f"/plans/{p}", {}),
        (f"/plans/{p}/next", HX),
        (f"/plans/{p}/meetings", {}),
        ("/account/notifications", {}),
        (f"/meetings/{m}/calendar.ics", {}),
    ] + [(f"/meetings/{m}/my-views/{key}", {}) for key in keys.values()]
    for name, person in readers.items():
        client = _as(app, person)
        seen: set[str] = set()
        for path, headers in routes:
            response = client.get(path, headers=headers)
            assert response.status_code in (200, 404), (name, path, response.status_code)
            body = response.get_data(as_text=True)
            if path.endswith(".ics") and response.status_code == 200:
                body = str(
                    icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]["description"]
                )
            seen |= {aud for aud, marker in MARKERS.items() if marker in body}
            if name in ("guardian", "other_guardian"):
                assert MARKERS["not_guardians"] not in body, (name, path)
                assert "MARK-REPLY-4" not in body, (name, path)
        # the calendar feed, too
        feed_token = csrf_token(client, "/account/calendar")
        html = client.post("/account/calendar/feed", data={"csrf_token": feed_token}).get_data(
            as_text=True
        )
        feed_path = html.split('readonly value="http://localhost:5000', 1)[1].split('"', 1)[0]
        feed = app.test_client().get(feed_path)
        descriptions = " ".join(
            str(e.get("description", ""))
            for e in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
        )
        seen |= {aud for aud, marker in MARKERS.items() if marker in descriptions}
        if name in ("guardian", "other_guardian"):
            assert MARKERS["not_guardians"] not in descriptions
        assert seen == EXPECTED[name], (name, seen)

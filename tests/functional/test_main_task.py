"""Issue 12: the child's main task comes first. While a meeting with views open is
coming, the home page and the menu say "Mina tankar inför mötet" and how many
questions are left; the overview says, before sending, who may read each answer;
each notice opens the page it is about, and never carries the child's words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from family_app.extensions import db
from family_app.models import (
    Action,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    Notification,
    PlanMember,
)
from family_app.notifications import notify
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family, make_person

QUESTIONS = 7


@pytest.fixture
def family(session):
    return make_family(session, child_age=12)


def _as(app, person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


def _step(meeting_id: int, key: str) -> str:
    return f"/meetings/{meeting_id}/my-views/{key}"


def _write(client, meeting_id: int, key: str, text: str, audience: str = "everyone", **extra):
    token = csrf_token(client, _step(meeting_id, key))
    data = {"csrf_token": token, "text": text, "audience": audience, "go": "next", **extra}
    response = client.post(_step(meeting_id, key), data=data)
    assert response.status_code == 303, response.get_data(as_text=True)


def _send(client, meeting_id: int) -> None:
    path = f"/meetings/{meeting_id}/my-views"
    response = client.post(f"{path}/send", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 303


def _left(html: str) -> int | None:
    """The count the home page card shows, or None without a card."""
    card = re.search(r'class="panel views-due".*?</section>', html, re.S)
    if card is None:
        return None
    match = re.search(r"(\d+) fråg(?:a|or) kvar", card.group(0))
    assert match, card.group(0)
    return int(match.group(1))


def _menu_left(html: str) -> int | None:
    nav = re.search(r'<nav class="plan-nav".*?</nav>', html, re.S).group(0)
    match = re.search(r"Mina tankar inför mötet <span class=\"badge\">(\d+) fråg(?:a|or) kvar", nav)
    return int(match.group(1)) if match else None


# --- the card and the menu ---------------------------------------------------------------


def test_child_home_and_menu_count_the_questions_left_in_their_own_draft(app, session, family):
    child = _as(app, family.child)
    m = family.meeting.id
    home = child.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Mina tankar inför mötet" in home
    assert _left(home) == QUESTIONS and _menu_left(home) == QUESTIONS
    assert f'href="/meetings/{m}/my-views"' in home
    assert "Du har inte skickat än." not in home  # nothing started yet

    _write(child, m, "going_well", "Fotbollen")
    _write(child, m, "want_help", "", picks="school")  # pictures alone are an answer
    _write(child, m, "hard", "  \n\t ")  # blanks are not
    page = child.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert _left(page) == QUESTIONS - 2 and _menu_left(page) == QUESTIONS - 2
    assert "Du har inte skickat än." in page
    # The overview agrees with the count, question by question.
    overview = child.get(f"/meetings/{m}/my-views").get_data(as_text=True)
    assert overview.count("Inte svarat") == QUESTIONS - 2
    assert _menu_left(overview) == QUESTIONS - 2
    assert 'aria-current="page">Mina tankar inför mötet' in overview

    _send(child, m)
    page = child.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Skickat" in page and "Du har inte skickat än." not in page
    # Views stay open until the meeting starts, so the card stays until then.
    assert _left(page) == QUESTIONS - 2
    # Another page of the plan carries the menu with the count.
    assert _menu_left(child.get(f"/plans/{family.plan.id}/people").get_data(as_text=True)) == 5


def test_each_writer_counts_their_own_answers_and_others_get_no_card(app, session, family):
    m = family.meeting.id
    _write(_as(app, family.child), m, "going_well", "Bra")
    guardian = _as(app, family.guardians[0])
    page = guardian.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    # The child's draft is not theirs: the guardian's own count.
    assert _left(page) == QUESTIONS and _menu_left(page) == QUESTIONS
    for person in (family.coordinator, family.professional):
        page = _as(app, person).get(f"/plans/{family.plan.id}").get_data(as_text=True)
        assert _left(page) is None and _menu_left(page) is None
    relative = make_person(session, "Moster")
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    session.commit()
    page = _as(app, relative).get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert _left(page) is None and "Mina tankar inför mötet" not in page


def test_a_child_too_young_to_be_asked_gets_no_card(app, session):
    family = make_family(session, child_age=5)
    page = _as(app, family.child).get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert _left(page) is None


def test_the_card_points_at_the_next_open_meeting_and_goes_when_none_is_open(app, session, family):
    now = datetime.now(UTC)
    sooner = Meeting(
        plan_id=family.plan.id,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
        status=MeetingStatus.PLANNED,
    )
    session.add(sooner)
    session.commit()
    child = _as(app, family.child)
    page = child.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert f'href="/meetings/{sooner.id}/my-views"' in page
    sooner.status = MeetingStatus.CANCELLED
    session.commit()
    page = child.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert f'href="/meetings/{family.meeting.id}/my-views"' in page
    assert f"/meetings/{sooner.id}/my-views" not in page
    # Once the meeting has started, views are closed: no card, no menu item.
    family.meeting.starts_at = now - timedelta(minutes=1)
    session.commit()
    page = child.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert _left(page) is None and _menu_left(page) is None


def test_no_card_for_a_guardian_about_a_meeting_of_a_hidden_agency(app, session, family):
    """Rule 6, as for the reminder: everyone invited comes from an agency hidden
    from the guardians, so the guardians are not asked; the child is."""
    session.add(MeetingAttendee(meeting_id=family.meeting.id, person_id=family.professional.id))
    session.get(Action, family.action.id).harm_flag = True
    session.commit()
    guardian = _as(app, family.guardians[0]).get(f"/plans/{family.plan.id}")
    assert _left(guardian.get_data(as_text=True)) is None
    child = _as(app, family.child).get(f"/plans/{family.plan.id}")
    assert _left(child.get_data(as_text=True)) == QUESTIONS


def test_a_guardian_of_two_children_sees_each_plans_count_on_the_home_page(app, session, family):
    other = make_family(session, child_age=9)
    session.add(
        PlanMember(
            plan_id=other.plan.id,
            person_id=family.guardians[0].id,
            role=MemberRole.GUARDIAN,
            has_custody=True,
        )
    )
    session.commit()
    guardian = _as(app, family.guardians[0])
    _write(guardian, family.meeting.id, "going_well", "Bra vecka")
    home = guardian.get("/").get_data(as_text=True)
    assert f'href="/meetings/{family.meeting.id}/my-views"' in home
    assert f'href="/meetings/{other.meeting.id}/my-views"' in home
    assert "6 frågor kvar" in home and "7 frågor kvar" in home


def test_counting_the_questions_left_costs_the_same_for_one_meeting_or_many(app, session):
    def count(family) -> int:
        client = _as(app, family.child)
        client.get("/healthz")
        statements = {"n": 0}

        def on_execute(*_args, **_kw):
            statements["n"] += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            assert client.get(f"/plans/{family.plan.id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        return statements["n"]

    small, large = make_family(session, child_age=12), make_family(session, child_age=12)
    session.add(MeetingAttendee(meeting_id=small.meeting.id, person_id=small.professional.id))
    _write(_as(app, small.child), small.meeting.id, "going_well", "Svar")
    now = datetime.now(UTC)
    for i in range(8):
        meeting = Meeting(
            plan_id=large.plan.id,
            starts_at=now + timedelta(days=10 + i),
            ends_at=now + timedelta(days=10 + i, hours=1),
        )
        session.add(meeting)
        session.flush()
        session.add(MeetingAttendee(meeting_id=meeting.id, person_id=large.professional.id))
    session.commit()
    for key in ("going_well", "hard", "want_help"):
        _write(_as(app, large.child), large.meeting.id, key, "Svar")
    assert count(small) == count(large)


# --- who may read each answer, before sending ---------------------------------------------


def test_overview_says_who_may_read_each_answer_before_sending(app, session, family):
    child = _as(app, family.child)
    m = family.meeting.id
    _write(child, m, "going_well", "Alla", audience="everyone")
    _write(child, m, "hard", "Samordnaren", audience="coordinator")
    _write(child, m, "want_help", "Inte föräldrarna", audience="not_guardians")
    overview = child.get(f"/meetings/{m}/my-views").get_data(as_text=True)
    assert "Skicka till teamet" in overview  # not sent yet
    items = re.findall(r"<li>.*?</li>", overview, re.S)
    said = {
        key: item
        for item in items
        for key in ("going_well", "hard", "want_help", "adults_know")
        if f"/my-views/{key}" in item
    }
    assert "Alla på mötet får läsa" in said["going_well"]
    name = family.coordinator.display_name
    assert f"Bara din samordnare {name} får läsa" in said["hard"]
    assert "Alla utom dina vårdnadshavare får läsa" in said["want_help"]
    assert "får läsa" not in said["adults_know"]  # not answered: nobody reads anything
    guardian = _as(app, family.guardians[0])
    _write(guardian, m, "hard", "Till samordnaren", audience="coordinator")
    overview = guardian.get(f"/meetings/{m}/my-views").get_data(as_text=True)
    assert f"Bara din samordnare {name} får läsa" in overview
    assert "Alla utom dina vårdnadshavare" not in overview


# --- notices open their page ---------------------------------------------------------------


def _links(client) -> dict[str, str]:
    """Each notice's text and the page it opens."""
    html = client.get("/account/notifications").get_data(as_text=True)
    found = re.findall(r'<a class="notification__link" href="([^"]+)">([^<]+)</a>', html)
    return {text.strip(): href for href, text in found}


def test_each_notice_opens_the_page_it_is_about(app, session, family):
    m, p = family.meeting.id, family.plan.id
    child = family.child
    notify(session, [child], family.plan, "meeting_soon", "meeting", m)
    notify(session, [child], family.plan, "plan_changed")
    notify(session, [child], family.plan, "consent_changed", "consent", 1)
    notify(session, [child], None, "passkey_added")
    notify(session, [family.coordinator], family.plan, "agenda_narrowed", "meeting", m)
    session.commit()
    client = _as(app, child)
    links = _links(client)
    assert links == {
        "Ett möte närmar sig.": f"/meetings/{m}",
        "Det finns nytt i planen.": f"/plans/{p}",
        "Ett samtycke i planen har ändrats.": f"/plans/{p}/consent",
        (
            "En ny inloggningsnyckel har lagts till på ditt konto. "
            "Var det inte du? Kontakta din samordnare."
        ): ("/account/devices"),
    }
    for href in links.values():
        assert client.get(href).status_code == 200, href
    assert _links(_as(app, family.coordinator)) == {
        "En punkt på dagordningen visas nu för färre personer. "
        "Den som skrev har ändrat vem som får läsa.": f"/meetings/{m}"
    }


def test_wish_answered_opens_the_answers_and_never_carries_the_childs_words(app, session, family):
    """The team answered the wishes: the child's notice opens the answers; the guardian's
    opens their own answers, and neither the notice nor that page holds the child's
    text kept from the guardians (rule 5)."""
    m = family.meeting.id
    secret = "HEMLIGT-BARNETS-ORD-77"
    child = _as(app, family.child)
    _write(child, m, "want_help", secret, audience="not_guardians")
    _send(child, m)
    guardian = _as(app, family.guardians[0])
    _write(guardian, m, "want_help", "Mer stöd i skolan")
    _send(guardian, m)
    coordinator = _as(app, family.coordinator)
    assert _links(coordinator) == {"Det finns nya tankar inför ett möte.": f"/meetings/{m}/prepare"}
    token = csrf_token(coordinator, f"/meetings/{m}/prepare")
    family.meeting.starts_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    coordinator.post(
        f"/meetings/{m}/feedback", data={"csrf_token": token, "participation": "present"}
    )
    kinds = session.scalars(select(Notification.kind).where(Notification.kind == "wish_answered"))
    assert len(kinds.all()) == 2

    links = _links(child)
    assert links == {"Teamet har svarat på dina önskemål.": f"/meetings/{m}/wishes"}
    answers = child.get(links["Teamet har svarat på dina önskemål."]).get_data(as_text=True)
    assert secret in answers

    notices = guardian.get("/account/notifications").get_data(as_text=True)
    assert secret not in notices
    links = _links(guardian)
    assert links == {"Teamet har svarat på dina önskemål.": f"/meetings/{m}/wishes"}
    page = guardian.get(links["Teamet har svarat på dina önskemål."]).get_data(as_text=True)
    assert "Mer stöd i skolan" in page and secret not in page

"""The family's plan screens, per role: who does what, why, and what happens next."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import brotli
import icalendar
import pytest
from sqlalchemy import select

from family_app.models import (
    Action,
    AgendaItem,
    AuditEvent,
    Decision,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    PlanMember,
)
from tests.conftest import count_queries, csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person

HX = {"HX-Request": "true"}
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SCREENS = ["", "/next", "/people", "/meetings"]


def _get(client, person, path, **kw):
    sign_in_as(client, person)
    return client.get(path, **kw)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("role", ["child", "guardian", "coordinator", "professional"])
def test_every_screen_opens_for_every_reader_of_the_plan(client, session, screen, role):
    family = make_family(session)
    person = {
        "child": family.child,
        "guardian": family.guardians[0],
        "coordinator": family.coordinator,
        "professional": family.professional,
    }[role]
    response = _get(client, person, f"/plans/{family.plan.id}{screen}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("screen", SCREENS)
def test_professional_without_consent_gets_404_on_every_screen(client, session, screen):
    family = make_family(session, consent=False)
    response = _get(client, family.professional, f"/plans/{family.plan.id}{screen}")
    assert response.status_code == 404


def test_late_action_names_who_to_ask_for_guardians_and_speaks_plainly_to_the_child(
    client, session
):
    family = make_family(session)
    family.action.planned_start = date.today() - timedelta(days=10)
    session.commit()
    html = _get(client, family.guardians[0], f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Hjälp som inte har börjat" in html
    assert f"Fråga <bdi>{family.coordinator.display_name}</bdi> varför" in html
    child = client.application.test_client()
    html = _get(child, family.child, f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Det här har inte börjat än" in html
    assert "Lämna sidan snabbt" in html


def test_action_shows_what_why_who_when_and_the_familys_part(client, session):
    family = make_family(session)
    family.action.family_part = "Ni fyller i ett formulär."
    session.commit()
    html = _get(client, family.guardians[0], f"/plans/{family.plan.id}").get_data(as_text=True)
    assert family.goal.text in html  # why
    agency, person = family.professional_agency.name, family.professional.display_name
    assert f"<bdi>{agency}</bdi>: <bdi>{person}</bdi>" in html
    assert "Ni fyller i ett formulär." in html
    assert "Planerad" in html


def test_next_steps_are_nearest_first_across_meetings_and_actions(client, session):
    family = make_family(session)
    today = date.today()
    family.action.planned_start = today + timedelta(days=2)
    family.meeting.starts_at = datetime.now(UTC) + timedelta(days=1)
    family.meeting.ends_at = family.meeting.starts_at + timedelta(hours=1)
    family.plan.follow_up_date = today + timedelta(days=20)
    session.commit()
    html = _get(client, family.guardians[0], f"/plans/{family.plan.id}/next").get_data(as_text=True)
    meeting_at = html.index("SIP-möte")
    action_at = html.index("börjar:")
    follow_up_at = html.index("Planen följs upp")
    assert meeting_at < action_at < follow_up_at


def test_next_steps_refresh_is_a_fragment_for_htmx(client, session):
    family = make_family(session)
    response = _get(client, family.guardians[0], f"/plans/{family.plan.id}/next", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="next-steps"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_who_is_who_names_the_coordinator_and_explains_each_agency(client, session):
    family = make_family(session)
    html = _get(client, family.guardians[0], f"/plans/{family.plan.id}/people").get_data(
        as_text=True
    )
    assert "Er kontaktperson för hela planen" in html
    assert family.coordinator.display_name in html
    assert "BUP hjälper barn och unga som mår psykiskt dåligt." in html  # from the glossary
    assert family.professional_agency.phone in html


def test_protected_guardian_contact_and_meeting_place_reach_only_those_who_need_them(app, session):
    family = make_family(session)
    mum, dad = family.guardians
    mum.protected_identity = True
    mum.phone = "070-999 99 99"
    session.commit()
    readers = {
        "professional": (family.professional, False, False),
        "other guardian": (dad, False, False),
        "mum herself": (mum, True, True),
        "coordinator": (family.coordinator, True, True),
        "child": (family.child, False, True),
    }
    for name, (person, sees_phone, sees_place) in readers.items():
        client = app.test_client()
        sign_in_as(client, person)
        people = client.get(f"/plans/{family.plan.id}/people").get_data(as_text=True)
        assert ("070-999 99 99" in people) == sees_phone, name
        meeting = client.get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
        assert (family.meeting.place in meeting) == sees_place, name
        ics = client.get(f"/meetings/{family.meeting.id}/calendar.ics").data
        assert (b"LOCATION" in ics) == sees_place, name
        if not sees_place:
            assert "Platsen är skyddad" in meeting


def test_protected_child_hides_the_meeting_place_from_professionals_only(app, session):
    family = make_family(session)
    family.child.protected_identity = True
    session.commit()
    for person, sees in [
        (family.professional, False),
        (family.guardians[0], True),
        (family.coordinator, True),
    ]:
        client = app.test_client()
        sign_in_as(client, person)
        html = client.get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
        assert (family.meeting.place in html) == sees


def _add_held_meeting(session, family) -> Meeting:
    now = datetime.now(UTC)
    held = Meeting(
        plan_id=family.plan.id,
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30, hours=-1),
        status=MeetingStatus.HELD,
        summary="Vi bestämde att BUP börjar med samtal.",
    )
    session.add(held)
    session.flush()
    session.add(
        Decision(
            meeting_id=held.id,
            what="Boka första samtalet.",
            agency_id=family.professional_agency.id,
            person_id=family.professional.id,
            by_date=date.today() + timedelta(days=7),
        )
    )
    session.add(
        MeetingAttendee(
            meeting_id=family.meeting.id,
            person_id=family.professional.id,
            role="Psykolog",
            can_decide=True,
        )
    )
    session.commit()
    return held


def test_meetings_show_upcoming_and_past_with_decisions_as_who_what_when(client, session):
    family = make_family(session)
    held = _add_held_meeting(session, family)
    html = _get(client, family.guardians[0], f"/plans/{family.plan.id}/meetings").get_data(
        as_text=True
    )
    assert "Kommande möten" in html and "Tidigare möten" in html
    past = client.get(f"/meetings/{held.id}").get_data(as_text=True)
    # BUP in the summary links to the glossary (issue 12).
    assert 'Vi bestämde att <a class="term" href="/glossary#bup">BUP</a> börjar med samtal.' in past
    assert family.professional.display_name in past and "Boka första samtalet." in past
    assert "Senast" in past
    upcoming = client.get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
    assert "kan fatta beslut" in upcoming and "Lägg till i kalendern" in upcoming


def test_meeting_details_are_a_fragment_for_htmx_and_reads_are_audited(client, session):
    family = make_family(session)
    response = _get(client, family.guardians[0], f"/meetings/{family.meeting.id}", headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "meeting", AuditEvent.action == "read")
    ).all()
    assert [e.object_id for e in events] == [family.meeting.id]


def test_another_familys_meeting_is_404(client, session):
    mine = make_family(session)
    theirs = make_family(session)
    sign_in_as(client, mine.guardians[0])
    assert client.get(f"/meetings/{theirs.meeting.id}").status_code == 404
    assert client.get(f"/meetings/{theirs.meeting.id}/calendar.ics").status_code == 404


def test_guardian_with_several_children_picks_the_child(client, session):
    first = make_family(session)
    second = make_family(session)
    session.add(
        PlanMember(
            plan_id=second.plan.id,
            person_id=first.guardians[0].id,
            role=MemberRole.GUARDIAN,
            has_custody=True,
        )
    )
    session.commit()
    html = _get(client, first.guardians[0], "/").get_data(as_text=True)
    assert first.child.display_name in html and second.child.display_name in html


def test_guardian_does_not_see_harm_flagged_or_child_hidden_parts(client, session):
    family = make_family(session, child_age=14)
    secret_goal = Goal(plan_id=family.plan.id, text="Hemligt mål", harm_flag=True)
    chosen = Action(
        plan_id=family.plan.id, title="Barnets egen sak", hidden_from_guardians_by_child=True
    )
    session.add_all([secret_goal, chosen])
    session.commit()
    guardian_html = _get(client, family.guardians[0], f"/plans/{family.plan.id}").get_data(
        as_text=True
    )
    assert "Hemligt mål" not in guardian_html and "Barnets egen sak" not in guardian_html
    child = client.application.test_client()
    child_html = _get(child, family.child, f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Barnets egen sak" in child_html


def test_arabic_translation_is_shown_and_swedish_fallback_is_announced(client, session):
    from family_app.content import source_hash
    from family_app.models import ContentTranslation

    family = make_family(session)
    session.add(
        ContentTranslation(
            object_type="action",
            object_id=family.action.id,
            field="title",
            locale="ar",
            text="محادثات",
            source_hash=source_hash(family.action.title),
        )
    )
    family.guardians[0].preferred_language = "ar"
    session.commit()
    html = _get(client, family.guardians[0], f"/plans/{family.plan.id}").get_data(as_text=True)
    assert '<span lang="ar" dir="auto">محادثات</span>' in html
    assert 'lang="sv" dir="auto">Bakgrund' in html  # untranslated: Swedish, marked as such
    assert '<html lang="ar" dir="rtl">' in html


def test_glossary_explains_every_word_the_issue_lists(client):
    html = client.get("/glossary").get_data(as_text=True)
    for key in [
        "sip",
        "bup",
        "socialtjansten",
        "elevhalsan",
        "vardcentral",
        "habilitering",
        "samordnare",
        "samtycke",
        "insats",
        "vardnadshavare",
        "huvudansvar",
        "hvb",
        "sis",
        "lss",
    ]:
        assert f'id="{key}"' in html


# --- calendar ---------------------------------------------------------------------------


def _ics(client, person, meeting) -> icalendar.Calendar:
    response = _get(client, person, f"/meetings/{meeting.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def test_ics_has_stockholm_times_stable_uid_and_escaped_text(client, session):
    family = make_family(session)
    starts = datetime(2027, 3, 28, 9, 30, tzinfo=STOCKHOLM)  # the day summer time starts
    family.meeting.starts_at = starts.astimezone(UTC)
    family.meeting.ends_at = (starts + timedelta(hours=1)).astimezone(UTC)
    family.meeting.place = "Rum 3, plan 2; ingång B\nKinna"
    session.add(AgendaItem(meeting_id=family.meeting.id, text="Skola, sömn; och fritid"))
    session.commit()
    event_ = _ics(client, family.guardians[0], family.meeting).walk("VEVENT")[0]
    assert event_.decoded("dtstart") == starts
    assert str(event_.decoded("dtstart").tzinfo) == "Europe/Stockholm"
    assert event_.decoded("dtend") == starts + timedelta(hours=1)
    assert str(event_["location"]) == "Rum 3, plan 2; ingång B\nKinna"
    assert "Skola, sömn; och fritid" in str(event_["description"])
    uid, sequence = str(event_["uid"]), int(event_["sequence"])

    family.meeting.starts_at = (starts + timedelta(days=1)).astimezone(UTC)
    family.meeting.ends_at = (starts + timedelta(days=1, hours=1)).astimezone(UTC)
    session.commit()
    again = _ics(client, family.guardians[0], family.meeting).walk("VEVENT")[0]
    assert str(again["uid"]) == uid
    assert int(again["sequence"]) > sequence
    assert again.decoded("dtstart") == starts + timedelta(days=1)


def test_ics_is_in_the_readers_language(client, session):
    family = make_family(session)
    family.guardians[0].preferred_language = "en"
    session.commit()
    event_ = _ics(client, family.guardians[0], family.meeting).walk("VEVENT")[0]
    assert str(event_["summary"]).startswith("SIP meeting")


def test_ics_omits_protected_place_and_items_hidden_from_guardians(client, session):
    family = make_family(session)
    family.child.protected_identity = True
    session.add(
        AgendaItem(
            meeting_id=family.meeting.id, text="Barnets hemliga punkt", audience="not_guardians"
        )
    )
    session.commit()
    guardian = _ics(client, family.guardians[0], family.meeting).walk("VEVENT")[0]
    assert "Barnets hemliga punkt" not in str(guardian["description"])
    pro = _ics(client.application.test_client(), family.professional, family.meeting)
    assert "location" not in pro.walk("VEVENT")[0]


def _new_feed(client, person) -> str:
    sign_in_as(client, person)
    token = csrf_token(client, "/account/calendar")
    html = client.post("/account/calendar/feed", data={"csrf_token": token}).get_data(as_text=True)
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', html).group(1)
    return url.split("localhost:5000", 1)[1]


def test_calendar_feed_lists_meetings_and_stops_when_revoked(client, session):
    family = make_family(session)
    path = _new_feed(client, family.guardians[0])
    anonymous = client.application.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")]
    assert uids == [family.meeting.uid]
    token = csrf_token(client, "/account/calendar")
    client.post("/account/calendar/feed/revoke", data={"csrf_token": token})
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/feeds/not-a-token/calendar.ics").status_code == 404


def test_new_feed_address_replaces_the_old_one(client, session):
    family = make_family(session)
    first = _new_feed(client, family.guardians[0])
    second = _new_feed(client, family.guardians[0])
    anonymous = client.application.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200


def test_professional_feed_empties_once_consent_is_gone(client, session):
    family = make_family(session)
    path = _new_feed(client, family.professional)
    anonymous = client.application.test_client()
    assert family.meeting.uid.encode() in anonymous.get(path).data
    from family_app.models import ConsentParty

    for party in session.scalars(select(ConsentParty)):
        party.revoked_at = datetime.now(UTC)
    session.commit()
    assert family.meeting.uid.encode() not in anonymous.get(path).data


# --- cost -------------------------------------------------------------------------------


def _grow(session, family, n: int) -> None:
    agencies = [make_agency(session) for _ in range(n)]
    now = datetime.now(UTC)
    for i in range(n):
        contact = make_person(session, agency_id=agencies[i].id)
        goal = Goal(plan_id=family.plan.id, text=f"Mål {i}", position=i + 2)
        session.add(goal)
        session.flush()
        session.add(
            Action(
                plan_id=family.plan.id,
                goal_id=goal.id,
                title=f"Insats {i}",
                responsible_agency_id=agencies[i].id,
                contact_person_id=contact.id,
                planned_start=date.today() + timedelta(days=i),
            )
        )
        meeting = Meeting(
            plan_id=family.plan.id,
            starts_at=now + timedelta(days=i + 1),
            ends_at=now + timedelta(days=i + 1, hours=1),
        )
        session.add(meeting)
        session.flush()
        session.add(AgendaItem(meeting_id=meeting.id, text=f"Punkt {i}"))
        session.add(MeetingAttendee(meeting_id=meeting.id, person_id=contact.id, can_decide=True))
        session.add(
            PlanMember(plan_id=family.plan.id, person_id=contact.id, role=MemberRole.PROFESSIONAL)
        )
    session.commit()


@pytest.mark.parametrize("screen", SCREENS)
def test_query_count_does_not_grow_with_the_plan(app, session, screen):
    small = make_family(session)
    large = make_family(session)
    _grow(session, small, 2)
    _grow(session, large, 12)
    counts = []
    for family in (small, large):
        client = app.test_client()
        sign_in_as(client, family.guardians[0])
        client.get("/healthz")  # warm up the connection (SQLite pragmas)
        counts.append(count_queries(app, client, f"/plans/{family.plan.id}{screen}"))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("encoding", "unpack"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_plan_page_first_load_is_at_most_60_kb_compressed(client, session, encoding, unpack):
    """Brotli for current browsers, gzip for the rest: both within the budget."""
    family = make_family(session)
    _grow(session, family, 6)
    sign_in_as(client, family.guardians[0])
    accept = {"Accept-Encoding": encoding}
    page = client.get(f"/plans/{family.plan.id}", headers=accept)
    assert page.headers["Content-Encoding"] == encoding
    html = unpack(page.data).decode()
    assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    total = len(page.data)
    for asset in assets:
        response = client.get(asset, headers=accept)
        assert response.status_code == 200, asset
        total += len(response.data)
    print(f"plan page first load: {total} bytes with {encoding}, {len(assets)} assets")
    assert total <= 60 * 1024

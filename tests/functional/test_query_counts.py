"""Every page a child, guardian or relative reads costs a fixed number of SQL
statements, the same for a small plan (2 agencies, 1 meeting) as for a large one
(12 agencies, many goals, actions, meetings, consents, decisions and notices).

The numbers are exact, so a change that adds a statement is seen. Where a page
costs more than six, what each statement is for is written next to its number.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from family_app.models import (
    Action,
    AgendaItem,
    Decision,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    Notification,
    PlanMember,
    Statement,
    StatementAnswer,
    StatementStatus,
)
from tests.conftest import statements_of
from tests.factories import Family, give_consent, make_agency, make_family, make_person

# Every signed-in page pays: the session (1), the person with the header's unread
# count (1). A plan page adds the plan with its members (1), goals (1), actions
# (1), the read audit (1, an INSERT in the page's own transaction). Pages that
# show meetings add them with attendees (1), agenda (1), decisions (1); the menu's
# "views due" reads the reader's own answers (1).
PLAN = 10
PAGES: dict[str, int] = {
    "/plans/{plan}": PLAN,
    "/plans/{plan}/next": PLAN,
    "/plans/{plan}/people": PLAN,
    "/plans/{plan}/meetings": PLAN,
    # The plan page's ten, the meeting asked for (1), the views shown on it (1),
    # its interpreter requests (1).
    "/meetings/{meeting}": 13,
    # Plan (3), audit (1), every consent with parties and exceptions (1), the
    # consent events (1), meetings with attendees (1) and answers (1) for the menu.
    "/plans/{plan}/consent": 10,
    "/plans/{plan}/who-can-see": 10,
    # The meeting with attendees (1), plan (3), the reader's statement (1), audit
    # (1), the planned meetings for the menu (1) and the answers (1).
    "/meetings/{meeting}/my-views": 10,
    "/meetings/{meeting}/my-views/hard": 10,
    "/meetings/{meeting}/wishes": 10,
    "/account/notifications": 4,
    "/glossary": 5,
    "/account/devices": 3,
    "/account/calendar": 3,
    # The session and person (2); the children whose e-mail the reader decides, with
    # their plans, members and ages (5); the reader's yeses (1); whether the reader
    # is a young child (1). A child also reads who said yes for them (1). Per topic
    # and channel nothing: the choices are one query per channel with an address.
    "/account/notifications/settings": 9,
}


def _large(session, family: Family, reader) -> None:
    """Ten more agencies (twelve in all), each with consent, a goal, an action, a
    meeting with agenda, attendees and a decision; notices for the guardian."""
    now = datetime.now(UTC)
    for i in range(10):
        agency = make_agency(session)
        contact = make_person(session, agency_id=agency.id)
        session.add(
            PlanMember(plan_id=family.plan.id, person_id=contact.id, role=MemberRole.PROFESSIONAL)
        )
        give_consent(session, family.plan, agency, family.guardians)
        goal = Goal(plan_id=family.plan.id, text=f"Mål {i}", position=i + 2)
        session.add(goal)
        session.flush()
        for j in range(2):
            session.add(
                Action(
                    plan_id=family.plan.id,
                    goal_id=goal.id,
                    title=f"Insats {i}.{j}",
                    responsible_agency_id=agency.id,
                    contact_person_id=contact.id,
                    planned_start=date.today() + timedelta(days=i - 5),
                )
            )
        starts = now + timedelta(days=i - 4)
        meeting = Meeting(
            plan_id=family.plan.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            status=MeetingStatus.PLANNED if i >= 4 else MeetingStatus.HELD,
        )
        session.add(meeting)
        session.flush()
        session.add(AgendaItem(meeting_id=meeting.id, text=f"Punkt {i}"))
        session.add(MeetingAttendee(meeting_id=meeting.id, person_id=contact.id, can_decide=True))
        for person in family.guardians:
            session.add(MeetingAttendee(meeting_id=meeting.id, person_id=person.id))
        session.add(Decision(meeting_id=meeting.id, what=f"Beslut {i}", agency_id=agency.id))
        session.add(
            Notification(
                person_id=family.guardians[0].id,
                plan_id=family.plan.id,
                kind="plan_changed",
                object_type="plan",
                object_id=family.plan.id,
            )
        )
    for author in [*family.guardians, family.child]:
        if author.id == reader.id:
            continue
        _statement(session, family, author, "going_well", "Skolan")
    session.commit()


def _statement(session, family: Family, author, prompt: str, text: str) -> None:
    statement = Statement(
        meeting_id=family.meeting.id, author_id=author.id, status=StatementStatus.SUBMITTED
    )
    session.add(statement)
    session.flush()
    session.add(StatementAnswer(statement_id=statement.id, prompt=prompt, text=text))


def _counts(app, session, reader: str) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {page: [] for page in PAGES}
    for large in (False, True):
        family = make_family(session)
        person = family.child if reader == "child" else family.guardians[0]
        # Both plans: the reader has begun their views, and a wish was answered.
        _statement(session, family, person, "want_help", "Läxhjälp")
        session.commit()
        if large:
            _large(session, family, person)
        client = app.test_client()
        from tests.conftest import sign_in_as

        sign_in_as(client, person)
        client.get("/healthz")  # the connection's first statements (SQLite pragmas)
        for page in PAGES:
            path = page.format(plan=family.plan.id, meeting=family.meeting.id)
            client.get(path)  # the session's CSRF token is made on a first visit
            counts[page].append(len(statements_of(app, client, path)[0]))
    return counts


@pytest.mark.parametrize("reader", ["guardian", "child"])
def test_every_family_page_costs_the_same_for_a_small_and_a_large_plan(app, session, reader):
    counts = _counts(app, session, reader)
    assert {page: n for page, n in counts.items() if n[0] != n[1]} == {}
    # The glossary looks up the reader's plans to speak to their age: a child's is
    # found by the plan's child_id alone, a guardian's through the plan's members.
    expected = (
        {**PAGES, "/glossary": 3, "/account/notifications/settings": 10}
        if reader == "child"
        else PAGES
    )
    assert {page: n[0] for page, n in counts.items()} == expected


def test_the_read_audit_is_one_insert_in_the_page(app, client, session):
    family = make_family(session)
    from tests.conftest import sign_in_as

    sign_in_as(client, family.guardians[0])
    client.get("/healthz")
    client.get(f"/plans/{family.plan.id}")
    statements, _ = statements_of(app, client, f"/plans/{family.plan.id}")
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT INTO audit_events"), writes

"""Opening the page a notice points to marks that notice read, for its reader only.

A person taps a notice in the list, an e-mail or a push and reads the page; the
"Nytt" mark and the header's count should then go, as in any app. Every kind of
notice is walked through :func:`family_app.notifications.target` and back: the
page a notice points to marks it read, another page or another person's visit
does not, and neither does an htmx fragment or a page the reader may not open.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from family_app.models import Notification, Person
from family_app.notifications import target
from tests.conftest import sign_in_as, statements_of
from tests.factories import Family, make_family, make_person

# kind -> who reads it, and what it is about
CASES = {
    "plan_changed": ("guardian", "plan"),
    "consent_changed": ("guardian", "consent_event"),
    "consent_receipt": ("guardian", "consent_event"),
    "consent_expiring": ("guardian", "consent"),
    "meeting_scheduled": ("guardian", "meeting"),
    "meeting_moved": ("guardian", "meeting"),
    "meeting_cancelled": ("guardian", "meeting"),
    "meeting_soon": ("guardian", "meeting"),
    "agenda_narrowed": ("guardian", "meeting"),
    "views_open": ("child", "meeting"),
    "wish_answered": ("child", "meeting"),
    "views_submitted": ("coordinator", "meeting"),
    "passkey_added": ("guardian", "credential"),
    "passkey_pending": ("guardian", "credential"),
    "passkey_reported": ("admin", "credential"),
}


def _reader(session, family: Family, who: str) -> Person:
    if who == "admin":
        admin = make_person(session, "Admin", agency_id=family.coordinator_agency.id)
        admin.is_admin = True
        session.commit()
        return admin
    return {
        "guardian": family.guardians[0],
        "child": family.child,
        "coordinator": family.coordinator,
    }[who]


def _notice(session, person: Person, kind: str, plan_id: int, object_type: str, object_id):
    notice = Notification(
        person_id=person.id,
        plan_id=plan_id,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
    )
    session.add(notice)
    session.commit()
    return notice


def _read_at(session, notice: Notification):
    session.expire_all()
    return session.scalar(select(Notification.read_at).where(Notification.id == notice.id))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_page_a_notice_points_to_marks_it_read_and_nothing_else(app, session, kind):
    who, object_type = CASES[kind]
    family = make_family(session, child_age=13)
    other = make_family(session, child_age=13)
    reader = _reader(session, family, who)
    object_id = family.meeting.id if object_type == "meeting" else family.plan.id
    notice = _notice(session, reader, kind, family.plan.id, object_type, object_id)
    # The same kind about another plan, and about this plan for someone else.
    elsewhere = _notice(
        session,
        reader,
        kind,
        other.plan.id,
        object_type,
        other.meeting.id if object_type == "meeting" else other.plan.id,
    )
    theirs = _notice(session, family.guardians[1], kind, family.plan.id, object_type, object_id)
    with app.test_request_context():
        path = target(notice, reader)
    assert path

    client = app.test_client()
    sign_in_as(client, reader)
    # Another page of the same plan leaves it unread.
    assert client.get(f"/plans/{family.plan.id}/next").status_code in (200, 404)
    assert _read_at(session, notice) is None
    # A fragment htmx asks for is not the page being read.
    client.get(path, headers={"HX-Request": "true"})
    assert _read_at(session, notice) is None

    page = client.get(path)
    assert page.status_code == 200, (kind, path)
    assert _read_at(session, notice) is not None
    assert _read_at(session, theirs) is None
    html = page.get_data(as_text=True)
    if object_type == "credential":
        # The devices page is the page of every notice about the reader's devices.
        assert _read_at(session, elsewhere) is not None
        assert "nytt meddelande" not in html and "nya meddelanden" not in html
    else:
        assert _read_at(session, elsewhere) is None
        # The header drawn on that very page already counts it as read.
        assert "1 nytt meddelande" in html and "2 nya meddelanden" not in html


def test_a_page_the_reader_may_not_open_marks_nothing(app, session):
    family = make_family(session, child_age=13)
    guardian = family.guardians[0]
    notice = _notice(session, guardian, "meeting_moved", family.plan.id, "meeting", 10**9)
    client = app.test_client()
    sign_in_as(client, guardian)
    assert client.get(f"/meetings/{10**9}").status_code == 404
    assert _read_at(session, notice) is None


def test_a_notice_about_a_meeting_seen_from_the_plan_page_stays_until_its_meeting_is_opened(
    app, session
):
    family = make_family(session, child_age=13)
    guardian = family.guardians[0]
    meeting_notice = _notice(
        session, guardian, "meeting_scheduled", family.plan.id, "meeting", family.meeting.id
    )
    plan_notice = _notice(session, guardian, "plan_changed", family.plan.id, "plan", family.plan.id)
    client = app.test_client()
    sign_in_as(client, guardian)
    assert client.get(f"/plans/{family.plan.id}").status_code == 200
    assert _read_at(session, plan_notice) is not None
    assert _read_at(session, meeting_notice) is None
    assert client.get(f"/meetings/{family.meeting.id}").status_code == 200
    assert _read_at(session, meeting_notice) is not None


def test_marking_costs_one_statement_and_only_while_something_is_unread(app, session):
    family = make_family(session, child_age=13)
    guardian = family.guardians[0]
    for _ in range(5):
        _notice(session, guardian, "plan_changed", family.plan.id, "plan", family.plan.id)
    client = app.test_client()
    sign_in_as(client, guardian)
    client.get(f"/plans/{family.plan.id}/next")  # the session's form token is made
    path = f"/plans/{family.plan.id}"
    first, page = statements_of(app, client, path)
    assert "nytt meddelande" not in page.get_data(as_text=True)
    second, _ = statements_of(app, client, path)
    updates = [s for s in first if s.lstrip().upper().startswith("UPDATE NOTIFICATIONS")]
    assert len(updates) == 1
    assert len(first) == len(second) + 1
    assert not any(s.lstrip().upper().startswith("UPDATE NOTIFICATIONS") for s in second)
    unread = session.scalars(
        select(Notification).where(
            Notification.person_id == guardian.id, Notification.read_at.is_(None)
        )
    ).all()
    assert unread == []

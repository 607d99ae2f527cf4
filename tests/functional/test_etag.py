"""Conditional GET of the plan pages: a 304 only for the very reader, session and
page the tag was made for, only after the access check; the tag says nothing of
what the reader may not see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from family_app.models import AuditEvent, Consent, ConsentParty, Goal
from tests.conftest import sign_in_as
from tests.factories import make_family

SCREENS = ["", "/next", "/people", "/meetings"]


def _tag(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["ETag"]
    return response.headers["ETag"]


def _revalidate(client, path: str, tag: str):
    return client.get(path, headers={"If-None-Match": tag})


@pytest.mark.parametrize("screen", SCREENS)
def test_an_unchanged_page_answers_304_with_nothing_in_it(app, client, session, screen):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    path = f"/plans/{family.plan.id}{screen}"
    tag = _tag(client, path)
    reads = session.scalar(select(func.count()).select_from(AuditEvent))
    response = _revalidate(client, path, tag)
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == tag
    # Still nothing kept on a shared device (DESIGN §10), and no new script policy
    # to replace the one the client's copy was written for.
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in response.headers
    # The read is recorded all the same.
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == reads + 1


def test_two_readers_of_one_plan_never_share_a_tag(app, session):
    family = make_family(session)
    path = f"/plans/{family.plan.id}"
    tags = set()
    for person in (*family.guardians, family.child):
        client = app.test_client()
        sign_in_as(client, person)
        tags.add(_tag(client, path))
    assert len(tags) == 3
    # Another session of the same reader: its page carries another CSRF token.
    first, second = app.test_client(), app.test_client()
    sign_in_as(first, family.child)
    sign_in_as(second, family.child)
    tag = _tag(first, path)
    _tag(second, path)
    assert _revalidate(second, path, tag).status_code == 200


def _harm_flag(session, family):
    goal = session.get(Goal, family.goal.id)
    goal.harm_flag = True
    goal.harm_reason = "Skydd"


def _not_my_guardians(session, family):
    session.get(Goal, family.goal.id).hidden_from_guardians_by_child = True


def _revoke(session, family):
    """A guardian revokes the professional's agency's consent: the coordinator,
    whose access rests on consent too, reads the consents with the page."""
    consent = session.scalar(
        select(Consent).where(Consent.agency_id == family.professional_agency.id)
    )
    for party in session.scalars(
        select(ConsentParty).where(
            ConsentParty.consent_id == consent.id,
            ConsentParty.person_id == family.guardians[0].id,
        )
    ):
        party.revoked_at = datetime.now(UTC)


def _new_goal_text(session, family):
    session.get(Goal, family.goal.id).text = "Jag vill sova hela natten."


def _unread_notice(session, family):
    """A notice about another page (the plan page's own would be read by opening it)."""
    from family_app.models import Notification

    session.add(
        Notification(
            person_id=family.guardians[0].id,
            plan_id=family.plan.id,
            kind="meeting_scheduled",
            object_type="meeting",
            object_id=family.meeting.id,
        )
    )


@pytest.mark.parametrize(
    "change", [_harm_flag, _not_my_guardians, _revoke, _new_goal_text, _unread_notice]
)
def test_any_change_gives_a_new_page(client, session, change):
    family = make_family(session, child_age=15)
    sign_in_as(client, family.coordinator if change is _revoke else family.guardians[0])
    path = f"/plans/{family.plan.id}"
    tag = _tag(client, path)
    assert _revalidate(client, path, tag).status_code == 304
    change(session, family)
    session.commit()
    response = _revalidate(client, path, tag)
    if change is _revoke:
        # The coordinator's plan page may look the same after a guardian's revoke:
        # then, and only then, the copy they hold is still the page.
        fresh = client.get(path)
        assert (response.status_code == 304) == (fresh.headers["ETag"] == tag)
        return
    assert response.status_code == 200
    assert response.headers["ETag"] != tag
    if change in (_harm_flag, _not_my_guardians):
        assert family.goal.text.encode() not in response.data


def test_a_reader_who_lost_access_gets_404_not_304(client, session):
    family = make_family(session)
    sign_in_as(client, family.professional)
    path = f"/plans/{family.plan.id}"
    tag = _tag(client, path)
    assert _revalidate(client, path, tag).status_code == 304
    for party in session.scalars(select(ConsentParty)):
        party.revoked_at = datetime.now(UTC)
    session.commit()
    assert _revalidate(client, path, tag).status_code == 404


def test_a_waiting_message_is_shown_not_revalidated(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    path = f"/plans/{family.plan.id}"
    tag = _tag(client, path)
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "Sparat")]
    response = _revalidate(client, path, tag)
    assert response.status_code == 200
    assert "Sparat" in response.get_data(as_text=True)


def test_a_change_the_reader_may_not_see_does_not_change_their_tag(client, session):
    """The tag is made from what the reader was shown: an edit to a goal hidden
    from the guardians by a harm flag, or to another guardian's address, leaves
    the guardian's tag as it was (it would otherwise tell them something hidden
    happened); the child, who sees the goal, gets a new page."""
    from family_app.models import Person

    family = make_family(session)
    goal = session.get(Goal, family.goal.id)
    goal.harm_flag = True
    goal.harm_reason = "Skydd"
    session.commit()
    sign_in_as(client, family.guardians[0])
    path = f"/plans/{family.plan.id}"
    tag = _tag(client, path)
    child = client.application.test_client()
    sign_in_as(child, family.child)
    child_tag = _tag(child, path)
    session.get(Goal, family.goal.id).text = "Ett nytt mål som bara barnet ser."
    session.get(Person, family.guardians[1].id).address = "Ny gata 1"
    session.commit()
    assert _revalidate(client, path, tag).status_code == 304
    assert _revalidate(child, path, child_tag).status_code == 200


def test_a_compressed_copy_is_revalidated_too(client, session):
    """The compression layer sends the tag with its encoding (``"…:br"``); the
    client sends that back, and an unchanged page is a 304 all the same."""
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    path = f"/plans/{family.plan.id}"
    first = client.get(path, headers={"Accept-Encoding": "br"})
    assert first.headers.get("Content-Encoding") == "br"
    held = first.headers["ETag"]
    again = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": held})
    assert again.status_code == 304

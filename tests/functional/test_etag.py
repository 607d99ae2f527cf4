"""Conditional GET of the plan pages: a 304 only for the very reader and data the
tag was made for, only after the access check, never rendering the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import template_rendered
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
def test_an_unchanged_page_answers_304_without_rendering(app, client, session, screen):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    path = f"/plans/{family.plan.id}{screen}"
    tag = _tag(client, path)
    rendered: list[str] = []

    def on_render(_sender, **kw):
        rendered.append(kw["template"].name)

    reads = session.scalar(select(func.count()).select_from(AuditEvent))
    template_rendered.connect(on_render, app)
    try:
        response = _revalidate(client, path, tag)
    finally:
        template_rendered.disconnect(on_render, app)
    assert response.status_code == 304
    assert response.data == b""
    assert rendered == []
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
    from family_app.models import Notification

    session.add(
        Notification(
            person_id=family.guardians[0].id,
            plan_id=family.plan.id,
            kind="plan_changed",
            object_type="plan",
            object_id=family.plan.id,
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

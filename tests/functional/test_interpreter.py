"""Issue 12: a family member asks for an interpreter in two taps; the team sees it
on the meeting and in My plans; the asker sees it confirmed; nobody else in the
family sees another's request; after the meeting has started nobody can ask."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from family_app.models import AuditEvent, InterpreterRequest
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family


def _ask(client, meeting_id: int, language: str):
    path = f"/meetings/{meeting_id}/interpreter"
    return client.post(path, data={"language": language, "csrf_token": csrf_token(client, path)})


def test_a_guardian_asks_and_the_coordinator_sees_it(app, client, session):
    family = make_family(session)
    guardian = family.guardians[0]
    guardian.preferred_language = "ti"
    session.commit()
    sign_in_as(client, guardian)
    meeting_page = client.get(f"/meetings/{family.meeting.id}").text
    assert f"/meetings/{family.meeting.id}/interpreter" in meeting_page  # tap one
    form = client.get(f"/meetings/{family.meeting.id}/interpreter").text
    assert re.search(
        r'<option[^>]*selected[^>]*value="ti"|<option[^>]*value="ti"[^>]*selected', form
    )
    response = _ask(client, family.meeting.id, "ti")  # tap two
    assert response.status_code == 303
    request = session.scalar(select(InterpreterRequest))
    assert (request.person_id, request.language) == (guardian.id, "ti")
    assert session.scalar(
        select(AuditEvent.id).where(AuditEvent.object_type == "interpreter_request")
    )
    # Asking again changes the language, never a second request.
    assert _ask(client, family.meeting.id, "ar").status_code == 303
    session.expire_all()
    assert [r.language for r in session.scalars(select(InterpreterRequest))] == ["ar"]

    coordinator = app.test_client()
    sign_in_as(coordinator, family.coordinator)
    assert "Tolk på mötet" in coordinator.get("/workspace/").text
    team_view = coordinator.get(f"/meetings/{family.meeting.id}").text
    assert "Tolk behövs:" in team_view and guardian.display_name in team_view
    # The other guardian sees no one else's request.
    other = app.test_client()
    sign_in_as(other, family.guardians[1])
    assert "Tolk behövs" not in other.get(f"/meetings/{family.meeting.id}").text
    assert (
        guardian.display_name + "</bdi> (" not in other.get(f"/meetings/{family.meeting.id}").text
    )

    # Taken back: gone for the team too.
    path = f"/meetings/{family.meeting.id}/interpreter/cancel"
    assert client.post(path, data={"csrf_token": csrf_token(client, path)}).status_code == 303
    session.expire_all()
    assert session.scalar(select(InterpreterRequest.id)) is None


def test_a_bad_language_keeps_the_form_and_saves_nothing(client, session):
    family = make_family(session)
    sign_in_as(client, family.child)
    response = _ask(client, family.meeting.id, "xx")
    assert response.status_code == 400
    assert session.scalar(select(InterpreterRequest.id)) is None


def test_nobody_asks_once_the_meeting_has_started_and_staff_never_do(app, client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    assert _ask(client, family.meeting.id, "so").status_code == 404
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    family.meeting.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    session.commit()
    assert _ask(guardian, family.meeting.id, "so").status_code == 404
    assert session.scalar(select(InterpreterRequest.id)) is None

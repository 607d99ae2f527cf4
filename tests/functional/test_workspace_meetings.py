"""Meetings in the workspace: scheduled, moved and cancelled by the coordinator;
the family's .ics and feed follow (same UID, SEQUENCE grows, STATUS:CANCELLED)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from family_app.models import AuditEvent, Meeting, MeetingStatus
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family
from tests.functional.test_plan_screens import _new_feed

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, "/workspace/"), **data})


def _local(days: int, hour: int = 14) -> str:
    day = datetime.now(STOCKHOLM).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02}:00"


def test_coordinator_schedules_a_meeting_the_family_sees(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/meetings/new",
        {"kind": "follow_up", "starts_at": _local(10), "minutes": "90", "place": "Skolan"},
    )
    assert response.status_code == 303
    meeting = session.scalar(select(Meeting).where(Meeting.kind == "follow_up"))
    assert meeting.starts_at.astimezone(STOCKHOLM).hour == 14
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    assert guardian.get(f"/meetings/{meeting.id}").status_code == 200


def test_a_meeting_in_the_past_or_a_plain_http_link_is_refused(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/meetings/new"
    past = _post(client, path, {"kind": "sip", "starts_at": _local(-1), "minutes": "60"})
    garbage = _post(client, path, {"kind": "sip", "starts_at": "i morgon", "minutes": "60"})
    http = _post(
        client,
        path,
        {"kind": "sip", "starts_at": _local(3), "minutes": "60", "video_url": "http://x.se"},
    )
    assert [r.status_code for r in (past, garbage, http)] == [400, 400, 400]
    assert "i morgon" in garbage.get_data(as_text=True)
    session.expire_all()
    assert len(session.scalars(select(Meeting)).all()) == 1


def test_moving_a_meeting_keeps_its_uid_and_grows_the_sequence(client, session):
    family = make_family(session)
    before = session.get(Meeting, family.meeting.id)
    uid, sequence = before.uid, before.sequence
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}"
    assert client.get(path).status_code == 200
    response = _post(
        client, path, {"kind": "sip", "starts_at": _local(8, 9), "minutes": "60", "place": "BUP"}
    )
    assert response.status_code == 303
    session.expire_all()
    moved = session.get(Meeting, family.meeting.id)
    assert moved.uid == uid and moved.sequence > sequence
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    ics = guardian.get(f"/meetings/{family.meeting.id}/calendar.ics").get_data(as_text=True)
    assert f"SEQUENCE:{moved.sequence}" in ics and "T090000" in ics


def test_a_cancelled_meeting_reaches_calendars_as_cancelled(client, session):
    family = make_family(session)
    feed = _new_feed(client.application.test_client(), family.guardians[0])
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/cancel"
    assert "Nej, gå tillbaka" in client.get(path).get_data(as_text=True)
    assert _post(client, path, {}).status_code == 303
    session.expire_all()
    assert session.get(Meeting, family.meeting.id).status == MeetingStatus.CANCELLED
    body = client.application.test_client().get(feed).get_data(as_text=True)
    assert "STATUS:CANCELLED" in body
    assert session.scalar(select(AuditEvent.detail).where(AuditEvent.detail == "cancelled"))
    # Once cancelled, it is no longer the coordinator's to move or cancel again.
    assert client.get(path).status_code == 404

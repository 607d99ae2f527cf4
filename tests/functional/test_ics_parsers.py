"""Every calendar client reads the same meeting at the same instant (issue 15).

The family's .ics files (one meeting, and the feed) are read by three parsers that no
one here wrote: the `icalendar` library, `vobject`, and Mozilla's `ical.js`, the parser
of Thunderbird (run with Node, tests/js/read_ics.mjs). vobject and ical.js compute the
time from the VTIMEZONE inside the file, as many desktop clients do; icalendar looks
the TZID up in its own zone data, and is also asked to use only the file's VTIMEZONE.
Each must give the right UTC instant in winter, in summer and on both change days,
and follow a moved meeting (SEQUENCE grows) and a cancelled one (STATUS:CANCELLED).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from dateutil.tz import tz as dateutil_tz
from sqlalchemy import select

from family_app.models import Meeting
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family
from tests.functional.test_plan_screens import _new_feed

ROOT = Path(__file__).resolve().parents[2]
READER = ROOT / "tests" / "js" / "read_ics.mjs"


@dataclass(frozen=True)
class Reading:
    """What a calendar client takes from one VEVENT: which meeting, which version of
    it, and when it is (UTC, to the second)."""

    uid: str
    sequence: int
    status: str
    start: str
    end: str


def _utc(moment: datetime) -> str:
    assert moment.tzinfo is not None, f"a floating time: {moment}"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_icalendar(body: bytes) -> dict[str, Reading]:
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    for event in events:
        assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
        assert event["dtend"].params["TZID"] == "Europe/Stockholm"
    return {
        str(e["uid"]): Reading(
            str(e["uid"]),
            int(e["sequence"]),
            str(e["status"]),
            _utc(e.decoded("dtstart")),
            _utc(e.decoded("dtend")),
        )
        for e in events
    }


def _read_icalendar_own_vtimezone(body: bytes) -> dict[str, Reading]:
    """icalendar again, but with the times computed from the file's VTIMEZONE alone,
    as a client without zone data of its own would."""
    cal = icalendar.Calendar.from_ical(body)
    (vtimezone,) = cal.walk("VTIMEZONE")
    zone = vtimezone.to_tz(lookup_tzid=False)
    readings = {}
    for e in cal.walk("VEVENT"):
        start, end = (e.decoded(name).replace(tzinfo=zone) for name in ("dtstart", "dtend"))
        uid = str(e["uid"])
        readings[uid] = Reading(uid, int(e["sequence"]), str(e["status"]), _utc(start), _utc(end))
    return readings


def _read_vobject(body: bytes) -> dict[str, Reading]:
    readings = {}
    for e in vobject.readOne(body.decode("utf-8")).contents.get("vevent", []):
        start, end = e.dtstart.value, e.dtend.value
        # The zone came from the file's VTIMEZONE, not from zone data vobject has.
        assert isinstance(start.tzinfo, dateutil_tz._tzicalvtz), type(start.tzinfo)
        uid = e.uid.value
        readings[uid] = Reading(uid, int(e.sequence.value), e.status.value, _utc(start), _utc(end))
    return readings


def _read_ical_js(body: bytes) -> dict[str, Reading]:
    """Thunderbird's parser. Missing Node or ical.js fails the test (never a skip):
    `npm ci` installs ical.js from package-lock.json, as scripts/test does."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node is needed to read the calendar with ical.js: install nodejs.")
    if not (ROOT / "node_modules" / "ical.js" / "package.json").is_file():
        pytest.fail("ical.js is missing from node_modules: run `npm ci` in the project root.")
    result = subprocess.run(
        [node, str(READER)], input=body, capture_output=True, cwd=ROOT, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return {
        e["uid"]: Reading(e["uid"], e["sequence"], e["status"], e["start"], e["end"])
        for e in json.loads(result.stdout)
    }


PARSERS = {
    "icalendar": _read_icalendar,
    "icalendar with the file's VTIMEZONE": _read_icalendar_own_vtimezone,
    "vobject": _read_vobject,
    "ical.js": _read_ical_js,
}


def _every_parser(body: bytes) -> dict[str, dict[str, Reading]]:
    return {name: read(body) for name, read in PARSERS.items()}


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


@dataclass(frozen=True)
class Case:
    """A meeting as the coordinator books it (Stockholm wall time), and the UTC
    instants every client must show, written out by hand."""

    name: str
    local: str  # YYYY-MM-DDTHH:MM in Stockholm
    minutes: int
    start: str
    end: str


def _cases() -> list[Case]:
    # Next year, so the workspace takes them as future meetings whatever today is.
    y = date.today().year + 1
    march, october = _last_sunday(y, 3), _last_sunday(y, 10)
    before_march = march - timedelta(days=1)
    before_october = october - timedelta(days=1)
    far = y + 15  # well past 2038, where zone lists written as dates end
    return [
        Case("winter", f"{y}-01-15T10:00", 60, f"{y}-01-15T09:00:00Z", f"{y}-01-15T10:00:00Z"),
        Case("summer", f"{y}-07-15T09:00", 90, f"{y}-07-15T07:00:00Z", f"{y}-07-15T08:30:00Z"),
        Case("autumn", f"{y}-10-05T09:00", 60, f"{y}-10-05T07:00:00Z", f"{y}-10-05T08:00:00Z"),
        Case("spring change, night before", f"{march}T00:30", 60,
             f"{before_march}T23:30:00Z", f"{march}T00:30:00Z"),
        Case("spring change, early", f"{march}T03:30", 30,
             f"{march}T01:30:00Z", f"{march}T02:00:00Z"),
        Case("spring change, morning", f"{march}T10:00", 60,
             f"{march}T08:00:00Z", f"{march}T09:00:00Z"),
        Case("autumn change, night before", f"{october}T00:30", 60,
             f"{before_october}T22:30:00Z", f"{before_october}T23:30:00Z"),
        Case("autumn change, early", f"{october}T03:30", 30,
             f"{october}T02:30:00Z", f"{october}T03:00:00Z"),
        Case("autumn change, morning", f"{october}T10:00", 60,
             f"{october}T09:00:00Z", f"{october}T10:00:00Z"),
        Case("far summer", f"{far}-06-20T13:00", 120,
             f"{far}-06-20T11:00:00Z", f"{far}-06-20T13:00:00Z"),
    ]  # fmt: skip


def _book(coordinator, plan_id: int, data: dict, path: str = "new") -> None:
    url = f"/workspace/plans/{plan_id}/meetings/{path}"
    form = {"csrf_token": csrf_token(coordinator, "/workspace/"), "kind": "sip", **data}
    response = coordinator.post(url, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def _ics(client, meeting_id: int) -> bytes:
    response = client.get(f"/meetings/{meeting_id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return response.data


def _assert_all_read(body: bytes, expected: Reading, where: str) -> None:
    for parser, readings in _every_parser(body).items():
        assert readings.get(expected.uid) == expected, (where, parser)


def _world(client, session):
    family = make_family(session)
    guardian = client.application.test_client()
    feed = _new_feed(guardian, family.guardians[0])  # signs the guardian in
    coordinator = client
    sign_in_as(coordinator, family.coordinator)
    return family, guardian, feed, coordinator


def _meeting_booked_last(session) -> Meeting:
    session.expire_all()
    return session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()


def test_every_parser_reads_the_same_instant_in_winter_summer_and_on_change_days(client, session):
    family, guardian, feed, coordinator = _world(client, session)
    expected = {}
    for case in _cases():
        _book(coordinator, family.plan.id, {"starts_at": case.local, "minutes": case.minutes})
        meeting = _meeting_booked_last(session)
        expected[case.name] = Reading(
            meeting.uid, meeting.sequence, "CONFIRMED", case.start, case.end
        )

    for name, reading in expected.items():
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.uid == reading.uid))
        _assert_all_read(_ics(guardian, meeting_id), reading, f".ics, {name}")

    # The feed holds them all (and the plan's first meeting): one file, same answers.
    feed_body = client.application.test_client().get(feed).data
    readings = _every_parser(feed_body)
    for parser, by_uid in readings.items():
        assert set(by_uid) == {r.uid for r in expected.values()} | {family.meeting.uid}, parser
        for name, reading in expected.items():
            assert by_uid[reading.uid] == reading, (f"feed, {name}", parser)
    first_meeting = {parser: by_uid[family.meeting.uid] for parser, by_uid in readings.items()}
    assert len(set(first_meeting.values())) == 1, first_meeting
    assert feed_body.count(b"BEGIN:VTIMEZONE") == 1 and b"RDATE" not in feed_body


def test_every_parser_follows_a_moved_and_then_cancelled_meeting(client, session):
    family, guardian, feed, coordinator = _world(client, session)
    winter, *_ = _cases()
    _book(coordinator, family.plan.id, {"starts_at": winter.local, "minutes": winter.minutes})
    meeting = _meeting_booked_last(session)
    booked = Reading(meeting.uid, meeting.sequence, "CONFIRMED", winter.start, winter.end)
    _assert_all_read(_ics(guardian, meeting.id), booked, "booked")

    # Moved from winter into summer time, by the coordinator in the workspace.
    y = date.today().year + 1
    moved_to = {"starts_at": f"{y}-08-20T13:00", "minutes": "90", "place": "BUP"}
    _book(coordinator, family.plan.id, moved_to, path=str(meeting.id))
    session.expire_all()
    moved_sequence = session.get(Meeting, meeting.id).sequence
    assert moved_sequence > booked.sequence
    moved = Reading(
        booked.uid, moved_sequence, "CONFIRMED", f"{y}-08-20T11:00:00Z", f"{y}-08-20T12:30:00Z"
    )
    _assert_all_read(_ics(guardian, meeting.id), moved, "moved, .ics")
    _assert_all_read(client.application.test_client().get(feed).data, moved, "moved, feed")

    # Cancelled: still sent, so that every calendar strikes it out.
    cancel = f"/workspace/plans/{family.plan.id}/meetings/{meeting.id}/cancel"
    token = csrf_token(coordinator, "/workspace/")
    assert coordinator.post(cancel, data={"csrf_token": token}).status_code == 303
    session.expire_all()
    cancelled_sequence = session.get(Meeting, meeting.id).sequence
    assert cancelled_sequence > moved_sequence  # RFC 5545: a cancellation is a new version
    cancelled = Reading(booked.uid, cancelled_sequence, "CANCELLED", moved.start, moved.end)
    _assert_all_read(_ics(guardian, meeting.id), cancelled, "cancelled, .ics")
    _assert_all_read(client.application.test_client().get(feed).data, cancelled, "cancelled, feed")

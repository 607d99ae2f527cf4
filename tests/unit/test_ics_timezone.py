"""The VTIMEZONE the app writes agrees with the system's zone data, year by year.

Calendar clients that trust the file (Thunderbird's ical.js, vobject) compute every
meeting time from these two rules, so a wrong rule would move meetings by an hour.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from family_app.ics import stockholm_vtimezone

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _around_the_changes(year: int):
    """Both sides of 01:00 UTC (when Stockholm changes) and noon, on every day that
    can be the last Sunday of March or October, and the days next to them."""
    for month in (3, 10):
        first = datetime(year, month, 23, tzinfo=UTC)
        for day in range(10):
            midnight = first + timedelta(days=day)
            for after in (
                timedelta(minutes=59, seconds=59),
                timedelta(hours=1),
                timedelta(hours=12),
            ):
                yield midnight + after


def test_the_written_rules_give_stockholm_offsets_from_1996_to_2100():
    # Built from the component itself, not looked up by its name.
    ours = stockholm_vtimezone().to_tz(lookup_tzid=False)
    checked = 0
    for year in range(1996, 2101):
        instants = [
            *_around_the_changes(year),
            datetime(year, 1, 15, 12, tzinfo=UTC),
            datetime(year, 7, 15, 12, tzinfo=UTC),
        ]
        for instant in instants:
            assert (
                instant.astimezone(ours).utcoffset() == instant.astimezone(STOCKHOLM).utcoffset()
            ), instant
            checked += 1
    assert checked == 105 * (2 * 10 * 3 + 2)


def test_the_timezone_is_two_yearly_rules_not_a_list_of_dates():
    text = stockholm_vtimezone().to_ical().decode()
    assert "RDATE" not in text
    assert text.count("RRULE:") == 2
    zone = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + text + "END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")[0]
    assert str(zone["tzid"]) == "Europe/Stockholm"
    (daylight,) = zone.walk("DAYLIGHT")
    (standard,) = zone.walk("STANDARD")
    assert daylight["rrule"].to_ical() in (
        b"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    )
    assert standard["rrule"].to_ical() in (
        b"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    )
    assert daylight.decoded("dtstart") == datetime(1970, 3, 29, 2)
    assert standard.decoded("dtstart") == datetime(1970, 10, 25, 3)

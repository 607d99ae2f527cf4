"""Meetings as iCalendar (.ics), in the reader's language and Stockholm time.

A meeting's UID never changes, and SEQUENCE grows with each change, so a calendar
app updates its entry instead of adding a second one.

Times are written in Stockholm time (TZID=Europe/Stockholm) with our own VTIMEZONE
made of two yearly RRULEs (see `stockholm_vtimezone`): icalendar's generated one is a
long RDATE list that Thunderbird's ical.js and vobject do not expand, so they read
every summer meeting an hour late (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import gettext as _

from .access import PlanAccess
from .content import Translations
from .labels import MEETING_KIND, label
from .models import Meeting, MeetingStatus, utcnow
from .notifications import TEXTS
from .plans.services import agenda_texts

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MEETING_SOON = TEXTS["meeting_soon"]


def _summary(meeting: Meeting, access: PlanAccess) -> str:
    kind = label(MEETING_KIND, meeting.kind)
    if access.is_child:
        return _("Mitt möte: %(kind)s", kind=kind)
    return _("%(kind)s om %(name)s", kind=kind, name=access.plan.child.first_name)


def meeting_event(
    meeting: Meeting,
    access: PlanAccess,
    texts: Translations,
    page_url: str,
    now: datetime | None = None,
) -> icalendar.Event:
    """One meeting as a VEVENT, holding only what this reader may see."""
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now or utcnow())
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(STOCKHOLM))
    event.add("dtend", meeting.ends_at.astimezone(STOCKHOLM))
    event.add("summary", _summary(meeting, access))
    if meeting.place and access.sees_protected_details():
        event.add("location", meeting.place)
    lines = []
    agenda = agenda_texts(access, meeting, texts)
    if agenda:
        lines.append(_("Det här ska ni prata om:"))
        lines += [f"- {item.text}" for item in agenda]
    if meeting.video_url:
        lines.append(_("Mötet är på video: %(link)s", link=meeting.video_url))
        event.add("url", meeting.video_url)
    lines.append(_("Mer om mötet i Min SIP: %(link)s", link=page_url))
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    if meeting.status != MeetingStatus.CANCELLED:
        for before in ALARMS:
            event.add_component(_alarm(before))
    return event


# A reminder the day before and one an hour before (issue 13), from the phone's own
# calendar: it works offline and needs nothing from us.
ALARMS = (timedelta(days=1), timedelta(hours=1))


def _alarm(before: timedelta) -> icalendar.Alarm:
    """A display alarm whose words are lock-screen safe: that a meeting is near,
    never what it is about or whose it is."""
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", str(MEETING_SOON))
    return alarm


def calendar(events: Iterable[icalendar.Event], name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Min SIP//family-app//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Stockholm")
    cal.add_component(stockholm_vtimezone())
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def _observance(
    kind: type[icalendar.TimezoneStandard] | type[icalendar.TimezoneDaylight],
    name: str,
    offset_from: timedelta,
    offset_to: timedelta,
    first: datetime,
    month: int,
) -> icalendar.Component:
    """One side of the year: from `first` on, every year on the last Sunday of `month`
    at the same local time, the offset goes from `offset_from` to `offset_to`."""
    observance = kind()
    observance.add("tzname", name)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    observance.add("dtstart", first)  # a local time without TZID, as RFC 5545 wants
    observance.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
    return observance


def stockholm_vtimezone() -> icalendar.Timezone:
    """Europe/Stockholm as two yearly rules, which every calendar client expands alike.

    Summer time starts on the last Sunday of March at 02:00 (+0100 to +0200) and ends on
    the last Sunday of October at 03:00 (+0200 to +0100): the EU rule, kept by Sweden
    since 1996. The rules start in 1970, as many clients write them; earlier years differ
    from them, but no meeting in the app is that old. tests/unit/test_ics_timezone.py
    checks the rules against the system's zone data, year by year."""
    winter, summer = timedelta(hours=1), timedelta(hours=2)
    zone = icalendar.Timezone()
    zone.add("tzid", "Europe/Stockholm")
    zone.add_component(
        _observance(
            icalendar.TimezoneDaylight,
            "CEST",
            winter,
            summer,
            datetime(1970, 3, 29, 2),
            3,
        )
    )
    zone.add_component(
        _observance(
            icalendar.TimezoneStandard,
            "CET",
            summer,
            winter,
            datetime(1970, 10, 25, 3),
            10,
        )
    )
    return zone

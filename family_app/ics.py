"""Meetings as iCalendar (.ics), in the reader's language and Stockholm time.

A meeting's UID never changes, and SEQUENCE grows with each change, so a calendar
app updates its entry instead of adding a second one.
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
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()

"""The private calendar feed that calendar apps subscribe to (no session, a token)."""

from __future__ import annotations

from flask import Blueprint, Response, g
from flask_babel import force_locale
from flask_babel import gettext as _

from ..access import Policy, guard, plans_for
from ..audit import AuditAction, record
from ..extensions import db
from ..ics import calendar, meeting_event
from ..links import external_url
from ..plans.services import build_plan_page

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.get("/<token>/calendar.ics")
@guard(Policy.FEED_TOKEN)
def calendar_feed(token: str):
    """Every meeting this person may see right now, asked afresh on each fetch:
    a revoked consent or feed stops the next fetch."""
    person = g.feed.person
    events = []
    with force_locale(person.preferred_language):
        for access in plans_for(db.session, person):
            page = build_plan_page(db.session, access, person.preferred_language)
            for meeting in page.upcoming_meetings + page.past_meetings + page.cancelled_meetings:
                url = external_url("plans.meeting", meeting_id=meeting.id)
                events.append(meeting_event(meeting, access, page.texts, url))
            record(db.session, AuditAction.EXPORT, person, access.plan, "calendar_feed", g.feed.id)
        body = calendar(events, _("Min SIP"))
    db.session.commit()
    return Response(body, mimetype="text/calendar")

"""The private calendar feed that calendar apps subscribe to (no session, a token)."""

from __future__ import annotations

from flask import Blueprint, Response, g
from flask_babel import force_locale
from flask_babel import gettext as _

from ..access import Policy, guard, plans_for
from ..audit import AuditAction, record
from ..extensions import db, limiter
from ..ics import calendar, meeting_event
from ..links import external_url
from ..plans.services import build_plan_page

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def feed_limit_key() -> str:
    """Fetches of one feed, from any address (the token itself never stored)."""
    from flask import request

    from ..tokens import hash_token

    return "feed:" + hash_token(str((request.view_args or {}).get("token", "")))[:32]


@bp.get("/<token>/calendar.ics")
@limiter.limit("600 per hour")
@limiter.limit("30 per hour", key_func=feed_limit_key)
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

"""The family's plan pages: the plan, what happens next, who is who, meetings."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request, session
from flask_babel import gettext as _

from ..access import Policy, current_access, guard
from ..audit import AuditAction, record, record_read
from ..etag import answer
from ..extensions import db
from ..i18n import current_language
from ..ics import calendar, meeting_event
from ..links import external_url
from ..views.prompts import BY_KEY, MOODS, PICTURES, TAKE_PART
from ..views.services import editable, visible_statements
from .services import build_plan_page, people_in_plan

bp = Blueprint("plans", __name__)


def is_htmx() -> bool:
    """htmx asks for a fragment; a plain request gets the whole page (same template)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _page(read_as: str | None = None):
    """This reader's view of the plan; ``read_as`` names the read for the audit log."""
    access = current_access()
    page = build_plan_page(db.session, access, current_language())
    if read_as:
        record_read(db.session, access.person, access.plan, read_as, access.plan.id)
    return access, page


def _answer(template: str, access, page, **context) -> Response:
    """The page with its ETag; 304 when the reader (already let in by the guard,
    and the read already recorded) holds this very page (family_app/etag.py)."""
    had_message = bool(session.get("_flashes"))
    body = render_template(template, page=page, access=access, **context)
    return answer(body, access.person.id, had_message)


@bp.get("/plans/<int:plan_id>")
@guard(Policy.PLAN_READ)
def plan(plan_id: int):
    access, page = _page(read_as="plan")
    return _answer("plans/plan.html", access, page)


@bp.get("/plans/<int:plan_id>/next")
@guard(Policy.PLAN_READ)
def next_steps(plan_id: int):
    access, page = _page(read_as="plan_next")
    if is_htmx():
        full = not request.args.get("brief")
        return _answer("plans/_next.html", access, page, full=full)
    return _answer("plans/next.html", access, page)


@bp.get("/plans/<int:plan_id>/people")
@guard(Policy.PLAN_READ)
def people(plan_id: int):
    access, page = _page(read_as="plan_people")
    return _answer("plans/people.html", access, page, people=people_in_plan(page))


@bp.get("/plans/<int:plan_id>/meetings")
@guard(Policy.PLAN_READ)
def meetings(plan_id: int):
    access, page = _page(read_as="plan_meetings")
    return _answer("plans/meetings.html", access, page)


@bp.get("/meetings/<int:meeting_id>")
@guard(Policy.MEETING_READ)
def meeting(meeting_id: int):
    access, page = _page()
    meeting = next(
        (m for m in page.upcoming_meetings + page.past_meetings if m.id == meeting_id), g.meeting
    )
    record_read(db.session, access.person, access.plan, "meeting", meeting.id)
    template = "plans/_meeting.html" if is_htmx() else "plans/meeting.html"
    return render_template(
        template,
        page=page,
        access=access,
        meeting=meeting,
        views_shown=visible_statements(db.session, meeting, access),
        prompts=BY_KEY,
        moods=MOODS,
        pictures=PICTURES,
        take_part=TAKE_PART,
        views_open=editable(meeting),
    )


@bp.get("/meetings/<int:meeting_id>/calendar.ics")
@guard(Policy.MEETING_READ)
def meeting_ics(meeting_id: int):
    access, page = _page()
    meeting = next(
        (m for m in page.upcoming_meetings + page.past_meetings if m.id == meeting_id), g.meeting
    )
    page_url = external_url("plans.meeting", meeting_id=meeting.id)
    body = calendar([meeting_event(meeting, access, page.texts, page_url)], _("Min SIP"))
    record(
        db.session,
        AuditAction.EXPORT,
        access.person,
        access.plan,
        "meeting",
        meeting.id,
        detail="ics",
    )
    db.session.commit()
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="mote-{meeting.id}.ics"'},
    )


# A family member's interpreter request shares this blueprint.
from . import interpreter as _interpreter  # noqa: E402, F401

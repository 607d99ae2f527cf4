"""Meetings in the workspace: schedule, move and cancel (the coordinator).

The family's .ics and calendar feed follow: the UID stays, SEQUENCE grows, and
a cancelled meeting is sent as STATUS:CANCELLED instead of disappearing.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access import Policy, current_access, guard
from ..extensions import db
from ..hygiene import validates_own_text
from . import services
from .forms import EmptyForm, MeetingForm
from .plans import _form_page
from .routes import bp


def _values(form: MeetingForm) -> services.MeetingTimes:
    return services.MeetingTimes(
        kind=form.kind.data,
        starts_at=form.starts_at.data,
        minutes=int(form.minutes.data),
        place=form.place.data or "",
        video_url=form.video_url.data or "",
    )


@bp.route("/plans/<int:plan_id>/meetings/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.SCHEDULE_MEETING)
def new_meeting(plan_id: int):
    access = current_access()
    form = MeetingForm()
    title = _l("Nytt möte")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return _form_page(form, title, _l("Boka mötet"), back=back)
    if not form.validate():
        return _form_page(form, title, _l("Boka mötet"), 400, back=back)
    services.schedule_meeting(db.session, access, _values(form))
    db.session.commit()
    flash(_("Mötet är bokat. Familjen ser det i planen och i sin kalender."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.SCHEDULE_MEETING)
def edit_meeting(plan_id: int, meeting_id: int):
    access = current_access()
    meeting = g.meeting
    form = MeetingForm(
        obj=meeting,
        data={"minutes": str(int((meeting.ends_at - meeting.starts_at).total_seconds() // 60))},
    )
    title = _l("Flytta eller ändra mötet")
    back = url_for("workspace.plan", plan_id=plan_id)
    cancel = url_for("workspace.cancel_meeting", plan_id=plan_id, meeting_id=meeting_id)
    if not form.is_submitted():
        return _form_page(form, title, _l("Spara mötet"), back=back, cancel_url=cancel)
    if not form.validate():
        return _form_page(form, title, _l("Spara mötet"), 400, back=back, cancel_url=cancel)
    services.move_meeting(db.session, access, meeting, _values(form))
    db.session.commit()
    flash(_("Mötet är ändrat. Familjens kalender visar den nya tiden."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.SCHEDULE_MEETING)
def cancel_meeting(plan_id: int, meeting_id: int):
    """A confirmation page (no JavaScript confirm), then the cancellation."""
    access = current_access()
    form = EmptyForm()
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return render_template(
            "workspace/cancel_meeting.html", access=access, meeting=g.meeting, form=form, back=back
        )
    services.cancel_meeting(db.session, access, g.meeting)
    db.session.commit()
    flash(_("Mötet är inställt. Familjen ser det i planen och i sin kalender."), "success")
    return redirect(back, 303)

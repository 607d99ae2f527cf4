"""Before a meeting: who from the team comes and who can decide, how the child
takes part, and the team's points on the agenda (the coordinator).

The family's meeting page shows all of it, so a guardian knows who will be in the
room and whether the decision they need can be made there."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access import Policy, current_access, guard
from ..extensions import db
from ..hygiene import validates_own_text
from . import services
from .forms import AgendaItemForm, AttendanceForm, attendance_form
from .routes import bp


def _page(form, agenda_form, status: int = 200):  # noqa: ANN001, ANN202 - view helper
    access = current_access()
    meeting = g.meeting
    return render_template(
        "workspace/meeting_setup.html",
        access=access,
        meeting=meeting,
        team=services.team_people(access.plan),
        form=form,
        agenda_form=agenda_form,
        agenda=[i for i in meeting.agenda_items if access.sees_agenda_item(i)],
    ), status


def _attendance_form(**kwargs: object) -> AttendanceForm:
    return attendance_form([p.id for p in services.team_people(current_access().plan)], **kwargs)


def _saved() -> AttendanceForm:
    """The form as it is stored now: who comes, in what role, who can decide; a
    team member not yet coming is offered with their work title as the role."""
    meeting = g.meeting
    current = {a.person_id: a for a in meeting.attendees if a.person_id}
    data: dict[str, object] = {
        "child_participation": meeting.child_participation or "",
        "child_represented_by": meeting.child_represented_by or "",
    }
    for person in services.team_people(current_access().plan):
        row = current.get(person.id)
        data[f"attend_{person.id}"] = row is not None
        data[f"role_{person.id}"] = row.role if row else (person.title or "")
        data[f"decide_{person.id}"] = bool(row and row.can_decide)
    return _attendance_form(formdata=None, data=data)


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>/setup", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.SCHEDULE_MEETING)
def meeting_setup(plan_id: int, meeting_id: int):
    access = current_access()
    if request.method == "GET":
        return _page(_saved(), AgendaItemForm(formdata=None))
    form = _attendance_form()
    if not form.validate():
        return _page(form, AgendaItemForm(formdata=None), 400)
    coming = [
        services.Attending(
            person=person,
            role=form[f"role_{person.id}"].data or "",
            can_decide=bool(form[f"decide_{person.id}"].data),
        )
        for person in services.team_people(access.plan)
        if form[f"attend_{person.id}"].data
    ]
    services.set_attendees(
        db.session,
        access,
        g.meeting,
        coming,
        form.child_participation.data or None,
        form.child_represented_by.data or None,
    )
    db.session.commit()
    flash(
        _("Det är sparat. Familjen ser vilka som kommer och vem som kan fatta beslut."),
        "success",
    )
    return redirect(url_for("workspace.meeting_setup", plan_id=plan_id, meeting_id=meeting_id), 303)


@bp.post("/plans/<int:plan_id>/meetings/<int:meeting_id>/agenda")
@validates_own_text
@guard(Policy.SCHEDULE_MEETING)
def add_agenda_item(plan_id: int, meeting_id: int):
    form = AgendaItemForm()
    if not form.validate():
        return _page(_saved(), form, 400)
    services.add_agenda_item(db.session, current_access(), g.meeting, form.text.data)
    db.session.commit()
    flash(_("Punkten är med på dagordningen."), "success")
    return redirect(url_for("workspace.meeting_setup", plan_id=plan_id, meeting_id=meeting_id), 303)


@bp.post("/plans/<int:plan_id>/meetings/<int:meeting_id>/agenda/<int:item_id>/remove")
@guard(Policy.REMOVE_AGENDA_ITEM)
def remove_agenda_item(plan_id: int, meeting_id: int, item_id: int):
    services.remove_agenda_item(db.session, current_access(), g.agenda_item)
    db.session.commit()
    flash(_("Punkten är borttagen från dagordningen."), "success")
    return redirect(url_for("workspace.meeting_setup", plan_id=plan_id, meeting_id=meeting_id), 303)

"""Meetings in the workspace: schedule, move and cancel (the coordinator), and
after the meeting: who took part, how the child took part and how the child's
views were taken into account, and the decisions (who does what by when).

The family's .ics and calendar feed follow: the UID stays, SEQUENCE grows, and
a cancelled meeting is sent as STATUS:CANCELLED instead of disappearing.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from ..access import Policy, age_rules, current_access, guard
from ..audit import record_read
from ..extensions import db
from ..hygiene import validates_own_text
from ..models import Decision, Meeting
from . import services
from .forms import (
    DecisionForm,
    EmptyForm,
    MeetingForm,
    OutcomeForm,
    RemoveDecisionForm,
    options,
)
from .plans import NONE_CHOICE, _commit_or_conflict, _conflict_page, _form_page
from .routes import bp

STOCKHOLM = ZoneInfo("Europe/Stockholm")


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


# --- after the meeting --------------------------------------------------------------------


def _after_url(meeting: Meeting) -> str:
    return url_for("workspace.meeting_after", plan_id=meeting.plan_id, meeting_id=meeting.id)


@bp.get("/plans/<int:plan_id>/meetings/<int:meeting_id>/after")
@validates_own_text
@guard(Policy.FOLLOW_UP_MEETING)
def meeting_after(plan_id: int, meeting_id: int):
    """What came of a meeting: the outcome, the decisions, and the way to the answers."""
    access = current_access()
    record_read(db.session, access.person, access.plan, "meeting", meeting_id)
    return render_template(
        "workspace/meeting_after.html", access=access, plan=access.plan, meeting=g.meeting
    )


OUTCOME_TEXTS = ("summary", "child_views_used", "child_views_used_child")
OUTCOME_HINTS = {
    "took_part": _l("Kryssa i alla som var med. De som inte är ikryssade var inte med."),
    "child_represented_by": _l("Fyll i om någon annan talade för barnet."),
    "summary": _l("Barnet och vårdnadshavarna läser texten."),
    "child_views_used": _l(
        "Vad sa barnet, och vad kom det av det? Vårdnadshavarna läser också texten: "
        "skriv inget som barnet ville hålla för sig själv."
    ),
    "child_views_used_child": _l(
        "Barnet ser den här texten i stället för texten till vuxna. Skriv korta meningar."
    ),
}


def _attendee_name(attendee: Any) -> str:
    if attendee.person is not None:
        agency = attendee.person.agency
        return (
            f"{attendee.person.display_name} ({agency.name})"
            if agency
            else (attendee.person.display_name)
        )
    return attendee.agency.name if attendee.agency else ""


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.RECORD_OUTCOME)
def record_outcome(plan_id: int, meeting_id: int):
    """The coordinator writes down what came of the meeting; it is then held."""
    access = current_access()
    meeting = g.meeting
    form = OutcomeForm(
        obj=meeting,
        data={
            "version": str(meeting.outcome_version),
            "took_part": [a.id for a in meeting.attendees if a.attended],
        },
    )
    if meeting.attendees:
        form.took_part.choices = options([(a.id, _attendee_name(a)) for a in meeting.attendees])
    else:
        del form.took_part
    title = _l("Efter mötet: det här hände")
    back = _after_url(meeting)
    context = {"back": back, "hints": OUTCOME_HINTS, "back_text": _l("Tillbaka till mötet")}
    if not form.is_submitted():
        record_read(db.session, access.person, access.plan, "meeting", meeting_id)
        return _form_page(form, title, _l("Spara"), **context)
    if not form.validate():
        return _form_page(form, title, _l("Spara"), 400, **context)
    outcome = services.Outcome(
        took_part=frozenset(form.took_part.data or []) if meeting.attendees else frozenset(),
        child_participation=form.child_participation.data,
        child_represented_by=form.child_represented_by.data or "",
        summary=form.summary.data or "",
        child_views_used=form.child_views_used.data or "",
        child_views_used_child=form.child_views_used_child.data or "",
    )
    try:
        services.record_outcome(db.session, access, meeting, form.read_version, outcome)
    except services.EditConflict:
        db.session.rollback()
        return _conflict_page(form, title, meeting, OUTCOME_TEXTS, "outcome_version", **context)
    db.session.commit()
    flash(_("Det som hände på mötet är sparat. Familjen har fått ett meddelande."), "success")
    return redirect(back, 303)


# --- decisions ----------------------------------------------------------------------------

DECISION_TEXTS = ("what", "child_what")
DECISION_HINTS = {
    "child_what": _l(
        "Barnet ser den här texten i stället för texten till vuxna. Skriv korta meningar "
        "till barnet: vem gör vad, och när."
    ),
    "person_id": _l("Någon i teamet: samordnaren eller personal i planen."),
}


def _decision_form(decision: Decision | None) -> DecisionForm:
    access = current_access()
    meeting = g.meeting
    form = DecisionForm(
        obj=decision,
        data=None if decision else {"version": "0"},
        meeting_day=meeting.starts_at.astimezone(STOCKHOLM).date(),
    )
    allowed = access.decision_agency_ids()
    agencies = [a for a in access.visible_agencies if a.id in allowed]
    none = [NONE_CHOICE] if access.may_coordinate else []
    form.agency_id.choices = options([*none, *[(a.id, a.name) for a in agencies]])
    form.person_id.choices = options(
        [NONE_CHOICE, *[(p.id, p.display_name) for p in services.team_people(access.plan)]]
    )
    form.agency_needed = not access.may_coordinate
    age = access.plan.child.age_on(access.today)
    form.child_text_needed = age is not None and age >= age_rules().asked_from
    return form


def _decision_values(form: DecisionForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in services.DECISION_FIELDS}
    for name in DECISION_TEXTS:
        values[name] = values[name] or ""
    return values


def _decision_page(decision: Decision | None):
    access = current_access()
    meeting = g.meeting
    form = _decision_form(decision)
    title = _l("Ändra beslutet") if decision else _l("Nytt beslut")
    back = _after_url(meeting)
    context: dict[str, Any] = {
        "back": back,
        "hints": DECISION_HINTS,
        "back_text": _l("Tillbaka till mötet"),
    }
    if decision is not None:
        context["remove_url"] = url_for(
            "workspace.remove_decision",
            plan_id=meeting.plan_id,
            meeting_id=meeting.id,
            decision_id=decision.id,
        )
    if not form.is_submitted():
        if decision is not None:
            record_read(db.session, access.person, access.plan, "decision", decision.id)
        return _form_page(form, title, _l("Spara beslutet"), **context)
    if not form.validate():
        return _form_page(form, title, _l("Spara beslutet"), 400, **context)
    try:
        services.save_decision(
            db.session, access, meeting, decision, form.read_version, _decision_values(form)
        )
        committed = _commit_or_conflict()
    except (services.EditConflict, StaleDataError):
        db.session.rollback()
        committed = False
    if not committed and decision is None:  # pragma: no cover - nothing to race yet
        return _form_page(form, title, _l("Spara beslutet"), 409, **context)
    if not committed:
        return _conflict_page(form, title, decision, DECISION_TEXTS, **context)
    flash(_("Beslutet är sparat."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>/decisions/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.ADD_DECISION)
def new_decision(plan_id: int, meeting_id: int):
    return _decision_page(None)


@bp.route(
    "/plans/<int:plan_id>/meetings/<int:meeting_id>/decisions/<int:decision_id>",
    methods=["GET", "POST"],
)
@validates_own_text
@guard(Policy.EDIT_DECISION)
def edit_decision(plan_id: int, meeting_id: int, decision_id: int):
    return _decision_page(g.decision)


@bp.route(
    "/plans/<int:plan_id>/meetings/<int:meeting_id>/decisions/<int:decision_id>/remove",
    methods=["GET", "POST"],
)
@validates_own_text
@guard(Policy.EDIT_DECISION)
def remove_decision(plan_id: int, meeting_id: int, decision_id: int):
    """A confirmation page (no JavaScript confirm), then the decision is taken back."""
    access = current_access()
    decision = g.decision
    form = RemoveDecisionForm(data={"version": str(decision.version)})
    back = _after_url(g.meeting)
    page = {"access": access, "decision": decision, "form": form, "back": back}
    if not form.is_submitted():
        return render_template("workspace/remove_decision.html", **page)
    if not form.validate():
        return render_template("workspace/remove_decision.html", **page), 400
    try:
        services.remove_decision(db.session, access, decision, form.read_version)
        committed = _commit_or_conflict()
    except (services.EditConflict, StaleDataError):
        db.session.rollback()
        committed = False
    if not committed:
        flash(_("Någon annan ändrade beslutet samtidigt. Titta på det igen innan du tar bort det."))
        return redirect(back, 303)
    flash(_("Beslutet är borttaget."), "success")
    return redirect(back, 303)

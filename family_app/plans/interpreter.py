"""A family member asks for an interpreter at a meeting (issue 12): two taps from
the meeting page, the language picked (their own preselected), seen by the team
on the meeting and in My plans, and confirmed back on the family's meeting page."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from ..access import Policy, current_access, guard
from ..audit import AuditAction, record
from ..extensions import db
from ..i18n import isolate, language_name
from ..models import InterpreterRequest
from ..workspace.forms import CHOICE_MESSAGE, language_choices
from .routes import bp


class InterpreterForm(FlaskForm):
    language = SelectField(
        _l("Tolk på språket"),
        choices=language_choices,
        invalid_choice_message=CHOICE_MESSAGE,
    )


def _own_request() -> InterpreterRequest | None:
    person = current_access().person
    return next((r for r in g.meeting.interpreter_requests if r.person_id == person.id), None)


@bp.route("/meetings/<int:meeting_id>/interpreter", methods=["GET", "POST"])
@guard(Policy.REQUEST_INTERPRETER)
def interpreter(meeting_id: int):
    access = current_access()
    own = _own_request()
    preferred = access.person.preferred_language
    default = own.language if own else (preferred if preferred != "sv" else None)
    form = InterpreterForm(data={"language": default} if default else None)
    back = url_for("plans.meeting", meeting_id=meeting_id)
    if not form.is_submitted() or not form.validate():
        status = 400 if form.is_submitted() else 200
        return render_template(
            "plans/interpreter.html", access=access, meeting=g.meeting, form=form, own=own,
            back=back,
        ), status  # fmt: skip
    if own is None:
        own = InterpreterRequest(person_id=access.person.id, language=form.language.data)
        g.meeting.interpreter_requests.append(own)
    own.language = form.language.data
    db.session.flush()
    record(db.session, AuditAction.WRITE, access.person, access.plan, "interpreter_request",
           own.id, own.language)  # fmt: skip
    db.session.commit()
    flash(
        _(
            "Samordnaren ser nu att du behöver tolk på %(language)s.",
            language=isolate(language_name(own.language)),
        ),
        "success",
    )
    return redirect(back, 303)


@bp.post("/meetings/<int:meeting_id>/interpreter/cancel")
@guard(Policy.REQUEST_INTERPRETER)
def cancel_interpreter(meeting_id: int):
    access = current_access()
    own = _own_request()
    if own is not None:
        g.meeting.interpreter_requests.remove(own)
        record(db.session, AuditAction.WRITE, access.person, access.plan, "interpreter_request",
               own.id, "cancelled")  # fmt: skip
        db.session.commit()
    flash(_("Din begäran om tolk är borttagen."), "success")
    return redirect(url_for("plans.meeting", meeting_id=meeting_id), 303)

"""Consent given outside the app, and consent exceptions, recorded by the coordinator.

Both land in the family's consent history as what they are: "gave written
consent", "an exception was decided under <law>"; the reason stays with the team.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access import Policy, current_access, guard
from ..consent import services as consent_services
from ..extensions import db
from ..hygiene import validates_own_text
from .forms import ConsentExceptionForm, RecordConsentForm, options
from .plans import NONE_CHOICE, _form_page
from .routes import bp

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _start_of(day) -> datetime:  # noqa: ANN001 - a date
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def _end_of(day) -> datetime:  # noqa: ANN001 - a date
    """Valid "to and with" a day: until the day after begins, Stockholm time."""
    return datetime.combine(day, time.max, tzinfo=STOCKHOLM)


def _choices(form) -> tuple[list, list]:  # noqa: ANN001 - a consent form
    access = current_access()
    agencies = access.consent_agencies()
    people = access.consenting_parties()
    form.agency_id.choices = options([NONE_CHOICE, *[(a.id, a.name) for a in agencies]])
    form.person_id.choices = options([NONE_CHOICE, *[(p.id, p.display_name) for p in people]])
    return agencies, people


@bp.route("/plans/<int:plan_id>/consent/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.RECORD_CONSENT)
def record_consent(plan_id: int):
    access = current_access()
    form = RecordConsentForm()
    agencies, people = _choices(form)
    title = _l("Registrera samtycke som familjen gav på papper eller muntligt")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return _form_page(form, title, _l("Registrera samtycket"), back=back)
    if not form.validate():
        return _form_page(form, title, _l("Registrera samtycket"), 400, back=back)
    consent_services.record_outside_app(
        db.session,
        access.plan,
        next(a for a in agencies if a.id == form.agency_id.data),
        next(p for p in people if p.id == form.person_id.data),
        access.person,
        form.method.data,
        _start_of(form.given_on.data),
        _end_of(form.valid_to.data),
    )
    db.session.commit()
    flash(_("Samtycket är registrerat. Familjen ser det i historiken."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/consent/exception", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.RECORD_CONSENT)
def consent_exception(plan_id: int):
    access = current_access()
    form = ConsentExceptionForm()
    agencies, people = _choices(form)
    title = _l("Registrera ett undantag från samtycke")
    back = url_for("workspace.plan", plan_id=plan_id)
    hints = {"legal_ref": _l("Till exempel OSL 12 kap. 3 §. Lagrummet visas för familjen.")}
    if not form.is_submitted():
        return _form_page(form, title, _l("Registrera undantaget"), back=back, hints=hints)
    if not form.validate():
        return _form_page(form, title, _l("Registrera undantaget"), 400, back=back, hints=hints)
    consent_services.record_exception(
        db.session,
        access.plan,
        next(a for a in agencies if a.id == form.agency_id.data),
        next(p for p in people if p.id == form.person_id.data),
        access.person,
        form.legal_ref.data,
        form.reason.data,
        form.decided_by.data,
        _end_of(form.valid_to.data),
    )
    db.session.commit()
    flash(_("Undantaget är registrerat."), "success")
    return redirect(back, 303)

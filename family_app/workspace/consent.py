"""Consent given outside the app, and consent exceptions, recorded by the coordinator.

Both land in the family's consent history as what they are: "gave written
consent", "an exception was decided under <law>"; the reason stays with the team.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access import (
    Policy,
    age_rules,
    current_access,
    guard,
    plan_consents,
)
from ..consent import services as consent_services
from ..extensions import db
from ..hygiene import validates_own_text
from ..i18n import isolate
from ..labels import EXCEPTION_KIND, label
from ..models import FB_6_13A_REF, ExceptionKind, MemberRole, utcnow
from .forms import (
    ChildSayForm,
    ConsentExceptionForm,
    EmptyForm,
    Fb613aForm,
    MaturityForm,
    RecordConsentForm,
    options,
)
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


# --- the child's say, FB 6:13 a and maturity, recorded by the coordinator (rule 3) ----------


def _agency_choices(form) -> list:  # noqa: ANN001 - a consent form
    agencies = current_access().consent_agencies()
    form.agency_id.choices = options([NONE_CHOICE, *[(a.id, a.name) for a in agencies]])
    return agencies


@bp.route("/plans/<int:plan_id>/consent/child", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.RECORD_CONSENT)
def child_say(plan_id: int):
    """The child's own consent or assent, given outside the app."""
    access = current_access()
    form = ChildSayForm()
    agencies = _agency_choices(form)
    name = access.plan.child.first_name
    title = _l("Registrera vad %(name)s sa om samtycket", name=isolate(name))
    submit = _l("Registrera")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return _form_page(form, title, submit, back=back)
    valid = form.validate()
    rules = age_rules()
    if (
        valid
        and form.say.data == "consent"
        and not access.child_may_consent_to(
            plan_consents(db.session, access.plan).get(form.agency_id.data), utcnow()
        )
    ):
        form.say.errors = [
            _(
                "%(name)s är under %(age)d år. Registrera först en bedömning av mognad, "
                "eller registrera om %(name)s går med på det.",
                name=isolate(name),
                age=rules.consent_from,
            )
        ]
        valid = False
    if valid and form.say.data != "consent" and not access.child_may_assent:
        form.say.errors = [
            _(
                "%(name)s är under %(age)d år. Barnets medgivande registreras från %(age)d år.",
                name=isolate(name),
                age=rules.assent_from,
            )
        ]
        valid = False
    if not valid:
        return _form_page(form, title, submit, 400, back=back)
    agency = next(a for a in agencies if a.id == form.agency_id.data)
    child = access.plan.child
    if form.say.data == "consent":
        consent_services.record_outside_app(
            db.session,
            access.plan,
            agency,
            child,
            access.person,
            form.method.data,
            _start_of(form.given_on.data),
            _end_of(form.valid_to.data),
        )
    else:
        consent_services.record_child_say(
            db.session,
            access.plan,
            agency,
            child,
            access.person,
            form.say.data == "assent",
            form.method.data,
        )
    db.session.commit()
    flash(_("Det är registrerat. Det syns i historiken för samtycke."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/consent/fb-6-13a", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.RECORD_CONSENT)
def fb_6_13a(plan_id: int):
    """Socialnämnden decided that care may start without one guardian's consent."""
    access = current_access()
    form = Fb613aForm()
    agencies = _agency_choices(form)
    guardians = [
        m.person for m in access.plan.members if m.role == MemberRole.GUARDIAN and m.has_custody
    ]
    form.person_id.choices = options([NONE_CHOICE, *[(p.id, p.display_name) for p in guardians]])
    title = _l("Registrera ett beslut enligt FB 6 kap. 13 a §")
    submit = _l("Registrera beslutet")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return _form_page(form, title, submit, back=back)
    if not form.validate():
        return _form_page(form, title, submit, 400, back=back)
    consent_services.record_exception(
        db.session,
        access.plan,
        next(a for a in agencies if a.id == form.agency_id.data),
        next(p for p in guardians if p.id == form.person_id.data),
        access.person,
        FB_6_13A_REF,
        form.reason.data,
        form.decided_by.data,
        _end_of(form.valid_to.data),
        kind=ExceptionKind.FB_6_13A,
        valid_from=_start_of(form.decided_on.data),
    )
    db.session.commit()
    flash(_("Beslutet är registrerat."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/consent/maturity", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.RECORD_CONSENT)
def maturity(plan_id: int):
    """A judgement of the child's maturity, with its mandatory written reason."""
    access = current_access()
    form = MaturityForm()
    agencies = _agency_choices(form)
    title = _l(
        "Registrera en bedömning av mognad för %(name)s", name=isolate(access.plan.child.first_name)
    )
    submit = _l("Registrera bedömningen")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return _form_page(form, title, submit, back=back)
    if not form.validate():
        return _form_page(form, title, submit, 400, back=back)
    consent_services.record_exception(
        db.session,
        access.plan,
        next(a for a in agencies if a.id == form.agency_id.data),
        access.plan.child,
        access.person,
        "",
        form.reason.data,
        form.decided_by.data,
        _end_of(form.valid_to.data),
        kind=ExceptionKind(form.judgement.data),
    )
    db.session.commit()
    flash(_("Bedömningen är registrerad."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/consent/exceptions/<int:exception_id>/end", methods=["GET", "POST"])
@guard(Policy.END_EXCEPTION)
def end_exception(plan_id: int, exception_id: int):
    """Asks first (GET), then ends the exception or judgement (POST): kept in the
    history, no longer in force from this moment."""
    access = current_access()
    exception = g.exception
    form = EmptyForm()
    title = _l(
        "Avsluta det här för %(name)s (%(agency)s)? %(what)s",
        what=label(EXCEPTION_KIND, exception.kind),
        name=isolate(exception.person.display_name),
        agency=isolate(exception.consent.agency.name),
    )
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        return _form_page(form, title, _l("Ja, avsluta"), back=back)
    if not form.validate():
        return _form_page(form, title, _l("Ja, avsluta"), 400, back=back)
    consent_services.end_exception(db.session, access.plan, exception, access.person)
    db.session.commit()
    flash(_("Det är avslutat. Det syns i historiken för samtycke."), "success")
    return redirect(back, 303)

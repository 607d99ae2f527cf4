"""The agency admin's page: the agency's staff (added and invited here, decision 5),
re-invitations to watch, and ending a colleague's sessions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..access import Policy, guard
from ..audit import AuditAction, record
from ..auth.invitations import shown_once
from ..auth.session import current_person
from ..extensions import db
from ..hygiene import validates_own_text
from ..i18n import isolate
from ..models import Invitation, Person, utcnow
from . import services
from .forms import NewApiTokenForm, NewStaffForm, ReinviteReasonForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _index_page(status: int = 200, **extra: Any):  # noqa: ANN202 - a view's answer
    admin = current_person()
    creator = aliased(Person)
    reinvitations = db.session.scalars(
        select(Invitation)
        .join(creator, Invitation.created_by_id == creator.id)
        .where(Invitation.reason.is_not(None), creator.agency_id == admin.agency_id)
        .order_by(Invitation.created_at.desc())
        .limit(200)
    ).all()
    staff, with_passkeys, open_invites = services.staff_overview(db.session, admin)
    return render_template(
        "admin/index.html",
        api_tokens=services.api_tokens(db.session, admin),
        now=utcnow(),
        reinvitations=reinvitations,
        staff=staff,
        with_passkeys=with_passkeys,
        open_invites=open_invites,
        **extra,
    ), status


@bp.get("/")
@guard(Policy.AGENCY_ADMIN)
def index():
    """The agency's staff with their invitations; every re-invitation of an account
    that had passkeys, made by this agency's staff, newest first."""
    return _index_page()


@bp.route("/people/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.AGENCY_ADMIN)
def new_staff():
    """Add a professional to the admin's own agency (membership of plans comes later,
    from the directory; an invitation is the admin's next, separate step)."""
    form = NewStaffForm()
    title = _l("Lägg till en medarbetare")
    back = url_for("admin.index")
    if not form.is_submitted():
        return _form(form, title, back)
    if not form.validate():
        return _form(form, title, back, 400)
    person = services.add_staff(
        db.session,
        current_person(),
        services.NewStaff(
            form.display_name.data,
            form.title.data or "",
            form.phone.data or "",
            bool(form.is_admin.data),
        ),
    )
    db.session.commit()
    flash(
        _(
            "%(name)s är tillagd. Bjud in %(name)s när det är dags.",
            name=isolate(person.display_name),
        ),
        "success",
    )
    return redirect(back, 303)


def _form(form: Any, title: Any, back: str, status: int = 200):  # noqa: ANN202
    return render_template(
        "workspace/form.html",
        form=form,
        title=title,
        submit=_l("Lägg till"),
        back=back,
        back_label=_l("Tillbaka till administrationen"),
    ), status


@bp.post("/people/<int:person_id>/invitation")
@validates_own_text
@guard(Policy.AGENCY_STAFF)
def invite_staff(person_id: int):
    """Issue a one-time invitation for a colleague and show it once: link, code, QR.
    Re-inviting an account that has passkeys asks why; its new passkey is pending."""
    admin = current_person()
    staff = g.staff
    reason = None
    if services.has_passkeys(db.session, staff):
        form = ReinviteReasonForm()
        if not form.validate():
            return _index_page(
                400,
                reason_errors={staff.id: " ".join(str(e) for e in form.reason.errors)},
                reason_values={staff.id: form.reason.data or ""},
            )
        reason = form.reason.data
    issued = services.invite_staff(
        db.session, admin, staff, current_app.config["INVITATION_DAYS"], reason
    )
    db.session.commit()
    return shown_once(issued, staff, url_for("admin.index"), _("Tillbaka till administrationen"))


@bp.post("/people/<int:person_id>/invitation/withdraw")
@guard(Policy.AGENCY_STAFF)
def withdraw_staff_invitation(person_id: int):
    services.withdraw_staff_invitation(db.session, current_person(), g.staff)
    db.session.commit()
    flash(_("Inbjudan är tillbakadragen. Den går inte att använda."), "success")
    return redirect(url_for("admin.index"), 303)


@bp.post("/people/<int:person_id>/translator")
@guard(Policy.AGENCY_STAFF)
def set_translator(person_id: int):
    """Mark a colleague as translator, or unmark: a translator can be added to plans
    to translate their family-facing texts (issue 12). Unmarked, every such access
    ends with the next request (access.translator_access)."""
    # The state asked for, not a flip: a second tap or an old page changes nothing.
    wanted = request.form.get("translator") == "1"
    if wanted != g.staff.is_translator:
        services.set_translator(db.session, current_person(), g.staff, wanted)
    db.session.commit()
    flash(_("Ändringen är sparad."), "success")
    return redirect(url_for("admin.index"), 303)


@bp.post("/people/<int:person_id>/end-sessions")
@guard(Policy.AGENCY_STAFF)
def end_sessions(person_id: int):
    """A lost work phone: every session of this colleague ends on its next request."""
    staff = g.staff
    staff.session_version += 1
    record(
        db.session,
        AuditAction.SIGN_OUT,
        current_person(),
        object_type="person",
        object_id=staff.id,
        detail="ended_by_admin",
    )
    db.session.commit()
    flash(
        _("Alla inloggningar för %(name)s är avslutade.", name=isolate(staff.display_name)),
        "success",
    )
    return redirect(url_for("admin.index"), 303)


@bp.route("/api-tokens/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.AGENCY_ADMIN)
def new_api_token():
    """A token for the agency's own system to read, through FHIR, the plans the
    agency takes part in (issue 15). Shown once; only its hash is kept."""
    form = NewApiTokenForm()
    title = _l("Ny nyckel för ett system")
    back = url_for("admin.index")
    if not form.is_submitted():
        return _token_form(form, title, back)
    if not form.validate():
        return _token_form(form, title, back, 400)
    token, row = services.create_api_token(
        db.session, current_person(), form.name.data, form.days.data
    )
    db.session.commit()
    response = current_app.make_response(
        render_template(
            "admin/api_token_shown.html",
            token=token,
            row=row,
            base_url=url_for("fhir.metadata", _external=True).rsplit("/metadata", 1)[0],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_form(form: Any, title: Any, back: str, status: int = 200):  # noqa: ANN202
    return render_template(
        "workspace/form.html",
        form=form,
        title=title,
        submit=_l("Skapa nyckeln"),
        back=back,
        back_label=_l("Tillbaka till administrationen"),
    ), status


@bp.post("/api-tokens/<int:token_id>/revoke")
@guard(Policy.AGENCY_API_TOKEN)
def revoke_api_token(token_id: int):
    """Revoked at once: the system's next request is refused."""
    services.revoke_api_token(db.session, current_person(), g.api_token)
    db.session.commit()
    flash(_("Nyckeln är återkallad. Den fungerar inte längre."), "success")
    return redirect(url_for("admin.index"), 303)


from . import translations as _translations  # noqa: E402, F401

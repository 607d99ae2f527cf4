"""Sign-in pages: invitations, (development) sign-in, sign-out."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Policy, guard, safe_next
from ..audit import AuditAction, record
from ..extensions import db, limiter
from ..models import Invitation, utcnow
from . import invitations
from .session import sign_in, sign_out

bp = Blueprint("auth", __name__)


def _invitation_problem(invitation: Invitation | None) -> str | None:
    """A plain explanation of why an invitation cannot be used, or None."""
    now = utcnow()
    if invitation is None:
        return _("Vi hittar inte den här inbjudan. Kontrollera länken eller koden.")
    if invitation.used_at is not None:
        return _(
            "Den här inbjudan har redan använts. En inbjudan fungerar bara en gång. "
            "Be din samordnare om en ny inbjudan."
        )
    if invitation.withdrawn_at is not None:
        return _("Den här inbjudan gäller inte längre. Be din samordnare om en ny inbjudan.")
    if invitation.expires_at <= now:
        return _("Den här inbjudan har gått ut. Be din samordnare om en ny inbjudan.")
    return None


@bp.get("/sign-in")
@guard(Policy.PUBLIC)
def sign_in_page():
    """Where people without a session land."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/sign_in.html", next=safe_next(request.args.get("next")))


@bp.post("/invitation/code")
@guard(Policy.PUBLIC)
@limiter.limit("10 per minute")
def invitation_code():
    """A person types the short code from a printed invitation."""
    code = request.form.get("code", "")
    invitation = invitations.find_by_code(db.session, code) if code.strip() else None
    problem = (
        _("Skriv koden från din inbjudan.") if not code.strip() else _invitation_problem(invitation)
    )
    if problem:
        return render_template("auth/sign_in.html", code=code, code_error=problem), 400
    # Continue on a page that holds no secret in its address.
    db.session.commit()
    return render_template("auth/invitation.html", invitation=invitation, code=code)


@bp.get("/i/<token>")
@guard(Policy.PUBLIC)
@limiter.limit("30 per minute")
def invitation(token: str):
    invitation = invitations.find_by_token(db.session, token)
    problem = _invitation_problem(invitation)
    if problem:
        return render_template("auth/invitation_problem.html", problem=problem), 410
    return render_template("auth/invitation.html", invitation=invitation, token=token)


@bp.post("/invitation/dev-sign-in")
@guard(Policy.PUBLIC)
@limiter.limit("30 per minute")
def dev_sign_in():
    """Development only: use an invitation to sign in without a passkey."""
    if not current_app.config["DEV_SIGN_IN"]:
        abort(404)
    token = request.form.get("token", "")
    code = request.form.get("code", "")
    invitation = (
        invitations.find_by_token(db.session, token)
        if token
        else invitations.find_by_code(db.session, code)
        if code
        else None
    )
    problem = _invitation_problem(invitation)
    if problem or invitation is None or not invitations.mark_used(db.session, invitation):
        db.session.rollback()
        return render_template(
            "auth/invitation_problem.html",
            problem=problem or _("Den här inbjudan har redan använts."),
        ), 410
    person = invitation.person
    record(db.session, AuditAction.SIGN_IN, person, detail="dev_invitation")
    db.session.commit()
    sign_in(person)
    flash(_("Du är inloggad."), "success")
    return redirect(url_for("main.index"), 303)


@bp.post("/sign-out")
@guard(Policy.SIGNED_IN)
def sign_out_view():
    record(db.session, AuditAction.SIGN_OUT, current_user._get_current_object())
    db.session.commit()
    sign_out()
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("auth.sign_in_page"), 303)

"""Sign-in pages: invitations, (development) sign-in, sign-out."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Policy, guard, needs_fresh_proof, safe_next
from ..audit import AuditAction, record
from ..extensions import db, limiter
from ..i18n import use_language_of
from ..models import Invitation, utcnow
from . import invitations, passkeys
from .session import current_person, record_fresh_proof, sign_in, sign_out

bp = Blueprint("auth", __name__)


# --- rate-limit keys: per invitation and per account, next to per address -----------------


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.is_json else None
    return body if isinstance(body, dict) else {}


def invitation_limit_key() -> str:
    """Attempts on one invitation, from any address (its token or code, keyed)."""
    body = _body()
    secret = (
        (request.view_args or {}).get("token")
        or request.form.get("token")
        or request.form.get("code")
        or body.get("token")
        or body.get("code")
    )
    if not isinstance(secret, str) or not secret.strip():
        return "invitation:none"
    return "invitation:" + invitations.rate_key(secret)


def account_limit_key() -> str:
    """Sign-in attempts on one passkey (so one account), from any address."""
    credential = _body().get("credential")
    raw_id = credential.get("rawId") if isinstance(credential, dict) else None
    if not isinstance(raw_id, str) or not raw_id:
        return "account:none"
    return "account:" + invitations.rate_key(raw_id[:200])


def _invitation_problem(invitation: Invitation | None) -> str | None:
    """A plain explanation of why an invitation cannot be used, or None."""
    now = utcnow()
    if invitation is None:
        return _("Vi hittar inte den här inbjudan. Kontrollera länken eller koden.")
    signed_in = current_person()
    if signed_in is not None and signed_in.id != invitation.person_id:
        # Never a way into someone else's account (a colleague's own browser).
        return _(
            "Du är inloggad som någon annan. Den här inbjudan är inte till dig. "
            "Logga ut först om du vill hjälpa någon att använda sin inbjudan."
        )
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
@limiter.limit("10 per hour", key_func=invitation_limit_key)
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
@limiter.limit("30 per hour", key_func=invitation_limit_key)
def invitation(token: str):
    invitation = invitations.find_by_token(db.session, token)
    problem = _invitation_problem(invitation)
    if problem:
        return render_template("auth/invitation_problem.html", problem=problem), 410
    use_language_of(invitation.person)
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


@bp.post("/quick-exit")
@guard(Policy.PUBLIC)
def quick_exit():
    """The child's "leave quickly" button signs out on the way (sent as a beacon)."""
    person = current_person()
    if person is not None:
        record(db.session, AuditAction.SIGN_OUT, person, detail="quick_exit")
        db.session.commit()
        sign_out()
    return "", 204


@bp.post("/sign-out")
@guard(Policy.SIGNED_IN)
def sign_out_view():
    record(db.session, AuditAction.SIGN_OUT, current_person())
    db.session.commit()
    sign_out()
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("auth.sign_in_page"), 303)


# --- passkeys ----------------------------------------------------------------------------


def _passkey_message(code: str) -> str:
    """What to tell a person whose passkey step failed, in their language."""
    messages = {
        "invitation": _(
            "Den här inbjudan har redan använts eller gäller inte längre. "
            "Be din samordnare om en ny inbjudan."
        ),
        "unknown_credential": _(
            "Vi känner inte igen den här inloggningsnyckeln. Den kan ha tagits bort. "
            "Be din samordnare om en ny inbjudan."
        ),
        "counter": _(
            "Vi kunde inte lita på den här inloggningen, så vi stoppade den. "
            "Kontakta din samordnare."
        ),
        "duplicate": _(
            "Den här inloggningsnyckeln finns redan hos oss. Du kan logga in med den som vanligt."
        ),
        "signed_in_other": _(
            "Du är inloggad som någon annan. Den här inbjudan är inte till dig. "
            "Logga ut först om du vill hjälpa någon att använda sin inbjudan."
        ),
    }
    return messages.get(
        code,
        _("Det gick inte att logga in. Försök igen, eller be din samordnare om en ny inbjudan."),
    )


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _refused(code: str, status: int = 400) -> tuple[Response, int]:
    db.session.commit()  # keep the consumed challenge and the audit event
    return jsonify(error=_passkey_message(code)), status


def _invitation_from(body: dict[str, Any]) -> Invitation | None:
    token = body.get("token")
    code = body.get("code")
    if isinstance(token, str) and token:
        return invitations.find_by_token(db.session, token)
    if isinstance(code, str) and code:
        return invitations.find_by_code(db.session, code)
    return None


@bp.post("/passkeys/register/options")
@guard(Policy.PUBLIC)
@limiter.limit("20 per minute")
@limiter.limit("20 per hour", key_func=invitation_limit_key)
def passkey_register_options():
    """Start registering: from an invitation, or (signed in) for one's own account."""
    rp = passkeys.RelyingParty.from_config(current_app.config)
    body = _json_body()
    if body.get("token") or body.get("code"):
        invitation = _invitation_from(body)
        problem = _invitation_problem(invitation)
        if problem or invitation is None:
            return jsonify(error=problem), 410
        options = passkeys.registration_options(db.session, rp, invitation.person, invitation)
    elif current_user.is_authenticated:
        if needs_fresh_proof():
            return jsonify(
                error=_("Bekräfta först att det är du. Använd din inloggningsnyckel igen."),
                confirm=url_for("account.confirm_it_is_you", next=url_for("account.devices")),
            ), 403
        options = passkeys.registration_options(db.session, rp, current_person())
    else:
        return jsonify(error=_passkey_message("invitation")), 410
    db.session.commit()
    return Response(options, mimetype="application/json")


@bp.post("/passkeys/register/verify")
@guard(Policy.PUBLIC)
@limiter.limit("20 per minute")
@limiter.limit("20 per hour", key_func=invitation_limit_key)
def passkey_register_verify():
    rp = passkeys.RelyingParty.from_config(current_app.config)
    body = _json_body()
    credential = body.get("credential")
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    if not isinstance(credential, dict):
        return _refused("malformed")
    signed_in = current_person() if current_user.is_authenticated else None
    try:
        stored = passkeys.finish_registration(
            db.session,
            rp,
            credential,
            name,
            signed_in,
            pending_hours=current_app.config["PENDING_PASSKEY_HOURS"],
        )
    except passkeys.PasskeyError as error:
        return _refused(error.code)
    db.session.commit()
    if signed_in is None:
        sign_in(stored.person, stored)
        flash(_("Klart! Nästa gång loggar du in med din inloggningsnyckel."), "success")
        return jsonify(redirect=url_for("main.index"))
    flash(_("Inloggningsnyckeln är tillagd."), "success")
    return jsonify(redirect=url_for("account.devices"))


@bp.post("/passkeys/sign-in/options")
@guard(Policy.PUBLIC)
@limiter.limit("30 per minute")
def passkey_sign_in_options():
    rp = passkeys.RelyingParty.from_config(current_app.config)
    options = passkeys.authentication_options(db.session, rp)
    db.session.commit()
    return Response(options, mimetype="application/json")


@bp.post("/passkeys/sign-in/verify")
@guard(Policy.PUBLIC)
@limiter.limit("10 per minute")
@limiter.limit("20 per hour", key_func=account_limit_key)
def passkey_sign_in_verify():
    rp = passkeys.RelyingParty.from_config(current_app.config)
    body = _json_body()
    credential = body.get("credential")
    if not isinstance(credential, dict):
        return _refused("malformed")
    try:
        stored = passkeys.finish_authentication(db.session, rp, credential)
    except passkeys.PasskeyError as error:
        return _refused(error.code)
    db.session.commit()
    next_path = safe_next(body.get("next") if isinstance(body.get("next"), str) else None)
    sign_in(stored.person, stored)
    return jsonify(redirect=next_path or url_for("main.index"))


# --- fresh proof inside a session (adding or removing a passkey, changing consent) ---------


@bp.post("/passkeys/proof/options")
@guard(Policy.SIGNED_IN)
@limiter.limit("20 per minute")
def passkey_proof_options():
    """One tap on one's own passkey, for a session that has been open a while."""
    rp = passkeys.RelyingParty.from_config(current_app.config)
    options = passkeys.authentication_options(db.session, rp, person=current_person())
    db.session.commit()
    return Response(options, mimetype="application/json")


@bp.post("/passkeys/proof/verify")
@guard(Policy.SIGNED_IN)
@limiter.limit("10 per minute")
def passkey_proof_verify():
    rp = passkeys.RelyingParty.from_config(current_app.config)
    body = _json_body()
    credential = body.get("credential")
    if not isinstance(credential, dict):
        return _refused("malformed")
    try:
        passkeys.finish_authentication(db.session, rp, credential, person=current_person())
    except passkeys.PasskeyError as error:
        return _refused(error.code)
    db.session.commit()
    record_fresh_proof()
    next_path = safe_next(body.get("next") if isinstance(body.get("next"), str) else None)
    return jsonify(redirect=next_path or url_for("account.devices"))

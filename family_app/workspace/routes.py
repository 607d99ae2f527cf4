"""The coordinator's workspace: the people of a plan and their invitations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..access import Policy, current_access, family_of, guard
from ..audit import AuditAction, record, record_read
from ..auth.invitations import issue_invitation, shown_once, withdraw_open_invitations
from ..extensions import db
from ..i18n import isolate
from ..models import Credential, Invitation, utcnow

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


REASON_MAX = 500


def _people_page(access, status: int = 200, **extra):  # noqa: ANN001, ANN202 - view helper
    rows = family_of(access.plan)
    ids = [p.id for p, _r in rows]
    with_passkeys = set(
        db.session.scalars(select(Credential.person_id).where(Credential.person_id.in_(ids)))
    )
    open_invites = {
        i.person_id: i
        for i in db.session.scalars(
            select(Invitation).where(
                Invitation.person_id.in_([p.id for p, _r in rows]),
                Invitation.used_at.is_(None),
                Invitation.withdrawn_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        )
    }
    record_read(db.session, access.person, access.plan, "family_list", access.plan.id)
    return render_template(
        "workspace/people.html",
        access=access,
        rows=rows,
        open_invites=open_invites,
        with_passkeys=with_passkeys,
        **extra,
    ), status


@bp.get("/plans/<int:plan_id>/people")
@guard(Policy.PLAN_COORDINATE)
def people(plan_id: int):
    return _people_page(current_access())


@bp.post("/plans/<int:plan_id>/people/<int:person_id>/invitation")
@guard(Policy.INVITE_FAMILY)
def create_invitation(plan_id: int, person_id: int):
    """Issue a one-time invitation and show it once: link, code and QR to print."""
    access = current_access()
    person = g.invitee
    # An account that already has passkeys: the new passkey will be pending, and the
    # coordinator says why (the agency admin sees every such re-invitation).
    has_passkeys = db.session.scalar(
        select(Credential.id).where(Credential.person_id == person.id).limit(1)
    )
    reason = request.form.get("reason", "").strip() if has_passkeys else ""
    if has_passkeys and (not reason or len(reason) > REASON_MAX):
        error = _("Skriv varför %(name)s behöver en ny inbjudan (högst 500 tecken).") % {
            "name": isolate(person.first_name)
        }
        return _people_page(
            access,
            400,
            reason_errors={person.id: error},
            reason_values={person.id: request.form.get("reason", "")},
        )
    issued = issue_invitation(
        db.session,
        person,
        access.person,
        current_app.config["INVITATION_DAYS"],
        access.plan.id,
        reason=reason or None,
    )
    record(
        db.session,
        AuditAction.INVITE,
        access.person,
        access.plan,
        "person",
        person.id,
        detail="reinvite" if has_passkeys else "",
    )
    db.session.commit()
    return shown_once(
        issued,
        person,
        url_for("workspace.people", plan_id=plan_id),
        _("Tillbaka till personerna i planen"),
    )


@bp.post("/plans/<int:plan_id>/people/<int:person_id>/invitation/withdraw")
@guard(Policy.INVITE_FAMILY)
def withdraw_invitation(plan_id: int, person_id: int):
    access = current_access()
    person = g.invitee
    withdraw_open_invitations(db.session, person)
    record(
        db.session,
        AuditAction.INVITE,
        access.person,
        access.plan,
        "person",
        person.id,
        detail="withdrawn",
    )
    db.session.commit()
    flash(_("Inbjudan är tillbakadragen. Den går inte att använda."), "success")
    return redirect(url_for("workspace.people", plan_id=plan_id), 303)


# The plan-writing routes share this blueprint (registered when this module loads).
from . import consent as _consent  # noqa: E402, F401
from . import meeting_setup as _meeting_setup  # noqa: E402, F401
from . import meetings as _meetings  # noqa: E402, F401
from . import plans as _plans  # noqa: E402, F401
from . import translations as _translations  # noqa: E402, F401

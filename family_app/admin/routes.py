"""The agency admin's page: re-invitations to watch, and ending a colleague's sessions."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..access import Policy, guard
from ..audit import AuditAction, record
from ..auth.session import current_person
from ..extensions import db
from ..models import Invitation, Person

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@guard(Policy.AGENCY_ADMIN)
def index():
    """Every re-invitation of an account that had passkeys, made by this agency's
    staff, newest first; and the agency's staff."""
    admin = current_person()
    creator = aliased(Person)
    reinvitations = db.session.scalars(
        select(Invitation)
        .join(creator, Invitation.created_by_id == creator.id)
        .where(Invitation.reason.is_not(None), creator.agency_id == admin.agency_id)
        .order_by(Invitation.created_at.desc())
        .limit(200)
    ).all()
    staff = db.session.scalars(
        select(Person).where(Person.agency_id == admin.agency_id).order_by(Person.display_name)
    ).all()
    return render_template("admin/index.html", reinvitations=reinvitations, staff=staff)


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
    flash(_("Alla inloggningar för %(name)s är avslutade.", name=staff.display_name), "success")
    return redirect(url_for("admin.index"), 303)

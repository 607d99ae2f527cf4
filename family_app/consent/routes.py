"""Consent pages: per agency, give and revoke with a confirmation, and who can
see the plan right now."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access import Policy, current_access, fresh_proof, guard
from ..audit import record_read
from ..extensions import db
from ..flashes import CONSENT_GIVEN, CONSENT_REVOKED, flash_about_agency
from . import services
from .who import access_log, who_can_see

bp = Blueprint("consent", __name__)

CHILD_VIEWS = ("ok", "not_ok", "unsure")


def _render_overview(status: int = 200, **extra):
    access = current_access()
    rows = services.overview(db.session, access)
    history = services.history(db.session, access)
    return render_template(
        "consent/index.html",
        access=access,
        rows=rows,
        history=history,
        child_views=CHILD_VIEWS,
        **extra,
    ), status


@bp.get("/plans/<int:plan_id>/consent")
@guard(Policy.PLAN_READ)
def index(plan_id: int):
    access = current_access()
    record_read(db.session, access.person, access.plan, "consent", access.plan.id)
    return _render_overview()


@bp.route(
    "/plans/<int:plan_id>/consent/<int:agency_id>/<any(give, revoke):change>",
    methods=["GET", "POST"],
)
@guard(Policy.GIVE_CONSENT)
@fresh_proof
def change(plan_id: int, agency_id: int, change: str):
    """GET: a confirmation page in plain words. POST: do it (idempotent)."""
    access, agency = current_access(), g.agency
    row = next(r for r in services.overview(db.session, access) if r.agency.id == agency.id)
    if request.method == "GET":
        return render_template(
            "consent/confirm.html",
            access=access,
            agency=agency,
            change=change,
            row=row,
            months=current_app.config["CONSENT_MONTHS"],
        )
    if change == "give":
        changed = services.give(
            db.session,
            access.plan,
            agency,
            access.person,
            access.person,
            current_app.config["CONSENT_MONTHS"],
        )
    else:
        changed = services.revoke(db.session, access.plan, agency, access.person, access.person)
    db.session.commit()
    if changed:
        kind = CONSENT_GIVEN if change == "give" else CONSENT_REVOKED
        flash_about_agency(kind, access.plan.id, agency.id)
    else:
        flash(_("Det var redan gjort. Inget har ändrats."), "info")
    return redirect(url_for("consent.index", plan_id=plan_id) + f"#agency-{agency.id}", 303)


@bp.post("/plans/<int:plan_id>/consent/<int:agency_id>/child-view")
@guard(Policy.TELL_CONSENT_VIEW)
def child_view(plan_id: int, agency_id: int):
    """The child says what they think; it is kept and shown to the team."""
    access, agency = current_access(), g.agency
    choice = request.form.get("view", "")
    words = request.form.get("words", "").strip()
    if choice not in CHILD_VIEWS or len(words) > 2000:
        return _render_overview(
            400,
            view_errors={agency.id: _("Välj ett svar. Du kan skriva högst 2000 tecken.")},
            view_values={agency.id: {"view": choice, "words": request.form.get("words", "")}},
        )
    services.record_child_view(
        db.session, access.plan, agency, access.person, f"{choice}: {words}" if words else choice
    )
    db.session.commit()
    flash(_("Tack! Det du tycker är sparat. Teamet kan läsa det."), "success")
    return redirect(url_for("consent.index", plan_id=plan_id) + f"#agency-{agency.id}", 303)


@bp.get("/plans/<int:plan_id>/who-can-see")
@guard(Policy.PLAN_READ)
def who(plan_id: int):
    access = current_access()
    record_read(db.session, access.person, access.plan, "plan_access", access.plan.id)
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    log = access_log(db.session, access, page) if access.sees_who_looked else None
    return render_template(
        "consent/who.html", access=access, rows=who_can_see(db.session, access), log=log
    )

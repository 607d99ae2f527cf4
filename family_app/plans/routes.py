"""The family's plan pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..access import Policy, current_access, guard
from ..audit import record_read
from ..extensions import db
from ..i18n import current_language
from .services import build_plan_page

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/<int:plan_id>")
@guard(Policy.PLAN_READ)
def plan(plan_id: int):
    access = current_access()
    page = build_plan_page(db.session, access, current_language())
    record_read(db.session, access.person, access.plan, "plan", access.plan.id)
    return render_template("plans/plan.html", page=page, access=access)

"""Home, health check, language choice."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..access import Policy, guard, plans_for, safe_next
from ..auth.session import current_person
from ..extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
@guard(Policy.PUBLIC)
def index():
    """Signed out: a welcome. One plan: straight to it. Several: pick the child."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    person = current_person()
    accesses = plans_for(db.session, person)
    if len(accesses) == 1 and accesses[0].is_family:
        return redirect(url_for("plans.plan", plan_id=accesses[0].plan.id))
    return render_template("main/home.html", accesses=accesses)


@bp.get("/healthz")
@guard(Policy.PUBLIC)
def healthz():
    """For the load balancer and Docker HEALTHCHECK: is the database reachable?"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
@guard(Policy.PUBLIC)
def set_language():
    """Remember the chosen language (and keep it for a signed-in person)."""
    code = request.form.get("lang", "")
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_person().preferred_language = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"), 303)


@bp.get("/glossary")
@guard(Policy.PUBLIC)
def glossary():
    """Words we use, in plain language."""
    from ..glossary import TERMS

    return render_template("main/glossary.html", terms=TERMS)

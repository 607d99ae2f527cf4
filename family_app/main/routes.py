"""Home, health check, language choice."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

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

from ..access import Policy, guard, is_staff, plans_for, safe_next
from ..audit import AuditAction, record
from ..auth.session import current_person
from ..extensions import db

bp = Blueprint("main", __name__)


@bp.app_template_global("offline_key")
def offline_key() -> str:
    """A name for the signed-in person's offline copy on this device (issue 14).

    The service worker keeps a person's pages under this name, so someone else
    signing in on the same phone never sees them. Derived with the app's secret
    so the page does not show a database id; empty when nobody is signed in.
    """
    if not current_user.is_authenticated:
        return ""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"offline:{current_user.get_id()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


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
    # The list names children and their plans: for staff, that is a read (rule 9).
    for access in accesses:
        if access.is_team:
            record(db.session, AuditAction.READ, person, access.plan, "plan_list", access.plan.id)
    db.session.commit()
    return render_template("main/home.html", accesses=accesses, has_workspace=is_staff(person))


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
    """Words we use, in plain language: explained to the child for a child.

    A signed-in person who is the child in every plan they have reads the child's
    glossary; everyone else the adults'. ``?for=child`` and ``?for=adult`` let a
    guardian read along with the child, or a child read the adults' words.
    """
    from ..glossary import terms_for

    wanted = request.args.get("for")
    if wanted in {"child", "adult"}:
        for_child = wanted == "child"
    elif current_user.is_authenticated:
        accesses = plans_for(db.session, current_person())
        for_child = bool(accesses) and all(a.is_child for a in accesses)
    else:
        for_child = False
    return render_template("main/glossary.html", terms=terms_for(for_child), for_child=for_child)


@lru_cache(maxsize=4)
def _static_assets(static_folder: str) -> tuple[str, tuple[str, ...]]:
    """(version, files) of the static folder; files do not change while we run."""
    static = Path(static_folder)
    assets = tuple(
        sorted(
            str(p.relative_to(static))
            for p in static.rglob("*")
            if p.is_file() and p.suffix in {".css", ".js", ".svg", ".png", ".webmanifest"}
        )
    )
    digest = hashlib.sha256()
    for name in assets:
        digest.update(name.encode())
        digest.update((static / name).read_bytes())
    return digest.hexdigest()[:12], assets


@bp.get("/sw.js")
@guard(Policy.PUBLIC)
def service_worker():
    """The service worker must be served from the root to control every page."""
    version, assets = _static_assets(current_app.static_folder)
    body = render_template(
        "pwa/sw.js",
        version=version,
        assets=[url_for("static", filename=name) for name in assets],
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
@guard(Policy.PUBLIC)
def offline():
    """Shown by the service worker when there is no connection; holds nothing personal."""
    return render_template("pwa/offline.html")

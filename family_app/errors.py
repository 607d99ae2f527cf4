"""Error pages in the person's language, for plain requests and for htmx, and an
error log that holds no personal data.

Flask's own error log wrote the request path (ids of a child's plan, invitation
tokens) and the exception's message, which for a database error held the SQL
parameters: a child's text. We log only the route pattern, the endpoint, the
exception's type, where in our code it happened (file and line), and a request id
that the error page shows, so a person's report can be matched to the log line.
"""

from __future__ import annotations

import logging
import secrets
import traceback
import types
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .i18n import isolate


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _page(status: int, title: str, message: str):
    from .fhir.outcome import for_status, is_fhir_request

    if is_fhir_request():  # an agency system gets an OperationOutcome, not a page
        return for_status(status)
    if _wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", title=title, message=message, status=status), status


log = logging.getLogger("family_app.errors")


def request_id() -> str:
    """A random id for this request (no meaning, nothing personal)."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(8)
    return g.request_id


def _where(tb: Any) -> str:
    """File:line of the innermost frames of our own code (else of any code),
    without any values or messages."""
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/family_app/" in f.filename] or frames
    return " < ".join(
        f"{f.filename.rsplit('/', 2)[-2]}/{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
        for f in reversed(ours[-3:])
    )


def log_exception(app: Flask, exc_info: Any) -> None:
    """Replaces Flask.log_exception: no path, no query, no form, no SQL values."""
    exc_type, _exc, tb = exc_info if isinstance(exc_info, tuple) else (None, None, None)
    kind = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else "unknown"
    rule = request.url_rule.rule if request.url_rule else "<no route>"
    log.error(
        "request failed id=%s method=%s route=%s endpoint=%s exception=%s at=%s",
        request_id(),
        request.method,
        rule,
        request.endpoint or "-",
        kind,
        _where(tb) if tb else "-",
    )


def init_app(app: Flask) -> None:
    app.log_exception = types.MethodType(log_exception, app)  # type: ignore[method-assign]
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return _page(
            400,
            _("Sidan behöver laddas om"),
            _(
                "Sidan hade varit öppen länge, eller så loggades du ut. Gå tillbaka, ladda om "
                "sidan och försök igen."
            ),
        )

    @app.errorhandler(404)
    def not_found(_error: HTTPException):
        return _page(
            404,
            _("Sidan finns inte"),
            _(
                "Vi hittar inte sidan. Den kan ha flyttats, eller så har du inte tillgång till "
                "den just nu."
            ),
        )

    @app.errorhandler(429)
    def too_many(_error: HTTPException):
        return _page(
            429,
            _("Vänta en stund"),
            _("Det kom många försök på kort tid. Vänta en minut och försök igen."),
        )

    @app.errorhandler(413)
    def too_large(_error: HTTPException):
        return _page(413, _("För mycket text"), _("Det du skickade var för stort. Korta ner det."))

    @app.errorhandler(405)
    def not_allowed(_error: HTTPException):
        return _page(405, _("Det gick inte"), _("Det här går inte att göra på den här sidan."))

    @app.errorhandler(500)
    def server_error(_error: Exception):
        # A failed statement leaves the transaction unusable (PostgreSQL); the page
        # itself reads the signed-in person, so start clean.
        from .extensions import db

        db.session.rollback()
        return _page(
            500,
            _("Något gick fel hos oss"),
            _("Det är inte ditt fel. Försök igen om en stund.")
            + " "
            + _("Felkod: %(id)s", id=isolate(request_id())),
        )

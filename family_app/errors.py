"""Error pages in the person's language, for plain requests and for htmx."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _page(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", title=title, message=message, status=status), status


def init_app(app: Flask) -> None:
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
        return _page(
            500,
            _("Något gick fel hos oss"),
            _("Det är inte ditt fel. Försök igen om en stund."),
        )

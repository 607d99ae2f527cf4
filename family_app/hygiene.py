"""Input hygiene at the edge, before any view runs.

A NUL byte in a text made PostgreSQL refuse the statement (500) and put the text
in the log; other control characters are invisible in every browser and have no
place in a plan. They are refused here, for every form field, query parameter
and JSON string, with a plain message, and the text the person typed is handed
back (without those characters) so nothing is lost. Newline, carriage return
(part of a browser's newline) and tab stay allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Fields that only carry machinery, never something a person typed.
_NOT_TYPED = {"csrf_token"}


def has_forbidden(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def clean(text: str) -> str:
    """The text without the refused characters (to hand back, never to store)."""
    return FORBIDDEN.sub("", text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _json_body() -> Any:
    if not request.is_json:
        return None
    return request.get_json(silent=True)


def validates_own_text(view: Any) -> Any:
    """Mark a view whose WTForms form refuses control characters itself, field by
    field (``workspace.forms.plain_text``): its form is then re-rendered with the
    message next to the field and everything typed kept, instead of this layer's
    page. Query strings and JSON are still checked here."""
    view.validates_own_text = True
    return view


def _refused(form_checked_by_view: bool) -> bool:
    values = [v for _k, v in request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if not form_checked_by_view:
            values += [v for _k, v in request.form.items(multi=True)]
        values += list(_strings(_json_body()))
    return any(has_forbidden(v) for v in values)


def message() -> str:
    return _(
        "Texten innehåller ett osynligt specialtecken som inte går att spara. Vi har tagit "
        "bort det nedan. Kontrollera texten och skicka igen."
    )


def _answer():
    from .fhir.outcome import for_status, is_fhir_request

    if is_fhir_request():  # an agency system gets an OperationOutcome
        return for_status(400)
    text = message()
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error=text), 400
    if request.headers.get("HX-Request"):
        # htmx (autosave): the text is still in the field; only say what is wrong.
        return render_template("errors/_input.html", message=text, typed=[]), 400
    typed = [
        clean(value)
        for key, value in request.form.items(multi=True)
        if key not in _NOT_TYPED and value.strip()
    ]
    return render_template("errors/input.html", message=text, typed=typed), 400


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_control_characters() -> Any:
        if request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint or "")
        if _refused(form_checked_by_view=getattr(view, "validates_own_text", False)):
            return _answer()
        return None

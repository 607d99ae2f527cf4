"""Messages shown once after a change that name an agency, worded when shown.

A flash waits in the session until the next page is drawn, and that page may come
after the rules changed: a harm flag set in between hides the agency from a
guardian (decision 10), who must then not read its name in a leftover "Klart"
either. So such a message is kept as what happened (kind, plan, agency) and is
written in words only when shown, after asking ``access.may_be_told_of`` again;
the name also comes out in the reader's language of that moment.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

CONSENT_GIVEN = "consent_given"
CONSENT_REVOKED = "consent_revoked"

_WORDS = {
    CONSENT_GIVEN: _l(
        "Klart. Du har gett samtycke till %(agency)s. Det syns i historiken längst ner."
    ),
    CONSENT_REVOKED: _l(
        "Klart. %(agency)s kan inte längre läsa planen. Samordnaren har fått veta det."
    ),
}


def flash_about_agency(kind: str, plan_id: int, agency_id: int) -> None:
    """Flash a change about one agency of one plan, to be worded when shown."""
    if kind not in _WORDS:
        raise ValueError(kind)
    flash({"kind": kind, "plan": plan_id, "agency": agency_id}, "success")


def flash_text(message: Any) -> Any:
    """The words of one flashed message for the person reading the page now."""
    if not isinstance(message, dict):
        return message
    from .access import may_be_told_of
    from .auth.session import current_person
    from .content import directory_text
    from .extensions import db
    from .i18n import isolate
    from .models import Agency, Plan

    words = _WORDS.get(message.get("kind"))
    person = current_person()
    plan = db.session.get(Plan, message.get("plan"))
    agency = db.session.get(Agency, message.get("agency"))
    if words is None or person is None or plan is None or agency is None:
        return _("Ändringen är sparad.")
    if not may_be_told_of(db.session, person, plan, agency.id):
        return _("Ändringen är sparad.")
    return str(words) % {"agency": isolate(directory_text(agency, "name").text)}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["flash_text"] = flash_text

"""The agency admin translates the agency's directory data: its name and opening
hours and its staff's titles (issue 12). The family reads them in their language
on every page that names the agency (content.directory_text); like plan texts,
a translation of an older Swedish text is not shown (the Swedish is)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import Policy, guard
from ..audit import AuditAction, record
from ..auth.session import current_person
from ..content import Translations, save_translation
from ..extensions import db
from ..hygiene import validates_own_text
from ..models import Agency, Person
from ..workspace.translations import (
    Entry,
    entries_of,
    flash_saved,
    other_languages,
    translation_form,
)
from .routes import bp


def directory_entries(session: Session, agency: Agency, locale: str) -> list[Entry]:
    """The agency's name and hours and each staff member's title, each with its
    translation in ``locale`` (an old one too: the translator updates it)."""
    staff = list(
        session.scalars(
            select(Person)
            .where(Person.agency_id == agency.id, Person.title.is_not(None))
            .order_by(Person.display_name)
        )
    )
    found = Translations(session, [agency, *staff], locale)
    labels = {"name": _("Namn"), "hours": _("Öppettider"), "title": _("Titel")}
    parts: list[tuple[Any, str, str, dict[str, str] | None]] = [
        (agency, "agency", agency.name, labels)
    ]
    parts += [(person, "person", person.display_name, labels) for person in staff]
    return entries_of(found, parts)


@bp.route("/translations/<locale>", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.AGENCY_ADMIN)
def translate_directory(locale: str):
    """Only the admin's own agency and its own staff: another agency's name is
    that agency's to translate."""
    admin = current_person()
    languages = other_languages()
    if locale not in languages:
        abort(404)
    agency = db.session.get(Agency, admin.agency_id)
    items = directory_entries(db.session, agency, locale)
    form = translation_form(items, locale, languages[locale]["dir"])
    context = {"items": items, "language": languages[locale]["name"], "agency": agency}
    if not form.is_submitted():
        for item in items:
            getattr(form, item.key).data = item.translation
        form.translator.data = admin.display_name
        return render_template("admin/translate.html", form=form, **context)
    if not form.validate():
        return render_template("admin/translate.html", form=form, **context), 400
    changed = 0
    for item in items:
        kind = "agency" if isinstance(item.obj, Agency) else "person"
        outcome = save_translation(
            db.session,
            item.obj,
            item.field,
            locale,
            getattr(form, item.key).data or "",
            form.translator.data,
        )
        if outcome != "unchanged":
            changed += 1
            record(db.session, AuditAction.WRITE, admin, None, "translation", item.obj.id,
                   f"{kind}.{item.field}.{locale}:{outcome}")  # fmt: skip
    db.session.commit()
    flash_saved(changed)
    return redirect(url_for("admin.index"), 303)

"""Translating a plan's family-facing texts into the family's languages.

Swedish is the source; each translation remembers which Swedish text it was made
from, so the family is told when the Swedish has changed since (content.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm

from ..access import Policy, current_access, family_facing_agenda, family_of, guard
from ..audit import record_read
from ..content import TRANSLATABLE, Translations
from ..extensions import db
from ..hygiene import validates_own_text
from ..i18n import isolate, nice_date
from ..models import MeetingStatus, Plan
from ..plans.services import plan_meetings
from . import services
from .forms import NAME_MAX, TEXT_MAX, _text
from .routes import bp

FIELD_LABELS = {
    "background": _l("Bakgrund"),
    "meeting_question": _l("Frågan till mötet"),
    "text": _l("Text"),
    "title": _l("Rubrik"),
    "description": _l("Beskrivning"),
    "child_description": _l("Text till barnet"),
    "family_part": _l("Det familjen gör själv"),
    "summary": _l("Sammanfattning av mötet"),
    "what": _l("Beslut"),
    "child_what": _l("Beslutet till barnet"),
    "child_views_used": _l("Så togs barnets tankar till vara"),
    "child_views_used_child": _l("Så togs barnets tankar till vara, till barnet"),
}


@dataclass(frozen=True)
class Entry:
    """One Swedish text of the plan and its translation in one language, if any."""

    key: str
    obj: Any
    field: str
    part: str  # which part of the plan, for the label
    source: str
    translation: str
    stale: bool
    label: str = ""  # the box's label when the field's own name is not enough


def _parts(plan: Plan) -> list[tuple[Any, str]]:
    """Every plan part with family-facing text, and how the coordinator names it."""
    parts: list[tuple[Any, str]] = [(plan, _("Planen"))]
    for number, goal in enumerate(plan.goals, 1):
        parts.append((goal, _("Mål %(number)d", number=number)))
    for action in plan.actions:
        parts.append((action, _("Insats: %(title)s", title=isolate(action.title))))
    for meeting in plan_meetings(db.session, [plan.id]):
        if meeting.status == MeetingStatus.CANCELLED:
            continue
        when = nice_date(meeting.starts_at)
        parts.append((meeting, _("Mötet %(date)s", date=isolate(when))))
        for item in family_facing_agenda(meeting):
            parts.append((item, _("Mötet %(date)s: punkt på dagordningen", date=isolate(when))))
        for decision in meeting.decisions:
            parts.append((decision, _("Mötet %(date)s: beslut", date=isolate(when))))
    return parts


def entries(plan: Plan, locale: str, parts: list[tuple[Any, str]] | None = None) -> list[Entry]:
    """Each family-facing text with its translation in ``locale``; ``parts`` lets a
    caller asking for several languages gather the plan's parts (and meetings) once."""
    parts = _parts(plan) if parts is None else parts
    found = Translations(db.session, [obj for obj, _part in parts], locale)
    return entries_of(found, [(obj, _kind(obj), part, None) for obj, part in parts])


def _kind(obj: Any) -> str:
    kind = type(obj).__name__.lower()
    return "agenda_item" if kind == "agendaitem" else kind


def entries_of(
    found: Translations, parts: list[tuple[Any, str, str, dict[str, str] | None]]
) -> list[Entry]:
    """Each non-empty translatable field of each part beside its stored translation
    (a stale one too, so the translator can update it): one builder for the plan's
    texts and an agency's directory data. ``parts`` holds (object, kind, part name,
    labels per field or None for the field's own name)."""
    result = []
    for obj, kind, part, labels in parts:
        for field in TRANSLATABLE[kind]:
            source = getattr(obj, field) or ""
            if not source:
                continue
            stored = found.stored(obj, field)
            result.append(
                Entry(
                    key=f"t_{kind}_{obj.id}_{field}",
                    obj=obj,
                    field=field,
                    part=part,
                    source=source,
                    translation=stored.text if stored.translated else "",
                    stale=stored.stale,
                    label=f"{part} – {labels[field]}" if labels else "",
                )
            )
    return result


def translation_form(items: list[Entry], locale: str, direction: str) -> FlaskForm:
    """A field per text, built for this plan; the translation is written in the
    family's language and direction."""

    class TranslationForm(FlaskForm):
        translator = _text(
            _l("Vem översatte? (namn, och till exempel auktoriserad tolk)"),
            NAME_MAX,
            required=_l("Skriv vem som översatte."),
        )

    for item in items:
        label = item.label or f"{item.part} – {FIELD_LABELS[item.field]}"
        setattr(
            TranslationForm,
            item.key,
            # Issue 12: a translation with markup is stored as the text it is and
            # shown escaped, like every plan text.
            _text(
                label,
                TEXT_MAX,
                markup_as_text=True,
                render_kw={"lang": locale, "dir": direction, "rows": 3},
            ),
        )
    return TranslationForm()


def other_languages() -> dict[str, dict[str, str]]:
    """Every language of the app but Swedish, the source."""
    return {k: v for k, v in current_app.config["LANGUAGES"].items() if k != "sv"}


@bp.get("/plans/<int:plan_id>/translations")
@guard(Policy.TRANSLATE_PLAN)
def translations(plan_id: int):
    """Which of the family's languages have what: missing and out-of-date counts."""
    access = current_access()
    family_languages = {p.preferred_language for p, _role in family_of(access.plan)}
    languages = []
    parts = _parts(access.plan)
    for code, info in other_languages().items():
        items = entries(access.plan, code, parts)
        languages.append(
            {
                "code": code,
                "name": info["name"],
                "family": code in family_languages,
                "total": len(items),
                "missing": sum(1 for i in items if not i.translation),
                "stale": sum(1 for i in items if i.translation and i.stale),
            }
        )
    languages.sort(key=lambda lang: (not lang["family"], lang["code"]))
    record_read(db.session, access.person, access.plan, "translations", plan_id)
    db.session.commit()
    return render_template("workspace/translations.html", access=access, languages=languages)


@bp.route("/plans/<int:plan_id>/translations/<locale>", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.TRANSLATE_PLAN)
def translate(plan_id: int, locale: str):
    access = current_access()
    languages = other_languages()
    if locale not in languages:
        abort(404)
    items = entries(access.plan, locale)
    form = translation_form(items, locale, languages[locale]["dir"])
    context = {
        "access": access,
        "items": items,
        "locale": locale,
        "language": languages[locale]["name"],
    }
    if not form.is_submitted():
        for item in items:
            getattr(form, item.key).data = item.translation
        form.translator.data = access.person.display_name
        record_read(db.session, access.person, access.plan, "translations", plan_id)
        db.session.commit()
        return render_template("workspace/translate.html", form=form, **context)
    if not form.validate():
        return render_template("workspace/translate.html", form=form, **context), 400
    changed = 0
    for item in items:
        outcome = services.save_translation(
            db.session,
            access,
            item.obj,
            item.field,
            locale,
            getattr(form, item.key).data or "",
            form.translator.data,
        )
        changed += outcome != "unchanged"
    db.session.commit()
    flash_saved(changed)
    return redirect(url_for("workspace.translations", plan_id=plan_id), 303)


def flash_saved(changed: int) -> None:
    """How many translations a save changed: the plan's and the directory's page alike."""
    flash(
        ngettext("%(num)d översättning är sparad.", "%(num)d översättningar är sparade.", changed)
        if changed
        else _("Inget var ändrat."),
        "success",
    )

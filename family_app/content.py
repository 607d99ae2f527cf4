"""Plan texts in the reader's language (ContentTranslation), Swedish as source."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import ContentTranslation, utcnow


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ShownText:
    """A text as one reader sees it. ``stale``: a translation exists but was made
    from an older Swedish text, so the reader is shown the Swedish (``text``, in
    ``lang`` "sv") with a notice that the translation is being updated: an old
    translation may say something the plan no longer says."""

    text: str
    lang: str  # the language the text is actually in
    translated: bool  # False: Swedish shown because no translation exists
    stale: bool = False  # a translation of an older Swedish text


OBJECT_TYPES = {
    "Plan": "plan",
    "Goal": "goal",
    "Action": "action",
    "Meeting": "meeting",
    "AgendaItem": "agenda_item",
    "Decision": "decision",
    # Directory data (issue 12): an agency's name and opening hours, a staff
    # member's title. Translated by the agency's own admin (admin/translations.py).
    "Agency": "agency",
    "Person": "person",
}


class Translations:
    """All translations for a set of objects in one language, fetched in one query."""

    def __init__(
        self,
        session: Session,
        objects: Iterable[object],
        locale: str,
        kinds: Iterable[str] = (),
    ) -> None:
        """``objects``: the plan parts to look up. ``kinds``: whole kinds of object
        (the directory: "agency", "person"), for pages that name agencies and staff
        in many places; still one query for everything."""
        self.locale = locale
        self._found: dict[tuple[str, int, str], ContentTranslation] = {}
        if locale == "sv":
            return
        kinds = tuple(kinds)
        ids: dict[str, set[int]] = {}
        for obj in objects:
            ids.setdefault(OBJECT_TYPES[type(obj).__name__], set()).add(obj.id)  # type: ignore[attr-defined]
        if not ids and not kinds:
            return
        rows = session.scalars(
            select(ContentTranslation).where(
                ContentTranslation.locale == locale,
                or_(
                    *(
                        (ContentTranslation.object_type == kind)
                        & ContentTranslation.object_id.in_(sorted(object_ids))
                        for kind, object_ids in ids.items()
                    ),
                    *(ContentTranslation.object_type == kind for kind in kinds),
                ),
            )
        )
        for row in rows:
            self._found[(row.object_type, row.object_id, row.field)] = row

    def get(self, obj: object, field: str) -> ShownText:
        """What a reader is shown: the translation while it matches the Swedish,
        otherwise the Swedish (marked ``stale`` when an old translation exists)."""
        stored = self.stored(obj, field)
        if stored.stale:
            return ShownText(getattr(obj, field) or "", "sv", True, stale=True)
        return stored

    def stored(self, obj: object, field: str) -> ShownText:
        """The translation as stored, even an out-of-date one: for the translator,
        who needs the old wording to update it. Never for the family."""
        source = getattr(obj, field) or ""
        if self.locale == "sv" or not source:
            return ShownText(source, "sv", True)
        row = self._found.get((OBJECT_TYPES[type(obj).__name__], obj.id, field))  # type: ignore[attr-defined]
        if row is None:
            return ShownText(source, "sv", False)
        return ShownText(row.text, self.locale, True, stale=row.source_hash != source_hash(source))


# The family-facing texts of each kind of plan part, in the order the family reads
# them. Team-only text (harm reasons, exception reasons) is never translated here.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "plan": ("background", "meeting_question"),
    "goal": ("text",),
    "action": ("title", "description", "child_description", "family_part"),
    "meeting": ("summary", "child_views_used", "child_views_used_child"),
    "agenda_item": ("text",),
    "decision": ("what", "child_what"),
    "agency": ("name", "hours"),
    "person": ("title",),
}

# Directory kinds: shared by every plan, translated by each agency's admin.
DIRECTORY_KINDS = ("agency", "person")


def directory_text(obj: object, field: str) -> ShownText:
    """An agency's name or hours, or a staff title, in the reader's language (a
    Jinja global). The first call in a request loads every directory translation
    of the language in one query, so a page naming twelve agencies costs one
    query, not twelve. Directory data is no child's data: loading all of it
    reveals nothing about a plan. Outside a request: the Swedish."""
    from flask import g, has_request_context

    from .extensions import db
    from .i18n import current_language

    if obj is None:
        return ShownText("", "sv", True)
    if not has_request_context():
        return ShownText(getattr(obj, field) or "", "sv", True)
    found = g.get("directory_texts")
    if found is None or found.locale != current_language():
        found = Translations(db.session, (), current_language(), kinds=DIRECTORY_KINDS)
        g.directory_texts = found
    return found.get(obj, field)


def save_translation(
    session: Session,
    obj: object,
    field: str,
    locale: str,
    text: str,
    translator: str,
) -> str:
    """Store, replace or (with empty text) remove one translation; says which.

    The hash of the Swedish text it was made from travels with it, so a later change
    of the Swedish text shows the translation as out of date, never silently."""
    kind = OBJECT_TYPES[type(obj).__name__]
    row = session.scalar(
        select(ContentTranslation).where(
            ContentTranslation.object_type == kind,
            ContentTranslation.object_id == obj.id,  # type: ignore[attr-defined]
            ContentTranslation.field == field,
            ContentTranslation.locale == locale,
        )
    )
    if not text:
        if row is None:
            return "unchanged"
        session.delete(row)
        return "removed"
    if row is not None and row.text == text:
        return "unchanged"
    if row is None:
        row = ContentTranslation(
            object_type=kind,
            object_id=obj.id,  # type: ignore[attr-defined]
            field=field,
            locale=locale,
        )
        session.add(row)
    row.text = text
    row.translator = translator
    row.translated_at = utcnow()
    row.source_hash = source_hash(getattr(obj, field) or "")
    return "saved"

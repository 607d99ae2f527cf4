"""Plan texts in the reader's language (ContentTranslation), Swedish as source."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import ContentTranslation


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ShownText:
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
}


class Translations:
    """All translations for a set of objects in one language, fetched in one query."""

    def __init__(self, session: Session, objects: Iterable[object], locale: str) -> None:
        self.locale = locale
        self._found: dict[tuple[str, int, str], ContentTranslation] = {}
        if locale == "sv":
            return
        ids: dict[str, set[int]] = {}
        for obj in objects:
            ids.setdefault(OBJECT_TYPES[type(obj).__name__], set()).add(obj.id)  # type: ignore[attr-defined]
        if not ids:
            return
        rows = session.scalars(
            select(ContentTranslation).where(
                ContentTranslation.locale == locale,
                or_(
                    *(
                        (ContentTranslation.object_type == kind)
                        & ContentTranslation.object_id.in_(sorted(object_ids))
                        for kind, object_ids in ids.items()
                    )
                ),
            )
        )
        for row in rows:
            self._found[(row.object_type, row.object_id, row.field)] = row

    def get(self, obj: object, field: str) -> ShownText:
        source = getattr(obj, field) or ""
        if self.locale == "sv" or not source:
            return ShownText(source, "sv", True)
        row = self._found.get((OBJECT_TYPES[type(obj).__name__], obj.id, field))  # type: ignore[attr-defined]
        if row is None:
            return ShownText(source, "sv", False)
        return ShownText(row.text, self.locale, True, stale=row.source_hash != source_hash(source))

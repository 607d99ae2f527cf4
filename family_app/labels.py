"""Translatable names for stored codes (statuses, kinds, roles)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

ACTION_STATUS = {
    "planned": _l("Planerad"),
    "started": _l("Pågår"),
    "done": _l("Klar"),
    "paused": _l("Pausad"),
    "cancelled": _l("Avbruten"),
}

AGENCY_KIND = {
    "bup": _l("Barn- och ungdomspsykiatri (BUP)"),
    "social_services": _l("Socialtjänsten"),
    "school_health": _l("Elevhälsan i skolan"),
    "primary_care": _l("Vårdcentral"),
    "habilitation": _l("Habilitering"),
    "sis": _l("SiS, statens institutioner"),
    "hvb": _l("HVB-hem"),
    "other": _l("Annan verksamhet"),
}

WORDS_OF = {
    "child": _l("Med barnets egna ord"),
    "family": _l("Med familjens ord"),
    "team": _l("Med teamets ord"),
}

MEETING_KIND = {
    "sip": _l("SIP-möte"),
    "follow_up": _l("Uppföljningsmöte"),
}

CHILD_PARTICIPATION = {
    "present": _l("Barnet är med på hela mötet."),
    "part": _l("Barnet är med på en del av mötet."),
    "phone": _l("Barnet är med på telefon."),
    "represented_by": _l("Någon annan talar för barnet."),
}

ROLE = {
    "child": _l("Barn"),
    "guardian": _l("Vårdnadshavare"),
    "relative": _l("Anhörig"),
    "coordinator": _l("Samordnare"),
    "professional": _l("Personal"),
}


def label(table: dict, code: str | None) -> str:
    """The name of a code in the reader's language; the code itself if unknown."""
    if code is None:
        return ""
    value = table.get(code)
    return str(value) if value is not None else code


def init_app(app: Flask) -> None:
    from .glossary import AGENCY_KIND_TERM, term
    from .notifications import text as notification_text

    app.jinja_env.globals.update(
        glossary_term=term,
        notification_text=notification_text,
        AGENCY_KIND_TERM=AGENCY_KIND_TERM,
        label=label,
        ACTION_STATUS=ACTION_STATUS,
        AGENCY_KIND=AGENCY_KIND,
        WORDS_OF=WORDS_OF,
        MEETING_KIND=MEETING_KIND,
        CHILD_PARTICIPATION=CHILD_PARTICIPATION,
        ROLE=ROLE,
    )

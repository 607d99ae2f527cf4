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

# The same, said to the child on the child's own pages.
FOR_CHILD_WORDS_OF = {
    "child": _l("Med dina egna ord"),
    "family": _l("Med din familjs ord"),
    "team": _l("Med ord från de som hjälper dig"),
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

# The same, told afterwards: how the child took part in a meeting that was held.
CHILD_TOOK_PART = {
    "present": _l("Barnet var med på hela mötet."),
    "part": _l("Barnet var med på en del av mötet."),
    "phone": _l("Barnet var med på telefon."),
    "represented_by": _l("Någon annan talade för barnet."),
}

# The same, said to the child on the child's own pages.
FOR_CHILD_PARTICIPATION = {
    "present": _l("Du är med på hela mötet."),
    "part": _l("Du är med på en del av mötet."),
    "phone": _l("Du är med på telefon."),
    "represented_by": _l("Någon annan talar för dig."),
}
FOR_CHILD_TOOK_PART = {
    "present": _l("Du var med på hela mötet."),
    "part": _l("Du var med på en del av mötet."),
    "phone": _l("Du var med på telefon."),
    "represented_by": _l("Någon annan talade för dig."),
}

ROLE = {
    "child": _l("Barn"),
    "guardian": _l("Vårdnadshavare"),
    "relative": _l("Anhörig"),
    "coordinator": _l("Samordnare"),
    "professional": _l("Personal"),
    "translator": _l("Översättare"),
}


PRINCIPAL_KIND = {
    "region": _l("Region"),
    "municipality": _l("Kommun"),
    "state": _l("Staten"),
    "private": _l("Privat"),
    "other": _l("Annan huvudman"),
}

# How a guardian holds custody (decision 3): parents, an appointed guardian
# (särskilt förordnad vårdnadshavare) or a god man for an unaccompanied child.
GUARDIAN_KIND = {
    "parent": _l("Förälder med vårdnad"),
    "parent_without_custody": _l("Förälder utan vårdnad"),
    "appointed": _l("Särskilt förordnad vårdnadshavare"),
    "god_man": _l("God man"),
}
GUARDIAN_KINDS_WITH_CUSTODY = frozenset({"parent", "appointed", "god_man"})

# Status changes a team member makes on an action (with the day it happened).
ACTION_STATUS_CHANGES = ("started", "paused", "done")

# What a recorded consent exception stands for (models.ExceptionKind).
EXCEPTION_KIND = {
    "exception": _l("Undantag från samtycke"),
    "fb_6_13a": _l("Beslut enligt FB 6 kap. 13 a §"),
    "judged_mature": _l("Bedömt moget att själv samtycka"),
    "consent_waived": _l("Barnets samtycke behövs inte"),
}

PLAN_STATUS = {
    "draft": _l("Utkast – familjen ser inte planen än"),
    "active": _l("Publicerad"),
    "closed": _l("Avslutad"),
}


def choices(table: dict, codes: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a form field, in the table's order; labels stay lazy
    so each request shows them in its reader's language."""
    return [(code, text) for code, text in table.items() if codes is None or code in codes]


def label(table: dict, code: str | None) -> str:
    """The name of a code in the reader's language; the code itself if unknown."""
    if code is None:
        return ""
    value = table.get(code)
    return str(value) if value is not None else code


def init_app(app: Flask) -> None:
    from .glossary import AGENCY_KIND_TERM, link_terms, term
    from .notifications import _notice_text as notification_text

    app.jinja_env.filters["link_terms"] = link_terms
    app.jinja_env.globals.update(
        glossary_term=term,
        notification_text=notification_text,
        AGENCY_KIND_TERM=AGENCY_KIND_TERM,
        label=label,
        ACTION_STATUS=ACTION_STATUS,
        AGENCY_KIND=AGENCY_KIND,
        WORDS_OF=WORDS_OF,
        FOR_CHILD_WORDS_OF=FOR_CHILD_WORDS_OF,
        MEETING_KIND=MEETING_KIND,
        CHILD_PARTICIPATION=CHILD_PARTICIPATION,
        CHILD_TOOK_PART=CHILD_TOOK_PART,
        FOR_CHILD_PARTICIPATION=FOR_CHILD_PARTICIPATION,
        FOR_CHILD_TOOK_PART=FOR_CHILD_TOOK_PART,
        ROLE=ROLE,
        GUARDIAN_KIND=GUARDIAN_KIND,
        PRINCIPAL_KIND=PRINCIPAL_KIND,
        PLAN_STATUS=PLAN_STATUS,
        EXCEPTION_KIND=EXCEPTION_KIND,
    )

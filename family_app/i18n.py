"""Locale choice, text direction and date helpers for templates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from babel.dates import get_datetime_format
from flask import Flask, current_app, g, request, session
from flask_babel import (
    Domain,
    LazyString,
    force_locale,
    format_date,
    format_time,
    get_locale,
    get_translations,
    gettext,
    refresh,
)
from flask_login import current_user
from markupsafe import Markup

from .config import PROJECT_ROOT
from .content import directory_text


def available_locales() -> list[str]:
    return list(current_app.config["LANGUAGES"])


# Languages a family member can prefer: every language the app is translated into,
# and others families in Sweden often speak, for which the app says that an
# interpreter can be booked.
WITHOUT_CATALOGUE = ("am", "ps", "ku", "ru", "ro", "tr", "es", "fr", "de")


def family_languages() -> list[str]:
    return [*current_app.config["LANGUAGES"], *WITHOUT_CATALOGUE]


def language_name(code: str) -> str:
    """A language's name in the reader's own language, from CLDR ("amhariska")."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(get_locale() or "sv") or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def select_locale() -> str:
    """Explicit choice first, then the person's preference (the signed-in person's,
    or the invited person's on their invitation page), then the browser."""
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    invited = g.get("invited_language")
    if invited in current_app.config["LANGUAGES"]:
        return invited
    if current_user and current_user.is_authenticated:
        preferred = current_user.preferred_language
        if preferred in current_app.config["LANGUAGES"]:
            return preferred
    return request.accept_languages.best_match(available_locales()) or "sv"


def use_language_of(person: object) -> None:
    """The page shown to someone not yet signed in (their invitation) speaks their
    stored language, not the language of the browser they happen to hold."""
    g.invited_language = getattr(person, "preferred_language", None)
    refresh()


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    """The catalogue in use, as LANGUAGES names it ("fa_AF" for Dari, not "fa")."""
    locale = get_locale()
    return str(locale) if locale else "sv"


def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag for ``lang`` attributes: fa_AF becomes fa-AF."""
    return (code or current_language()).replace("_", "-")


def text_direction(code: str | None = None) -> str:
    code = code or current_language()
    return current_app.config["LANGUAGES"].get(code, {}).get("dir", "ltr")


def nice_date(value: date | datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return format_date(value, fmt)


def nice_datetime(value: datetime | None, fmt: str = "long") -> str:
    """A date and a time to the minute, in the reader's language and Stockholm time.

    Babel's own "medium" and "long" datetimes carry seconds ("10:00:00"), which
    nobody in a family needs and which read as machine output (issue 12). The
    date part keeps ``fmt``; the time is always the locale's short time (hours
    and minutes), joined the way the locale joins a date and a time.
    """
    if value is None:
        return ""
    joiner = get_datetime_format(fmt, locale=get_locale()).replace("'", "")
    return joiner.replace("{0}", format_time(value, "short")).replace(
        "{1}", format_date(value, fmt)
    )


def iso_utc(value: datetime | None) -> str:
    """A moment for ``<time datetime>``: machines (and tests) read the exact
    instant where people read the words, in UTC to the second."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def nice_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_time(value, "short")


def weekday_date(value: date | datetime | None) -> str:
    """'tisdag 3 december' in the reader's language."""
    if value is None:
        return ""
    return format_date(value, "EEEE d MMMM")


def nice_when(value: datetime | None) -> str:
    """'tisdag 3 december, 14:00': a day and a time in hours and minutes, in
    Stockholm time (the workspace shows meetings the way the family sees them)."""
    if value is None:
        return ""
    return f"{weekday_date(value)}, {nice_time(value)}"


def bdi(value: object) -> Markup:
    """A value (a name, an agency, a phone number, a date) isolated from the sentence
    around it, for templates: ``{{ _("Fråga %(name)s.", name=person.display_name|bdi) }}``.

    Without isolation the Unicode bidirectional algorithm lets a left-to-right value
    pull the neutral characters next to it (spaces, commas, brackets) to its side: in
    an Arabic sentence "Vårdnadshavare, Amal Hassan" showed as "Vårdnadshavare
    ,Amal Hassan". Inside ``<bdi>`` the value is laid out on its own and counts as
    one neutral character outside. The value is escaped as any other (``Markup`` %
    escapes what is not already ``Markup``); Markup, such as a link made by a
    macro, is kept as it is. An empty value gives nothing, not an empty element.
    """
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>%s</bdi>") % (value,)


# Unicode's own isolate marks: FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE.
FSI, PDI = "\u2068", "\u2069"


def isolate(value: object) -> str:
    """A value isolated inside plain text that Python builds (a flash message, a
    page title made in a view): the Unicode marks do for plain text what ``<bdi>``
    does in HTML, and they survive being stored in the session as a plain string.
    The marks are invisible; screen readers skip them."""
    text = "" if value is None else str(value)
    return f"{FSI}{text}{PDI}" if text else ""


REVIEW_LINE = re.compile(r"^#\s*Review-Status:\s*(\w+)", re.MULTILINE)


def read_review_statuses(translations: Path, codes: list[str]) -> dict[str, str]:
    """Each catalogue's review status, from the ``# Review-Status:`` line of its
    header: "reviewed" only when a native speaker has read it. Anything else, or no
    line at all, counts as unreviewed: a translation is never presented as official
    by default. Swedish is the source."""
    statuses = {}
    for code in codes:
        if code == "sv":
            statuses[code] = "source"
            continue
        po = translations / code / "LC_MESSAGES" / "messages.po"
        head = po.read_text(encoding="utf-8")[:2000] if po.exists() else ""
        found = REVIEW_LINE.search(head)
        statuses[code] = "reviewed" if found and found.group(1) == "reviewed" else "unreviewed"
    return statuses


def translation_unreviewed(code: str | None = None) -> bool:
    """Whether the page's language is a translation no native speaker has reviewed."""
    code = code or current_language()
    return current_app.config["LANGUAGE_REVIEW"].get(code, "unreviewed") == "unreviewed"


def language_without_catalogue() -> list[tuple[str, str]]:
    """For a signed-in person whose preferred language the app cannot show: in
    Swedish and in English, that an interpreter can be booked (issue 12)."""
    if not (current_user and current_user.is_authenticated):
        return []
    preferred = current_user.preferred_language
    if not preferred or preferred in current_app.config["LANGUAGES"]:
        return []
    notices = []
    for code in ("sv", "en"):
        with force_locale(code):
            notices.append(
                (
                    code,
                    gettext(
                        "Min SIP finns inte på ditt språk än. "
                        "Du kan få en tolk: fråga din samordnare."
                    ),
                )
            )
    return notices


UNTRANSLATED_START, UNTRANSLATED_END = "\u27e6", "\u27e7"


class _MarkedTranslations:
    """A catalogue that shows, between ⟦ and ⟧, every string it does not hold.

    Gettext falls back to the Swedish source silently; a translator or a test
    needs to see exactly which strings did."""

    def __init__(self, translations: Any) -> None:
        self._translations = translations
        self._catalog = getattr(translations, "_catalog", {})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._translations, name)

    def _has(self, key: Any) -> bool:
        return bool(self._catalog.get(key))

    @staticmethod
    def _mark(text: str) -> str:
        return f"{UNTRANSLATED_START}{text}{UNTRANSLATED_END}"

    def ugettext(self, message: str) -> str:
        found = self._translations.ugettext(message)
        return found if self._has(message) else self._mark(found)

    gettext = ugettext

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        found = self._translations.ungettext(singular, plural, n)
        return found if self._has((singular, 0)) else self._mark(found)

    ngettext = ungettext

    def upgettext(self, context: str, message: str) -> str:
        found = self._translations.upgettext(context, message)
        return found if self._has(f"{context}\x04{message}") else self._mark(found)

    pgettext = upgettext

    def unpgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        found = self._translations.unpgettext(context, singular, plural, n)
        key = (f"{context}\x04{singular}", 0)
        return found if self._has(key) else self._mark(found)

    npgettext = unpgettext


def _remembered(ctx: Any, domain: Any) -> Any:
    """The catalogue MarkingDomain remembered in Flask-Babel's context for this
    very locale object and domain, or None (a new or forced locale, another domain)."""
    memo = getattr(ctx, "family_translations", None)
    locale = getattr(ctx, "babel_locale", None)
    if memo is None or locale is None or memo[0] is not locale or memo[1] is not domain:
        return None
    return memo[2]


class MarkingDomain(Domain):
    """Flask-Babel's domain, marking missing strings when MARK_UNTRANSLATED is on
    (never for Swedish, the source language)."""

    def get_translations(self) -> Any:
        """The catalogue for this request's locale, looked up once per request and
        locale: a page asks for it at every translated string (hundreds of times),
        and Flask-Babel's own lookup walks the context several times per call.
        ``force_locale`` sets a new locale object, so a forced language (an e-mail
        in the receiver's language) never gets the page's catalogue."""
        ctx = g.get("_flask_babel") if g else None
        remembered = _remembered(ctx, self)
        if remembered is not None:
            return remembered
        translations = super().get_translations()
        if (
            current_app
            and current_app.config.get("MARK_UNTRANSLATED")
            and str(get_locale() or "sv") != "sv"
        ):
            translations = _MarkedTranslations(translations)
        ctx = ctx if ctx is not None else (g.get("_flask_babel") if g else None)
        if ctx is not None:
            ctx.family_translations = (getattr(ctx, "babel_locale", None), self, translations)
        return translations


def _finalize(value: object) -> object:
    """Every ``{{ … }}`` of a template: a lazy string (``_l()``, form errors) becomes
    plain text first. Flask-Babel's LazyString says it is already HTML (``__html__``),
    so without this a message with "<" went out unescaped, whatever a catalogue said.
    (Called for every ``{{ }}`` of every page: nothing is imported or looked up here.)"""
    return str(value) if isinstance(value, LazyString) else value


def _page_translations() -> Any:
    """The catalogue for a template's ``_()``: MarkingDomain's memo of this request
    and locale when it holds, else Flask-Babel's full lookup (which fills it)."""
    ctx = g.get("_flask_babel")
    remembered = _remembered(ctx, getattr(ctx, "babel_domain", None))
    return remembered if remembered is not None else get_translations()


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = _finalize
    # Flask-Babel's callables walk its context several times per string; a page
    # has about a hundred. Same catalogue, looked up once per request and locale.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.config.setdefault(
        "LANGUAGE_REVIEW",
        read_review_statuses(PROJECT_ROOT / "translations", list(app.config["LANGUAGES"])),
    )
    app.jinja_env.globals.update(
        current_language=current_language,
        html_lang=html_lang,
        text_direction=text_direction,
        translation_unreviewed=translation_unreviewed,
        language_without_catalogue=language_without_catalogue,
        named=directory_text,
    )
    app.jinja_env.filters.update(
        nice_date=nice_date,
        nice_datetime=nice_datetime,
        nice_time=nice_time,
        iso_utc=iso_utc,
        weekday_date=weekday_date,
        nice_when=nice_when,
        language_name=language_name,
        bdi=bdi,
        isolate=isolate,
    )

"""Locale choice, text direction and date helpers for templates."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user


def available_locales() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Explicit choice first, then the person's preference, then the browser."""
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    if current_user and current_user.is_authenticated:
        preferred = current_user.preferred_language
        if preferred in current_app.config["LANGUAGES"]:
            return preferred
    return request.accept_languages.best_match(available_locales()) or "sv"


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    locale = get_locale()
    return str(locale.language) if locale else "sv"


def text_direction(code: str | None = None) -> str:
    code = code or current_language()
    return current_app.config["LANGUAGES"].get(code, {}).get("dir", "ltr")


def nice_date(value: date | datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return format_date(value, fmt)


def nice_datetime(value: datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        current_language=current_language,
        text_direction=text_direction,
    )
    app.jinja_env.filters.update(
        nice_date=nice_date,
        nice_datetime=nice_datetime,
        nice_time=nice_time,
        weekday_date=weekday_date,
        nice_when=nice_when,
    )

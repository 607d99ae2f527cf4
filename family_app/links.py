"""Absolute links for things that leave the browser (calendars, printed invitations)."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The configured public origin, never the request's Host header (which a
    client can set), plus the path."""
    return current_app.config["WEBAUTHN_ORIGIN"].rstrip("/") + url_for(endpoint, **values)

"""Absolute links for things that leave the browser (calendars, printed invitations)."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values: Any) -> str:
    """A route's path, in a request or outside one (the queue's consumer writing
    an e-mail or a push), where Flask's url_for would need SERVER_NAME."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost", url_scheme="http").build(endpoint, values)


def public_origin() -> str:
    """The configured public origin, never the request's Host header (which a
    client can set)."""
    return str(current_app.config["WEBAUTHN_ORIGIN"]).rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link: the public origin plus the path."""
    return public_origin() + path_for(endpoint, **values)

"""Absolute links for things that leave the browser (calendars, printed invitations)."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The configured public origin, never the request's Host header (which a
    client can set), plus the path. Also outside a request (the queue's consumer
    writing an e-mail), where Flask's url_for would need SERVER_NAME."""
    origin = current_app.config["WEBAUTHN_ORIGIN"].rstrip("/")
    if has_request_context():
        return origin + url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return origin + adapter.build(endpoint, values)


def local_path(endpoint: str, **values: Any) -> str:
    """The path of a page, in a request or outside one (the queue's consumer
    writing a push notice), where Flask's url_for would need SERVER_NAME."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost", url_scheme="http").build(endpoint, values)

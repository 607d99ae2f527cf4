"""Security headers as data: a strict CSP with per-request nonces, and friends."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],  # plus the request's nonce
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "manifest-src": ["'self'"],
    "worker-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}

# Passkeys need publickey-credentials-* allowed for our own origin.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "publickey-credentials-create=(self), publickey-credentials-get=(self)"
)


def csp_nonce() -> str:
    """The nonce for this request's own <script> tags."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _csp_template() -> tuple[str, str]:
    """The policy around the nonce, joined once per process (CSP is constant)."""
    parts = []
    for directive, sources in CSP.items():
        values = list(sources)
        if directive == "script-src":
            values.append("'nonce-\0'")
        parts.append(f"{directive} {' '.join(values)}")
    before, after = "; ".join(parts).split("\0")
    return before, after


_CSP_AROUND_NONCE = _csp_template()


def _csp_header() -> str:
    before, after = _CSP_AROUND_NONCE
    return f"{before}{csp_nonce()}{after}"


def _set_headers(response: Response) -> Response:
    headers = response.headers
    if response.status_code != 304:
        # A 304 has no body; a new policy (a new nonce) sent with it would replace
        # the one the kept copy's scripts were written for.
        headers.setdefault("Content-Security-Policy", _csp_header())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Never leak a path (an invitation link) to another site.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["WEBAUTHN_ORIGIN"].startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may carry a child's data: keep them off shared devices and proxies.
        headers["Cache-Control"] = "no-store"
        # One Vary header, merged with the Accept-Encoding that compression put there.
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_set_headers)

"""Conditional GET for the family's plan pages: an ETag made from the page this
reader was shown, and a 304 when the client already holds exactly that page.

The tag is a digest of the rendered page (with the request's CSP nonce and signed
form token set aside, which change on every request), the reader, the session and
the app's release. It is made from what the reader sees and nothing else: a tag made from
the rows behind the page changed when a row hidden from the reader changed (a
harm-flagged action edited, another guardian's address), which told the reader
that something hidden had happened. So the page is rendered before the answer,
and a 304 saves the transfer, not the rendering. The tag is worked out only after
the route's guard let the reader in, so a reader who lost access gets 404, never
304; two readers never share a tag; any change the reader can see gives a new one.

Pages stay ``Cache-Control: no-store`` (DESIGN §10): a browser keeps no copy and
so never asks; a client that keeps its own copy (the offline copy the person
asked for) can revalidate it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Response, g, request, session

from .config import PROJECT_ROOT


@cache
def release() -> str:
    """The app's code, templates and catalogues as they are in this process: a new
    release (a fixed template, a new translation) never answers 304 to a page the
    old release made."""
    digest = hashlib.sha256()
    for folder, pattern in (
        ("family_app", "*.py"),
        ("templates", "*.html"),
        ("translations", "*.mo"),
    ):
        for path in sorted((PROJECT_ROOT / folder).rglob(pattern)):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def page_etag(body: str, person_id: int) -> str:
    """The tag of one rendered page for one reader (see the module)."""
    from flask_wtf.csrf import generate_csrf

    for changing in (g.get("csp_nonce"), generate_csrf()):
        if changing:
            body = body.replace(changing, "")
    digest = hashlib.sha256()
    # The session's own token (stable in a session, not per request): a copy kept
    # by another session of the same reader carries forms that would be refused.
    digest.update(f"{release()}|{person_id}|{session.get('csrf_token', '')}|".encode())
    digest.update(f"{request.headers.get('HX-Request', '')}|".encode())
    digest.update(f"{request.headers.get('HX-History-Restore-Request', '')}|".encode())
    digest.update(body.encode())
    return digest.hexdigest()[:32]


def _held(etag: str) -> bool:
    """The client holds this tag, as we sent it or as the compression layer sent
    it (it adds ``:br`` or ``:gzip`` to the tag of the body it compressed)."""
    for held in request.if_none_match.as_set():
        if held == etag or held.split(":", 1)[0] == etag:
            return True
    return False


def answer(body: str, person_id: int, had_message: bool) -> Response:
    """The page with its tag, or a 304 when the client holds this very page; never
    when a message was waiting (``had_message``: rendering showed it once and used
    it up, so it must reach the reader)."""
    etag = page_etag(body, person_id)
    if _held(etag) and not had_message:
        response = Response(status=304)
    else:
        response = Response(body, mimetype="text/html")
    response.set_etag(etag)
    return response

"""Conditional GET for the family's plan pages: an ETag made from what the page
shows to this reader, and a 304 without rendering when it has not changed.

The tag is a digest of every row the page is drawn from (the plan and each part
reached from it that was loaded, the consents read in this request), what the
access decision made of them (role, hidden agencies, the reader's date), the
reader, the language, the session (its CSRF token is in the page), the header's
unread count and the menu's "views due". Any change to any of these, a harm
flag, a narrowed audience, a revoked consent or a child's "not my guardians"
included, gives another tag; two readers never share one. The tag is worked out
only after the route's guard let the reader in, so a reader who lost access gets
404, never 304.

Pages stay ``Cache-Control: no-store`` (DESIGN §10): a browser keeps no copy and
so never asks; a client that keeps its own copy (the offline copy the person
asked for) can revalidate it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from flask import Response, g, request, session
from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

from .access import PlanAccess
from .models import AuditEvent


def _rows(roots: Iterable[Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every mapped object reachable from ``roots`` through loaded relationships,
    as (class, identity, column values), sorted: the same data gives the same list."""
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    stack: list[Any] = list(roots)
    while stack:
        obj = stack.pop()
        if obj is None or isinstance(obj, AuditEvent):
            continue
        if isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
            continue
        if isinstance(obj, dict):
            stack.extend(obj.values())
            continue
        try:
            state = inspect(obj)
        except NoInspectionAvailable:
            continue
        key = (type(obj).__name__, repr(state.identity))
        if key in seen:
            continue
        seen[key] = tuple(repr(state.dict.get(a.key)) for a in state.mapper.column_attrs)
        for rel in state.mapper.relationships:
            if rel.key in state.dict:  # loaded: never load more to make a tag
                stack.append(state.dict[rel.key])
    return sorted((name, ident, values) for (name, ident), values in seen.items())


def plan_page_etag(access: PlanAccess, page: Any, language: str, views_due: Any) -> str:
    """The tag of one plan page as this reader sees it now (see the module),
    unquoted as werkzeug's ``set_etag`` takes it."""
    from flask_wtf.csrf import generate_csrf

    from .content import directory_text

    generate_csrf()  # the page's forms carry the session's token: make it first
    if language != "sv":
        directory_text(access.plan, "id")  # loads the directory's texts the page names
    directory = g.get("directory_texts")
    digest = hashlib.sha256()
    parts: list[Any] = [
        request.path,
        request.query_string,
        request.headers.get("HX-Request", ""),
        access.person.id,
        str(access.role),
        access.has_custody,
        language,
        session.get("csrf_token", ""),
        g.get("unread_notifications"),
        access.today,
        sorted(access.hidden_agency_ids),
        [a.id for a in page.agencies],
        [x.id for x in page.goals],
        [x.id for x in page.actions],
        [x.id for x in page.late_actions],
        [m.id for m in page.upcoming_meetings],
        [m.id for m in page.past_meetings],
        [m.id for m in page.cancelled_meetings],
        views_due and (views_due.meeting.id, views_due.left, views_due.started, views_due.sent_at),
        _rows(
            [
                access.person,
                access.plan,
                page.upcoming_meetings,
                page.past_meetings,
                page.cancelled_meetings,
                list(g.get("plan_consents", {}).values()),
                list(page.texts._found.values()),
                list(directory._found.values()) if directory is not None else [],
            ]
        ),
    ]
    digest.update(repr(parts).encode())
    return digest.hexdigest()[:32]


def not_modified(etag: str) -> Response | None:
    """304 when the client already holds this tag, unless a message is waiting to
    be shown (a flash is consumed by rendering, so it must render)."""
    if session.get("_flashes") or not request.if_none_match.contains(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    return response

"""My data (GDPR art. 15): everything the app holds about a person, as they may see it.

The export is built from THE SAME read functions the pages use (build_plan_page,
consent overview and history, visible_statements, the notices, who.access_log),
each asked with the person's own PlanAccess, so it holds exactly what the pages
show them and nothing a second set of filters could let through.

Life of a request: asked (a token is made and only its hash stored) -> prepared
(at once for a small amount of data, by the queue for large plans) -> downloaded
once (the content is deleted then) or expired after seven days (the daily job
deletes the content). At download the data is read again with the person's
access at that moment; if anything differs from what was prepared (the child
turned 18, a harm flag, a narrowed audience, a new read in the log) the file is
made again from the new reading, so nothing lost in between ever leaves.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..access import PlanAccess, plans_for
from ..models import (
    AuditEvent,
    CalendarFeed,
    Credential,
    DataExport,
    ExportFormat,
    Notification,
    Person,
    PushSubscription,
    utcnow,
)
from ..tokens import hash_token, new_token

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=7)
# An expired request's row (no content, nothing personal) stays this long on the page.
FORGET_AFTER = timedelta(days=30)
# However many notices a person has, the export holds them all (the page shows 50).
ALL_NOTICES = 100_000


def export_plans(session: Session, person: Person) -> list[PlanAccess]:
    """The plans the person opens as child, guardian or relative, with their
    access now (plans_for: the same rules as every page)."""
    return [a for a in plans_for(session, person) if a.is_family]


def data_size(session: Session, person: Person) -> int:
    """Roughly how many rows the export reads: decides between now and the queue."""
    plan_ids = [a.plan.id for a in export_plans(session, person)]
    reads = 0
    if plan_ids:
        reads = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.plan_id.in_(plan_ids))
        )
    notices = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.person_id == person.id)
    )
    return int(reads or 0) + int(notices or 0)


# --- reading: one function per part, each through the pages' own reader --------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _shown(text: Any) -> dict[str, Any]:
    """A plan text as the reader is shown it (translation or Swedish)."""
    return {"text": text.text, "lang": text.lang}


def _plan_part(session: Session, access: PlanAccess, locale: str) -> dict[str, Any]:
    """The plan as the plan, next-steps, people and meeting pages show it."""
    from ..content import directory_text
    from ..plans.services import build_plan_page, people_in_plan
    from ..views.services import visible_statements

    page = build_plan_page(session, access, locale)
    plan = page.plan
    texts = page.texts
    child = access.is_child

    def action_row(action: Any) -> dict[str, Any]:
        about = "child_description" if child and action.child_description else "description"
        goal = page.goal_of(action)
        return {
            "id": action.id,
            "title": _shown(texts.get(action, "title")),
            "about": _shown(texts.get(action, about)),
            "family_part": _shown(texts.get(action, "family_part")),
            "goal": _shown(texts.get(goal, "text")) if goal else None,
            "agency": directory_text(action.responsible_agency, "name").text
            if action.responsible_agency
            else None,
            "contact": action.contact_person.display_name
            if action.contact_person and access.sees_person(action.contact_person)
            else None,
            "status": action.status,
            "late": action in page.late_actions,
            "planned_start": _iso(action.planned_start),
            "planned_end": _iso(action.planned_end),
        }

    def statement_rows(meeting: Any) -> list[dict[str, Any]]:
        rows = []
        for shown in visible_statements(session, meeting, access):
            own = shown.statement.author_id == access.person.id
            answered = access.sees_wish_answers(meeting, shown.statement.author_id)
            answers = []
            for answer in shown.answers:
                response = answer.response if answered else None
                answers.append(
                    {
                        "question": answer.prompt,
                        "text": answer.text,
                        "pictures": [p for p in answer.picks.split(",") if p],
                        "audience": answer.audience,
                        "team_answer": {
                            "outcome": response.outcome,
                            "reason": response.reason,
                            "later_date": _iso(response.later_date),
                            "by": response.responded_by.display_name,
                        }
                        if response
                        else None,
                    }
                )
            rows.append(
                {
                    "by": shown.statement.author.display_name,
                    "role": shown.author_role,
                    "mine": own,
                    "status": shown.statement.status,
                    "sent_at": _iso(shown.statement.submitted_at),
                    "mood": shown.statement.mood if access.sees_mood(shown.statement) else None,
                    "answers": answers,
                }
            )
        return rows

    def decision_field(decision: Any) -> str:
        return "child_what" if child and decision.child_what else "what"

    def views_used_field(meeting: Any) -> str:
        return (
            "child_views_used_child"
            if child and meeting.child_views_used_child
            else "child_views_used"
        )

    def meeting_row(meeting: Any) -> dict[str, Any]:
        # As the meeting page: once held and written down, only those who came;
        # the summary and decisions only once held (PlanAccess.sees_meeting_outcome).
        took_part = page.took_part(meeting)
        outcome = access.sees_meeting_outcome(meeting)
        return {
            "id": meeting.id,
            "kind": meeting.kind,
            "status": meeting.status,
            "starts_at": _iso(meeting.starts_at),
            "ends_at": _iso(meeting.ends_at),
            "place": (meeting.place if access.sees_protected_details() else None)
            if meeting.place
            else None,
            "place_protected": bool(meeting.place) and not access.sees_protected_details(),
            "video": bool(meeting.video_url),
            "agenda": [_shown(t) for t in page.agenda(meeting)],
            "attendees": [
                a.person.display_name if a.person else directory_text(a.agency, "name").text
                for a in (took_part if took_part is not None else page.attendees(meeting))
            ],
            "attendees_took_part": took_part is not None,
            "summary": _shown(texts.get(meeting, "summary")) if outcome else None,
            # How the child's views were used, as the meeting page puts it: the
            # child's own version for the child whenever there is one.
            "child_views_used": _shown(texts.get(meeting, views_used_field(meeting)))
            if outcome and meeting.child_views_used
            else None,
            "decisions": [
                {
                    "what": _shown(texts.get(d, decision_field(d))),
                    "by_date": _iso(d.by_date),
                }
                for d in page.decisions(meeting)
            ],
            "views": statement_rows(meeting),
        }

    return {
        "id": plan.id,
        "child": plan.child.display_name,
        "my_role": str(access.role),
        "status": plan.status,
        "background": _shown(texts.get(plan, "background")),
        "meeting_question": _shown(texts.get(plan, "meeting_question")),
        "follow_up_date": _iso(plan.follow_up_date),
        "coordinator": plan.coordinator.display_name if plan.coordinator else None,
        "goals": [{"id": g.id, "text": _shown(texts.get(g, "text"))} for g in page.goals],
        "actions": [action_row(a) for a in page.actions],
        "agencies": [directory_text(a, "name").text for a in page.agencies],
        "people": [
            {
                "name": row.person.display_name,
                "role": row.role,
                "agency": directory_text(row.agency, "name").text if row.agency else None,
                "phone": row.person.phone if row.show_contact else None,
            }
            for row in people_in_plan(page)
        ],
        "meetings": [meeting_row(m) for m in page.upcoming_meetings + page.past_meetings],
    }


def _consent_part(session: Session, access: PlanAccess) -> dict[str, Any]:
    """The consent page: each agency as it stands, and the history."""
    from ..consent.services import history, overview
    from ..content import directory_text

    mine = access.person.id
    return {
        "agencies": [
            {
                "agency": directory_text(row.agency, "name").text,
                "in_force": row.state.effective,
                "valid_to": _iso(row.valid_to),
                "parties": [
                    {
                        "name": party.person.display_name,
                        "role": party.role,
                        "mine": party.person.id == mine,
                        "in_force": party.in_force,
                        "required": party.required,
                        "given_at": _iso(party.party.given_at) if party.party else None,
                        "revoked_at": _iso(party.party.revoked_at) if party.party else None,
                    }
                    for party in row.parties
                ],
                "child_view": row.child_view if access.sees_child_consent_view else None,
            }
            for row in overview(session, access)
        ],
        "history": [
            {
                "at": _iso(event.at),
                "kind": str(event.kind),
                "agency": directory_text(event.consent.agency, "name").text,
                "by": event.person.display_name if event.person else None,
                "method": event.method,
                "note": event.note,
                "mine": event.person_id == mine,
            }
            for event in history(session, access)
        ],
    }


def _access_log_part(session: Session, access: PlanAccess) -> list[dict[str, Any]] | None:
    """Who looked (the who-can-see page's log), in full, for those it is shown to."""
    from ..consent.who import access_log

    if not access.sees_who_looked:
        return None
    log = access_log(session, access, page_size=None)
    return [{"at": _iso(e.at), "unit": e.agency, "kind": e.kind} for e in log.entries]


def _notices_part(session: Session, person: Person) -> list[dict[str, Any]]:
    """The notices page, every notice (not only the latest 50)."""
    from ..notifications import recent, text

    return [
        {
            "at": _iso(n.created_at),
            "text": text(n, person),
            "read": n.read_at is not None,
        }
        for n in recent(session, person, limit=ALL_NOTICES)
    ]


def _devices_part(session: Session, person: Person) -> dict[str, Any]:
    """Passkeys, browsers with push, calendar links: when, never a key or address."""
    credentials = session.scalars(
        select(Credential).where(Credential.person_id == person.id).order_by(Credential.created_at)
    )
    pushes = session.scalars(
        select(PushSubscription)
        .where(PushSubscription.person_id == person.id)
        .order_by(PushSubscription.created_at)
    )
    feeds = session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.person_id == person.id)
        .order_by(CalendarFeed.created_at)
    )
    return {
        "passkeys": [
            {
                "name": c.name,
                "added": _iso(c.created_at),
                "last_used": _iso(c.last_used_at),
                "pending": c.pending_until is not None,
            }
            for c in credentials
        ],
        "push": [{"added": _iso(p.created_at), "last_used": _iso(p.last_used_at)} for p in pushes],
        "calendar_links": [
            {"made": _iso(f.created_at), "turned_off": _iso(f.revoked_at)} for f in feeds
        ],
    }


def build_export(session: Session, person: Person, locale: str) -> dict[str, Any]:
    """Everything this person may see about themself and their plans, now, in
    ``locale`` (the caller has forced it). Nothing in it depends on the clock of
    the build, so two builds of the same data compare equal (see ``digest``)."""
    plans = []
    for access in export_plans(session, person):
        part = _plan_part(session, access, locale)
        part["consent"] = _consent_part(session, access)
        part["access_log"] = _access_log_part(session, access)
        plans.append(part)
    return {
        "format": "min-sip-my-data/1",
        "language": locale,
        "person": {
            "name": person.display_name,
            "preferred_language": person.preferred_language,
            "birth_date": _iso(person.birth_date),
            "email": person.email,
            "phone": person.phone,
            "address": person.address,
        },
        "plans": plans,
        "notices": _notices_part(session, person),
        "devices": _devices_part(session, person),
    }


def digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def render(data: dict[str, Any], fmt: str, made_at: datetime) -> bytes:
    """The file: JSON for another program, or a page to read in the person's
    language (lang and dir from the locale, styles inside, no script)."""
    if fmt == ExportFormat.JSON:
        body = {**data, "made_at": made_at.isoformat()}
        return json.dumps(body, ensure_ascii=False, indent=2).encode()
    from ..i18n import nice_date, nice_datetime
    from ..views.prompts import BY_KEY, PICTURES

    def when(iso: str | None) -> str:
        return nice_datetime(datetime.fromisoformat(iso), "medium") if iso else ""

    def day(iso: str | None) -> str:
        if not iso:
            return ""
        return nice_date(date.fromisoformat(iso) if len(iso) == 10 else datetime.fromisoformat(iso))

    return render_template(
        "account/my_data_document.html",
        data=data,
        made_at=made_at,
        when=when,
        day=day,
        prompts=BY_KEY,
        pictures=PICTURES,
    ).encode()


def filename(export: DataExport) -> str:
    return f"min-data-{export.created_at:%Y-%m-%d}.{export.format}"


def media_type(fmt: str) -> str:
    return "application/json" if fmt == ExportFormat.JSON else "text/html; charset=utf-8"


# --- the request's life ---------------------------------------------------------------


def ask(
    session: Session, person: Person, locale: str, fmt: str, now: datetime | None = None
) -> tuple[DataExport, str]:
    """A new request; the person's earlier ones that were never downloaded are
    closed (their content deleted), so one person has one open request."""
    now = now or utcnow()
    session.execute(
        update(DataExport)
        .where(
            DataExport.person_id == person.id,
            DataExport.downloaded_at.is_(None),
            DataExport.expires_at > now,
        )
        .values(expires_at=now, content=None)
        .execution_options(synchronize_session=False)
    )
    token = new_token()
    export = DataExport(
        person_id=person.id,
        created_at=now,
        locale=locale,
        format=fmt,
        token_hash=hash_token(token),
        expires_at=now + KEEP_FOR,
    )
    session.add(export)
    session.flush()
    return export, token


def prepare(session: Session, export: DataExport, now: datetime | None = None) -> None:
    """Read and make the file, with the person's access now and in the language
    they asked in. Called in a request (small data) or by the queue."""
    if export.prepared_at is not None or export.downloaded_at is not None:
        return
    now = now or utcnow()
    if export.expires_at <= now:
        return
    with force_locale(export.locale):
        data = build_export(session, export.person, export.locale)
        content = render(data, export.format, now)
    # Written only onto a request still open: a new ask() (or a download) may have
    # closed it while the file was being made, and its content must stay deleted.
    written = session.execute(
        update(DataExport)
        .where(
            DataExport.id == export.id,
            DataExport.prepared_at.is_(None),
            DataExport.downloaded_at.is_(None),
            DataExport.expires_at > now,
        )
        .values(content=content, digest=digest(data), prepared_at=now)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        log.info("my data: request %s closed while it was prepared", export.id)
    session.expire(export)


def prepare_in_background(export_id: int) -> None:
    """The queue's job: a request context of its own (the pages' read functions
    read the language and the directory's translations from it), then prepare."""
    from ..extensions import db
    from ..links import public_origin

    with current_app.test_request_context("/", base_url=public_origin()):
        export = db.session.get(DataExport, export_id)
        if export is None:
            return
        prepare(db.session, export)
        db.session.commit()


def content_for_download(session: Session, export: DataExport, now: datetime) -> bytes:
    """The file to hand over now: the prepared one if the data, read again with
    the person's access *now*, is the same as when it was prepared; otherwise
    made again from the new reading (access may have narrowed in between)."""
    with force_locale(export.locale):
        data = build_export(session, export.person, export.locale)
        if export.content is not None and digest(data) == export.digest:
            return export.content
        return render(data, export.format, now)


def claim_download(session: Session, export: DataExport, now: datetime) -> bool:
    """Once only, even for two requests at the same instant: one conditional
    UPDATE marks the request downloaded and deletes its content; only the request
    whose UPDATE changed the row hands the file over (the other waits for the row
    lock, or SQLite's write lock, and then finds it taken). The loaded ``export``
    keeps the content read before the claim, to hand over; the caller commits."""
    claimed = session.execute(
        update(DataExport)
        .where(
            DataExport.id == export.id,
            DataExport.downloaded_at.is_(None),
            DataExport.expires_at > now,
        )
        .values(downloaded_at=now, content=None)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """The daily job: delete the content of expired requests, and forget the rows
    of long-expired ones. Returns how many contents were deleted."""
    now = now or utcnow()
    result = session.execute(
        update(DataExport)
        .where(DataExport.expires_at <= now, DataExport.content.is_not(None))
        .values(content=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(DataExport)
        .where(DataExport.expires_at <= now - FORGET_AFTER)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def my_requests(session: Session, person: Person, limit: int = 5) -> list[DataExport]:
    return list(
        session.scalars(
            select(DataExport)
            .where(DataExport.person_id == person.id)
            .order_by(DataExport.created_at.desc(), DataExport.id.desc())
            .limit(limit)
        )
    )

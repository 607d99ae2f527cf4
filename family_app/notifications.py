"""In-app notifications. Only the kind is stored; the words are made at display
time in the reader's language, and they say *that* something happened, never what
(a phone's lock screen or a shared tablet shows no details)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import Notification, Person, Plan, utcnow

TEXTS = {
    "consent_changed": _l("Ett samtycke i planen har ändrats."),
    "consent_receipt": _l("Din ändring av samtycket är sparad."),
    "consent_expiring": _l("Ett samtycke slutar gälla snart."),
    "plan_changed": _l("Det finns nytt i planen."),
    "meeting_soon": _l("Ett möte närmar sig."),
    "wish_answered": _l("Teamet har svarat på dina önskemål."),
    "views_submitted": _l("Det finns nya tankar inför ett möte."),
    "agenda_narrowed": _l(
        "En punkt på dagordningen visas nu för färre personer. "
        "Den som skrev har ändrat vem som får läsa."
    ),
    "passkey_added": _l(
        "En ny inloggningsnyckel har lagts till på ditt konto. "
        "Var det inte du? Kontakta din samordnare."
    ),
    "passkey_pending": _l(
        "En ny inloggningsnyckel har lagts till på ditt konto med en inbjudan. "
        "Titta under Mina enheter. "
        "Var det inte du? Tryck på Det var inte jag."
    ),
    "passkey_reported": _l(
        "Någon har tagit bort en inloggningsnyckel som de inte hade lagt till själva. "
        "Se adminsidan."
    ),
}


def notify(
    session: Session,
    people: Iterable[Person],
    plan: Plan | None,
    kind: str,
    object_type: str = "",
    object_id: int | None = None,
) -> None:
    """One notice per person (never twice to the same person for one event)."""
    assert kind in TEXTS, kind
    for person_id in dict.fromkeys(p.id for p in people):
        session.add(
            Notification(
                person_id=person_id,
                plan_id=plan.id if plan else None,
                kind=kind,
                object_type=object_type,
                object_id=object_id,
            )
        )


def remind_meetings_soon(session: Session, now: datetime | None = None) -> int:
    """``meeting_soon`` to each family member of a published plan for every meeting
    that starts tomorrow (Stockholm date). Run daily; running twice sends nothing
    twice. Never for a cancelled meeting, never to someone who may not know of it."""
    from zoneinfo import ZoneInfo

    from .access import family_of, plan_access
    from .models import Meeting, MeetingStatus, PlanStatus

    stockholm = ZoneInfo("Europe/Stockholm")
    now = now or utcnow()
    tomorrow = now.astimezone(stockholm).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(), stockholm)
    end = datetime.combine(tomorrow + timedelta(days=1), time(), stockholm)
    meetings = session.scalars(
        select(Meeting)
        .join(Plan, Plan.id == Meeting.plan_id)
        .where(
            Plan.status == PlanStatus.ACTIVE,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at >= start.astimezone(UTC),
            Meeting.starts_at < end.astimezone(UTC),
        )
        .order_by(Meeting.id)
    ).all()
    sent = 0
    for meeting in meetings:
        plan = meeting.plan
        # A reminder sent in the last days for this meeting counts (a second run the
        # same day, or the day before); a meeting moved further on is reminded again.
        already = set(
            session.scalars(
                select(Notification.person_id).where(
                    Notification.kind == "meeting_soon",
                    Notification.object_type == "meeting",
                    Notification.object_id == meeting.id,
                    Notification.created_at >= start.astimezone(UTC) - timedelta(days=2),
                )
            )
        )
        readers = []
        for person, _role in family_of(plan, now.astimezone(stockholm).date()):
            if person.id in already:
                continue
            access = plan_access(session, person, plan, now)
            if access is not None and access.sees_meeting(meeting):
                readers.append(person)
        notify(session, readers, plan, "meeting_soon", "meeting", meeting.id)
        sent += len(readers)
    session.flush()
    return sent


def _readable(person: Person) -> Any:
    """A person's notifications, less those about a plan they have lost access to
    because its child has come of age (decision 3)."""
    from .access import ended_family_plan_ids

    return (Notification.person_id == person.id) & (
        Notification.plan_id.is_(None) | Notification.plan_id.not_in(ended_family_plan_ids(person))
    )


def unread_count(session: Session, person: Person) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(_readable(person), Notification.read_at.is_(None))
    )


def recent(session: Session, person: Person, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(_readable(person))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(session: Session, person: Person) -> None:
    session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def text(notification: Notification) -> str:
    return str(TEXTS.get(notification.kind, TEXTS["plan_changed"]))


# The page each kind of notice is about. Worked out when the notice is shown, from
# its kind and the object it refers to, so no address is ever stored and a moved
# route moves every old notice with it. The page's own guard still decides who
# may open it; a notice only points the way.
_CONSENT_KINDS = frozenset({"consent_changed", "consent_receipt", "consent_expiring"})
_MEETING_PAGES = {
    "wish_answered": "views.wishes",  # "the team answered your wishes" opens the answers
    "views_submitted": "views.prepare",  # the coordinator reads what was sent
    "meeting_soon": "plans.meeting",
    "agenda_narrowed": "plans.meeting",
}
_ACCOUNT_PAGES = {
    "passkey_added": "account.devices",
    "passkey_pending": "account.devices",
    "passkey_reported": "admin.index",
}


def target(notification: Notification) -> str | None:
    """The address of the page a notice is about, or None when there is none."""
    from flask import url_for

    kind = notification.kind
    if kind in _MEETING_PAGES and notification.object_type == "meeting":
        return url_for(_MEETING_PAGES[kind], meeting_id=notification.object_id)
    if kind in _ACCOUNT_PAGES:
        return url_for(_ACCOUNT_PAGES[kind])
    if notification.plan_id is None:
        return None
    if kind in _CONSENT_KINDS:
        return url_for("consent.index", plan_id=notification.plan_id)
    return url_for("plans.plan", plan_id=notification.plan_id)


def _unread_for_current_person() -> int:
    """The header's "new messages" count. A template global called only where the
    header is drawn, so fragments (autosave, htmx swaps) cost no query."""
    from .auth.session import current_person
    from .extensions import db

    person = current_person()
    return unread_count(db.session, person) if person else 0


def init_app(app) -> None:  # noqa: ANN001 - Flask app
    app.jinja_env.globals["unread_notifications"] = _unread_for_current_person
    app.jinja_env.globals["notification_target"] = target

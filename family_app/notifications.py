"""Notifications: in the app, and out of it through the outbox (issue 13).

Only the kind is stored; the words are made at display time in the reader's
language. What leaves the app (e-mail) says *that* something happened and where to
look, never what (a phone's lock screen or a shared tablet shows no details).
Inside the app a consent change names who and which agency, but only to a reader
who may see that event (``access.told_of_consent_event``).

``notify`` is the one entry point: it writes the in-app notice and, in the same
transaction as the change that caused it, one ``Delivery`` per outgoing channel
the person has on. ``family_app.queue`` sends them: e-mail (``mail``) and Web
Push to the installed app (``push``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, not_, select, update
from sqlalchemy.orm import Session

from .models import Delivery, Notification, NotificationSetting, Person, Plan, utcnow

# Outgoing channels. In-app is always on and is not a channel here.
EMAIL = "email"
PUSH = "push"
CHANNELS = (EMAIL, PUSH)

# Kinds that may leave the app, by the topic a person turns on or off. Receipts of
# one's own acts stay in the app.
TOPIC_OF = {
    "consent_changed": "consent",
    "consent_expiring": "consent",
    "meeting_scheduled": "meetings",
    "meeting_moved": "meetings",
    "meeting_cancelled": "meetings",
    "meeting_soon": "meetings",
    "views_open": "meetings",
    "plan_published": "plan",
    "plan_changed": "plan",
    "wish_answered": "plan",
    "passkey_added": "account",
    "passkey_pending": "account",
}
EMAIL_TOPICS = ("consent", "meetings", "plan", "account")
# Sensible defaults: everything that needs the person is on. Plan changes are told
# at most once until the person has read the last one (``_tell_readers``), so
# having them on does not flood an inbox.
DEFAULT_ON = {
    ("consent", EMAIL): True,
    ("meetings", EMAIL): True,
    ("plan", EMAIL): True,
    ("account", EMAIL): True,
}
# Push is on for every topic until the person turns one off: it reaches only a
# phone where the person pressed "Få notiser på den här telefonen", which is the
# choice, and its words are as safe as the e-mail's. A topic added to TOPIC_OF
# later is on for push too.
PUSH_DEFAULT_ON = True

TEXTS = {
    "consent_changed": _l("Ett samtycke i planen har ändrats."),
    "consent_receipt": _l("Din ändring av samtycket är sparad."),
    "consent_expiring": _l("Ett samtycke slutar gälla snart."),
    "plan_published": _l("Planen finns nu att läsa i Min SIP."),
    "plan_changed": _l("Det finns nytt i planen."),
    "meeting_scheduled": _l("Ett nytt möte är bokat."),
    "meeting_moved": _l("Ett möte har fått ny tid eller plats."),
    "meeting_cancelled": _l("Ett möte är inställt."),
    "views_open": _l("Ett nytt möte är bokat. Du kan skriva dina tankar inför mötet."),
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


# The specific in-app words of a consent change, by the event's kind; made at
# display time and only for a reader ``access.told_of_consent_event`` lets through.
CONSENT_TEXTS = {
    "given": _l("%(name)s gav samtycke för %(agency)s."),
    "revoked": _l("%(name)s återkallade samtycket för %(agency)s."),
}
CONSENT_OTHER = _l("Samtycket för %(agency)s har ändrats.")


def default_on(session: Session, person: Person, topic: str, channel: str) -> bool:
    """Without a choice of the person's own: the topic's default, except that a
    child under 13 has no e-mail until they turn it on themselves (and a guardian
    with custody has said yes, ``access.may_receive_email``)."""
    from .access import child_needs_email_approval

    young = channel == EMAIL and child_needs_email_approval(session, person)
    return _default(topic, channel, young)


def _default(topic: str, channel: str, young_for_email: bool) -> bool:
    if channel == EMAIL and young_for_email:
        return False
    return DEFAULT_ON.get((topic, channel), channel == PUSH and PUSH_DEFAULT_ON)


def topics_on(
    session: Session,
    person: Person,
    topics: Iterable[str],
    channel: str,
    young_for_email: bool | None = None,
) -> set[str]:
    """The topics that are on for one channel (the settings page): the person's
    choices in one query, the defaults for the rest, as ``setting_on`` would say.
    ``young_for_email``: ``access.child_needs_email_approval``, if the caller knows."""
    from .access import child_needs_email_approval

    chosen = dict(
        session.execute(
            select(NotificationSetting.topic, NotificationSetting.enabled).where(
                NotificationSetting.person_id == person.id,
                NotificationSetting.channel == channel,
            )
        ).all()
    )
    if young_for_email is None:
        young_for_email = child_needs_email_approval(session, person)
    young = channel == EMAIL and young_for_email
    return {
        topic
        for topic in topics
        if (bool(chosen[topic]) if topic in chosen else _default(topic, channel, young))
    }


def setting_on(session: Session, person: Person, topic: str, channel: str) -> bool:
    """The person's own choice for a topic and channel, else the default."""
    chosen = session.scalar(
        select(NotificationSetting.enabled).where(
            NotificationSetting.person_id == person.id,
            NotificationSetting.topic == topic,
            NotificationSetting.channel == channel,
        )
    )
    return default_on(session, person, topic, channel) if chosen is None else bool(chosen)


def set_setting(session: Session, person: Person, topic: str, channel: str, on: bool) -> None:
    """Store one choice (one row per person, topic and channel)."""
    row = session.scalar(
        select(NotificationSetting).where(
            NotificationSetting.person_id == person.id,
            NotificationSetting.topic == topic,
            NotificationSetting.channel == channel,
        )
    )
    if row is None:
        session.add(
            NotificationSetting(person_id=person.id, topic=topic, channel=channel, enabled=on)
        )
    else:
        row.enabled = on
        row.updated_at = utcnow()


def channels_for(session: Session, person: Person, kind: str) -> list[str]:
    """The outgoing channels this notice goes out on for this person."""
    from .access import may_receive_email, may_receive_push

    topic = TOPIC_OF.get(kind)
    if topic is None:
        return []
    # Whether the channel can reach the person at all first: most people have no
    # address or no subscribed phone, and then their settings need not be read.
    found = []
    if may_receive_email(session, person) and setting_on(session, person, topic, EMAIL):
        found.append(EMAIL)
    if may_receive_push(session, person) and setting_on(session, person, topic, PUSH):
        found.append(PUSH)
    return found


def notify(
    session: Session,
    people: Iterable[Person],
    plan: Plan | None,
    kind: str,
    object_type: str = "",
    object_id: int | None = None,
) -> list[Notification]:
    """One notice per person (never twice to the same person for one event), and
    its outgoing deliveries, in the caller's transaction: committed with the change
    that caused them or not at all (the outbox). The queue is woken after commit."""
    assert kind in TEXTS, kind
    made = []
    for person in dict((p.id, p) for p in people).values():
        notification = Notification(
            person_id=person.id,
            plan_id=plan.id if plan else None,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
        )
        session.add(notification)
        made.append((notification, channels_for(session, person, kind)))
    if any(channels for _n, channels in made):
        session.flush()
        for notification, channels in made:
            for channel in channels:
                session.add(Delivery(notification_id=notification.id, channel=channel))
        session.info["wake_queue"] = True
    return [n for n, _c in made]


# --- unsubscribe links -------------------------------------------------------------------


def _unsubscribe_serializer() -> Any:
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def _address_tag(person: Person) -> str:
    """A keyed fingerprint of the person's current address: a link sent to an old
    address stops working when the address changes (rule 10), and the link never
    shows the address itself."""
    import hashlib
    import hmac

    from flask import current_app

    key = str(current_app.config["SECRET_KEY"]).encode()
    address = (person.email or "").strip().lower().encode()
    return hmac.new(key, b"unsubscribe:" + address, hashlib.sha256).hexdigest()[:16]


def unsubscribe_token(person: Person, topic: str) -> str:
    """A link that turns off one topic's e-mail for one person, signed with the
    app's secret: the person's id, the topic and a fingerprint of the address it
    was sent to, nothing else."""
    return str(_unsubscribe_serializer().dumps([person.id, topic, _address_tag(person)]))


def read_unsubscribe_token(token: str) -> tuple[int, str, str] | None:
    """(person id, topic, address fingerprint) of a link we signed; None for
    anything else."""
    from itsdangerous import BadData

    try:
        value = _unsubscribe_serializer().loads(token)
    except BadData:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not isinstance(value[0], int)
        or not all(isinstance(v, str) for v in value[1:])
    ):
        return None
    return value[0], value[1], value[2]


def unsubscribe_link_holds(person: Person, address_tag: str) -> bool:
    """The link was sent to the address the person has now."""
    import hmac

    return hmac.compare_digest(_address_tag(person), address_tag)


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


def tell_of_meeting(
    session: Session, plan: Plan, meeting: Any, kind: str, now: datetime | None = None
) -> list[Notification]:
    """A meeting scheduled, moved or cancelled, told to each family member who may
    know of it (``PlanAccess.knows_of_meeting``: never a meeting only agencies
    hidden from them attend). A newly booked meeting opens the views: whoever is
    asked to write theirs (the child, first of all) is told that instead, one
    notice each. Nothing before the plan is published."""
    from .access import family_of, plan_access
    from .models import PlanStatus

    if plan.status != PlanStatus.ACTIVE:
        return []
    now = now or utcnow()
    told: dict[str, list[Person]] = {}
    for person, _role in family_of(plan):
        access = plan_access(session, person, plan, now)
        if access is None or not access.knows_of_meeting(meeting):
            continue
        own = kind
        if kind == "meeting_scheduled" and access.is_asked_for_views(meeting, now):
            own = "views_open"
        told.setdefault(own, []).append(person)
    made = []
    for own, people in told.items():
        made += notify(session, people, plan, own, "meeting", meeting.id)
    return made


def _readable(person: Person | int | Any, born_by: Any = None) -> Any:
    """A person's notifications, less those about a plan they have lost access to
    because its child has come of age (decision 3)."""
    from .access import ended_family_plan_ids

    person_id = person.id if isinstance(person, Person) else person
    return (Notification.person_id == person_id) & (
        Notification.plan_id.is_(None)
        | Notification.plan_id.not_in(ended_family_plan_ids(person_id, born_by=born_by))
    )


def unread_count_query(person: Person | int | Any, born_by: Any = None) -> Any:
    """The unread count as a scalar subquery, so it can ride along with another
    statement (the signed-in person's, see auth/session.py). ``person`` and
    ``born_by`` (who has come of age) may be bound parameters."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(_readable(person, born_by), Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(session: Session, person: Person) -> int:
    return session.scalar(select(unread_count_query(person)))


def recent(session: Session, person: Person, limit: int = 50) -> list[Notification]:
    """The person's latest notices. The consent events they name are loaded with
    them in one more statement (with agency and person), not one per notice."""
    from flask import g, has_request_context
    from sqlalchemy.orm import selectinload

    from .models import Consent, ConsentEvent

    items = list(
        session.scalars(
            select(Notification)
            .where(_readable(person))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
    event_ids = {n.object_id for n in items if n.object_type == "consent_event" and n.object_id}
    if event_ids and has_request_context():
        events = session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.id.in_(sorted(event_ids)))
            .options(
                selectinload(ConsentEvent.person),
                selectinload(ConsentEvent.consent).selectinload(Consent.agency),
            )
        )
        g.consent_events = {event.id: event for event in events}
    meeting_ids = {n.object_id for n in items if n.object_type == "meeting" and n.object_id}
    if meeting_ids and has_request_context():
        from .models import Meeting, MeetingAttendee

        meetings = session.scalars(
            select(Meeting)
            .where(Meeting.id.in_(sorted(meeting_ids)))
            .options(selectinload(Meeting.attendees).selectinload(MeetingAttendee.person))
        )
        g.notice_meetings = {meeting.id: meeting for meeting in meetings}
    return items


def mark_all_read(session: Session, person: Person) -> None:
    from flask import g, has_request_context

    if has_request_context():
        g.pop("unread_notifications", None)
    session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def safe_text(notification: Notification, reader: Person) -> str:
    """The words that may leave the app (e-mail subject, a push on a lock screen):
    only that something happened, never who or which agency; about a meeting the
    reader may no longer know of, only that the plan has news."""
    if not _still_knows_meeting(notification, reader):
        return str(TEXTS["plan_changed"])
    return str(TEXTS.get(notification.kind, TEXTS["plan_changed"]))


def text(notification: Notification, reader: Person | None = None) -> str:
    """The notice in the reader's language. A consent change names who and which
    agency only when the reader may still see that event; otherwise the general
    words (they say only that something changed)."""
    if notification.object_type == "consent_event" and reader is not None:
        specific = _consent_text(notification, reader)
        if specific:
            return specific
    if reader is not None and not _still_knows_meeting(notification, reader):
        return str(TEXTS["plan_changed"])
    return str(TEXTS.get(notification.kind, TEXTS["plan_changed"]))


def _reader_access(reader: Person, plan: Plan) -> Any:
    """The reader's access to a plan, once per request however many notices."""
    from flask import g, has_request_context

    from .access import plan_access
    from .extensions import db

    if not has_request_context():
        return plan_access(db.session, reader, plan)
    cache = g.setdefault("notice_access", {})
    if plan.id not in cache:
        cache[plan.id] = plan_access(db.session, reader, plan)
    return cache[plan.id]


def _still_knows_meeting(notification: Notification, reader: Person) -> bool:
    """A notice about a meeting is read again against the rules when shown: once
    the meeting is attended only by agencies hidden from this reader (set after
    the notice was written), the notice says only that the plan has news and
    points to the plan, never to the meeting."""
    if notification.object_type != "meeting" or notification.object_id is None:
        return True
    from flask import g, has_request_context

    from .extensions import db
    from .models import Meeting

    preloaded = g.get("notice_meetings", {}) if has_request_context() else {}
    meeting = preloaded.get(notification.object_id) or db.session.get(
        Meeting, notification.object_id
    )
    if meeting is None:
        return False
    access = _reader_access(reader, meeting.plan)
    return access is not None and access.knows_of_meeting(meeting)


# The page each kind of notice is about. Worked out when the notice is shown, from
# its kind and the object it refers to, so no address is ever stored and a moved
# route moves every old notice with it. The page's own guard still decides who
# may open it; a notice only points the way.
_CONSENT_KINDS = frozenset({"consent_changed", "consent_receipt", "consent_expiring"})
_MEETING_PAGES = {
    "wish_answered": "views.wishes",  # "the team answered your wishes" opens the answers
    "views_open": "views.overview",  # "write your views" opens the child's own page
    "meeting_scheduled": "plans.meeting",
    "meeting_moved": "plans.meeting",
    "meeting_cancelled": "plans.meeting",
    "views_submitted": "views.prepare",  # the coordinator reads what was sent
    "meeting_soon": "plans.meeting",
    "agenda_narrowed": "plans.meeting",
}
_ACCOUNT_PAGES = {
    "passkey_added": "account.devices",
    "passkey_pending": "account.devices",
    "passkey_reported": "admin.index",
}


def target(notification: Notification, reader: Person | None = None) -> str | None:
    """The path of the page a notice is about, or None when there is none. With a
    reader, a meeting they may no longer know of gives the plan instead. Works
    outside a request too (the consumer's e-mail and push)."""
    from .links import path_for as url_for

    kind = notification.kind
    if (
        kind in _MEETING_PAGES
        and notification.object_type == "meeting"
        and (reader is None or _still_knows_meeting(notification, reader))
    ):
        return url_for(_MEETING_PAGES[kind], meeting_id=notification.object_id)
    if kind in _ACCOUNT_PAGES:
        return url_for(_ACCOUNT_PAGES[kind])
    if notification.plan_id is None:
        return None
    if kind in _CONSENT_KINDS:
        return url_for("consent.index", plan_id=notification.plan_id)
    return url_for("plans.plan", plan_id=notification.plan_id)


def opened_here(endpoint: str, args: dict[str, Any]) -> ColumnElement[bool] | None:
    """Which notices the page ``endpoint`` with ``args`` is the page of: the
    reverse of :func:`target`, as a condition on the notices table (None: no
    notice points here). A notice about a meeting its reader may no longer know
    of points to the plan instead; that one is not matched and waits for
    "Markera alla som lästa"."""
    meeting_kinds = sorted(k for k, page in _MEETING_PAGES.items() if page == endpoint)
    if meeting_kinds and "meeting_id" in args:
        return and_(
            Notification.kind.in_(meeting_kinds),
            Notification.object_type == "meeting",
            Notification.object_id == args["meeting_id"],
        )
    account_kinds = sorted(k for k, page in _ACCOUNT_PAGES.items() if page == endpoint)
    if account_kinds:
        return Notification.kind.in_(account_kinds)
    if endpoint == "consent.index" and "plan_id" in args:
        return and_(
            Notification.plan_id == args["plan_id"], Notification.kind.in_(sorted(_CONSENT_KINDS))
        )
    if endpoint == "plans.plan" and "plan_id" in args:
        return and_(
            Notification.plan_id == args["plan_id"],
            Notification.kind.not_in(sorted(_CONSENT_KINDS | _ACCOUNT_PAGES.keys())),
            not_(
                and_(
                    Notification.kind.in_(sorted(_MEETING_PAGES)),
                    Notification.object_type == "meeting",
                )
            ),
        )
    return None


def mark_opened_read(session: Session, reader: Person, endpoint: str, args: dict) -> int | None:
    """The reader's unread notices whose page this is, marked read; how many
    (None: no notice ever points to this page, and nothing was sent).

    Why: a person who taps a notice (in the list, an e-mail or a push) has read
    it, and expects the "new" mark and the count in the header to go. Only the
    reader's own notices are touched, whatever the address says."""
    where = opened_here(endpoint, args)
    if where is None:
        return None
    result = session.execute(
        update(Notification)
        .where(Notification.person_id == reader.id, Notification.read_at.is_(None), where)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _mark_read_when_shown(_app: Any, template: Any, context: dict, **_extra: Any) -> None:
    """Before a page is drawn for a plain GET: its reader's notices about this
    very page count as read, so the header drawn next already says so. Costs one
    statement, and only when the reader has something unread; nothing for htmx
    fragments, error pages, or a view that has unsaved work in the session."""
    from flask import g, has_request_context, request

    from .auth.session import current_person
    from .extensions import db

    if not has_request_context() or request.method != "GET" or "HX-Request" in request.headers:
        return
    if not g.get("unread_notifications") or g.get("notices_marked"):
        return
    name = getattr(template, "name", "") or ""
    person = current_person()
    if person is None or name.startswith("errors/") or request.endpoint is None:
        return
    session = db.session
    if session.new or session.dirty or session.deleted:
        return
    g.notices_marked = True
    marked = mark_opened_read(session, person, request.endpoint, request.view_args or {})
    if marked is None:
        return
    session.commit()  # at once, matched or not: an UPDATE holds SQLite's write lock
    g.unread_notifications = max(0, g.unread_notifications - marked)


def _consent_text(notification: Notification, reader: Person) -> str | None:
    from flask import g

    from .access import told_of_consent_event
    from .extensions import db
    from .models import ConsentEvent

    event = g.get("consent_events", {}).get(notification.object_id) or db.session.get(
        ConsentEvent, notification.object_id
    )
    if event is None:
        return None
    if not told_of_consent_event(_reader_access(reader, event.consent.plan), event):
        return None
    from .content import directory_text
    from .i18n import isolate

    # The agency's name in the reader's language; both values isolated, so a Swedish
    # name cannot reorder an Arabic sentence.
    agency = isolate(directory_text(event.consent.agency, "name").text)
    words = CONSENT_TEXTS.get(str(event.kind))
    if words is None:
        return str(CONSENT_OTHER % {"agency": agency})
    return str(words % {"name": isolate(event.person.first_name), "agency": agency})


def _unread_for_current_person() -> int:
    """The header's "new messages" count. A template global called only where the
    header is drawn, so fragments (autosave, htmx swaps) cost no query."""
    from flask import g

    from .auth.session import current_person
    from .extensions import db

    person = current_person()
    if person is None:
        return 0
    # Counted with the person when the request signed them in (one statement);
    # forgotten if this request wrote or read notices since (see below).
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(db.session, person)
    return g.unread_notifications


def _forget_unread_after_flush(session: Session, _context: object) -> None:
    """A notice written, changed or deleted in this request: count again."""
    from flask import g, has_request_context

    if not has_request_context():
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Notification) for obj in changed):
        g.pop("unread_notifications", None)


def _notice_text(notification: Notification) -> str:
    """``notification_text`` in templates: for the signed-in reader."""
    from .auth.session import current_person

    return text(notification, current_person())


def _notice_target(notification: Notification) -> str | None:
    """``notification_target`` in templates: for the signed-in reader."""
    from .auth.session import current_person

    return target(notification, current_person())


def _wake_queue_after_commit(session: Session) -> None:
    """Deliveries were committed: ask the consumer to send them now. If the queue
    cannot be reached, nothing is lost: the consumer's sweep finds them."""
    if not session.info.pop("wake_queue", False):
        return
    from . import queue

    queue.wake()


def _forget_wake_on_rollback(session: Session) -> None:
    session.info.pop("wake_queue", None)


def init_app(app) -> None:  # noqa: ANN001 - Flask app
    from sqlalchemy import event

    app.jinja_env.globals["unread_notifications"] = _unread_for_current_person
    app.jinja_env.globals["notification_target"] = _notice_target
    from flask import before_render_template

    before_render_template.connect(_mark_read_when_shown, app)

    if not event.contains(Session, "after_flush", _forget_unread_after_flush):
        event.listen(Session, "after_flush", _forget_unread_after_flush)
    if not event.contains(Session, "after_commit", _wake_queue_after_commit):
        event.listen(Session, "after_commit", _wake_queue_after_commit)
        event.listen(Session, "after_rollback", _forget_wake_on_rollback)

"""The task queue: sending what the outbox holds, and the daily reminders (huey).

Why a queue: sending e-mail must never hold up, or roll back, the change that
caused it. ``notifications.notify`` writes a ``Delivery`` in the same
transaction as the change (the outbox); after the commit the web process wakes
the consumer, and a sweep every minute finds anything a wake-up missed.

Storage: SQLite in the instance folder by default (no extra service for the
demo), Redis when FAMILY_APP_QUEUE_URL=redis://… is set. The queue only carries
"look in the outbox" and periodic jobs; every fact lives in the database.

At most once per claim, never lost: a consumer claims a delivery with one
conditional UPDATE (``status='pending'`` and due), so two consumers never take the
same one; it is marked sent after the server accepted it. A consumer killed
between claim and send leaves a claim that goes stale after the claim timeout
(FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS, ``CLAIM_TIMEOUT`` by default) and is
claimed again; a consumer that starts looks at the outbox at once, so a restart
after a crash does not wait for the next sweep. Failures retry with growing
pauses; after ``MAX_ATTEMPTS`` the delivery is ``failed`` and the coordinator's
My plans shows it.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from .models import Delivery, DeliveryStatus, Notification, Person, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Pause before attempt n+1 after attempt n failed (minutes): 1, 5, 30, 120.
BACKOFF_MINUTES = (1, 5, 30, 120)
# The default of FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS (config.py).
CLAIM_TIMEOUT = timedelta(minutes=10)
BATCH = 100


def claim_timeout() -> timedelta:
    """How long a claim holds before its consumer is taken for dead: the app's
    setting, else ``CLAIM_TIMEOUT`` (outside an app, or an app built without it)."""
    seconds = current_app.config.get("QUEUE_CLAIM_TIMEOUT_SECONDS") if has_app_context() else None
    return timedelta(seconds=seconds) if seconds else CLAIM_TIMEOUT


def backoff(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


def _channels_ready() -> list[str]:
    """Channels that can send at all here. Without FAMILY_APP_SMTP_URL e-mail
    deliveries wait in the outbox (they are not failures of the family's); push
    deliveries are only written while a VAPID key is configured, and wait the
    same way if it is taken away."""
    from .access import push_configured
    from .notifications import EMAIL, PUSH

    ready = [EMAIL] if current_app.config.get("SMTP_URL") else []
    return ready + ([PUSH] if push_configured() else [])


def claim(session: Session, delivery_id: int, now: datetime) -> datetime | None:
    """Take one delivery for sending, atomically: due and pending, or claimed so
    long ago that its consumer must have died. Returns the claim time (the token
    the later updates must match), or None when someone else has it."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            or_(
                and_(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now),
                and_(
                    Delivery.status == DeliveryStatus.SENDING,
                    Delivery.claimed_at < now - claim_timeout(),
                ),
            ),
        )
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return now if result.rowcount == 1 else None


def due_ids(session: Session, now: datetime, channels: list[str]) -> list[int]:
    """Deliveries that may be claimed now, oldest first."""
    if not channels:
        return []
    return list(
        session.scalars(
            select(Delivery.id)
            .where(
                Delivery.channel.in_(channels),
                or_(
                    and_(
                        Delivery.status == DeliveryStatus.PENDING,
                        Delivery.next_attempt_at <= now,
                    ),
                    and_(
                        Delivery.status == DeliveryStatus.SENDING,
                        Delivery.claimed_at < now - claim_timeout(),
                    ),
                ),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(BATCH)
        )
    )


def _finish(session: Session, delivery_id: int, claimed_at: datetime, **values: Any) -> None:
    """Record the outcome, only if the claim is still ours."""
    session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.claimed_at == claimed_at,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _error_code(exc: BaseException) -> str:
    """What went wrong, without anything personal: the exception class and, for
    an SMTP answer or a push service's, its numeric code (never the server's
    text, which may echo the address or the endpoint)."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "status", None)
    return f"{type(exc).__name__}" + (f" {code}" if code else "")


def send_one(session: Session, delivery_id: int, now: datetime | None = None) -> str | None:
    """Claim, send and mark one delivery. Returns its new status, or None when it
    was not ours to send."""
    from .access import may_be_told_of
    from .models import Plan
    from .notifications import channels_for

    now = now or utcnow()
    claimed_at = claim(session, delivery_id, now)
    if claimed_at is None:
        return None
    # Fresh from the database: the claim just changed the row, and a session that
    # keeps objects across commits must not answer from memory.
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    assert delivery is not None
    notification = session.get(Notification, delivery.notification_id)
    person = (
        session.get(Person, notification.person_id, populate_existing=True)
        if notification
        else None
    )
    if (
        notification is None
        or person is None
        or delivery.channel not in channels_for(session, person, notification.kind)
        or not may_be_told_of(
            session,
            person,
            session.get(Plan, notification.plan_id) if notification.plan_id else None,
            now=now,
        )
    ):
        # Turned off, address removed, or no longer allowed since it was written.
        _finish(session, delivery_id, claimed_at, status=DeliveryStatus.SKIPPED)
        return DeliveryStatus.SKIPPED
    try:
        reached = _send(session, delivery, notification, person)
    except Exception as exc:  # noqa: BLE001 - any failure must reach the retry path
        # Not only the network: a bad header or link would otherwise leave the
        # delivery claimed for ever, never counted as failed for the coordinator.
        attempts = delivery.attempts
        failed = attempts >= MAX_ATTEMPTS
        log.warning("delivery %s attempt %s failed: %s", delivery_id, attempts, _error_code(exc))
        _finish(
            session,
            delivery_id,
            claimed_at,
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            last_error=_error_code(exc)[:100],
            next_attempt_at=now + backoff(attempts),
        )
        return DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING
    if not reached:
        # Every browser had unsubscribed (404/410) and is removed: nobody to tell.
        _finish(session, delivery_id, claimed_at, status=DeliveryStatus.SKIPPED)
        return DeliveryStatus.SKIPPED
    _finish(session, delivery_id, claimed_at, status=DeliveryStatus.SENT, sent_at=utcnow())
    return DeliveryStatus.SENT


def _send(session: Session, delivery: Delivery, notification: Notification, person: Person) -> bool:
    """Send on the delivery's channel; raises for a retry. False when there was
    nobody left to reach (push: every browser gone)."""
    from . import mail, push
    from .notifications import EMAIL, PUSH

    channel = delivery.channel
    if channel == EMAIL:
        mail.send(mail.build_message(notification, person, delivery_id=delivery.id))
        return True
    if channel == PUSH:
        outcome = push.send_notice(session, notification, person)
        # Browsers that are gone stay gone, and those reached are marked, even
        # when another browser's failure makes the delivery retry.
        session.commit()
        if outcome.failure is not None:
            raise outcome.failure
        if outcome.removed or outcome.delivered:
            log.info("push: %s reached, %s gone", outcome.delivered, outcome.removed)
        return outcome.delivered > 0
    raise ValueError(f"unknown channel {channel!r}")


def send_due(session: Session, now: datetime | None = None) -> Counter[str]:
    """Send every delivery that is due now, on the channels configured here."""
    now = now or utcnow()
    outcome: Counter[str] = Counter()
    for delivery_id in due_ids(session, now, _channels_ready()):
        status = send_one(session, delivery_id, now)
        if status:
            outcome[status] += 1
    return outcome


def run_daily(session: Session, now: datetime | None = None) -> dict[str, int]:
    """The daily job (was the manual ``family-app reminders``): consents ending
    within 30 days, meetings tomorrow, and expired sign-in sessions removed. Each
    part is idempotent, so two runs (or two consumers) tell nobody twice."""
    from .account.my_data import purge_expired
    from .consent.services import remind_expiring
    from .notifications import remind_meetings_soon
    from .sessions import DatabaseCache

    consents = remind_expiring(session, now)
    meetings = remind_meetings_soon(session, now)
    exports = purge_expired(session, now)  # "My data" kept for seven days
    session.commit()
    return {
        "consents": consents,
        "meetings": meetings,
        "sessions": DatabaseCache().purge_expired(),
        "exports": exports,
    }


# --- huey ----------------------------------------------------------------------------------


def make_huey(app: Flask) -> Any:
    """The app's queue with its tasks bound to this app: SqliteHuey in the instance
    folder, or RedisHuey for FAMILY_APP_QUEUE_URL=redis://…, or (``sqlite:///path``)
    SQLite elsewhere; ``memory://`` keeps it in this process (tests that do not
    test the queue)."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

    url = app.config.get("QUEUE_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey("family-app", url=url)
    elif url.startswith("memory://"):
        huey = MemoryHuey("family-app")
    else:
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        filename = path or str(Path(app.instance_path) / "queue.db")
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("family-app", filename=filename)

    def in_app(job: Any) -> Any:
        from .extensions import db

        with app.app_context():  # its own session, closed when the context ends
            return job(db.session)

    @huey.task()
    def deliver() -> dict[str, int]:
        """Send what is due (woken after a commit that wrote deliveries)."""
        return dict(in_app(send_due))

    @huey.periodic_task(crontab(minute="*"))
    def sweep() -> dict[str, int]:
        """Every minute: retries that have come due, stale claims, missed wake-ups."""
        return dict(in_app(send_due))

    @huey.periodic_task(crontab(hour="5", minute="0"))
    def daily() -> dict[str, int]:
        """Once a day (05:00 UTC, early morning in Sweden): the reminders, then send."""
        counts = in_app(run_daily)
        in_app(send_due)
        return counts

    @huey.task()
    def prepare_export(export_id: int) -> None:
        """My data for large plans, prepared here; the id is all the task carries."""
        from .account.my_data import prepare_in_background

        with app.app_context():
            prepare_in_background(export_id)

    huey.family_tasks = {
        "deliver": deliver,
        "sweep": sweep,
        "daily": daily,
        "prepare_export": prepare_export,
    }
    return huey


def queue_of(app: Flask) -> Any:
    """The app's queue, made once per app."""
    if "family_queue" not in app.extensions:
        app.extensions["family_queue"] = make_huey(app)
    return app.extensions["family_queue"]


def wake() -> None:
    """Ask the consumer to send now. Never raises: the outbox keeps the deliveries
    and the consumer's sweep finds them within a minute."""
    try:
        queue_of(current_app._get_current_object()).family_tasks["deliver"]()  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - a wake-up is only a hint
        log.warning("queue wake-up failed: %s", type(exc).__name__)


def run_consumer(app: Flask, workers: int = 2) -> None:
    """The second process next to gunicorn: huey's consumer with periodic jobs."""
    from huey.consumer import Consumer

    # Task names and ids only: the tasks take no arguments, so nothing personal.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    huey = queue_of(app)
    # Look at the outbox at once: after a crash (or a deploy) what is due, and
    # claims gone stale, must not wait for the next minute's sweep. Huey 3's
    # scheduler happens to enqueue the sweep at start too, but we allow older
    # huey and do not lean on its timing. Queued, not run here, so a slow mail
    # server holds up a worker thread, not the start; two sweeps at once are
    # safe (each delivery is claimed by one conditional UPDATE).
    huey.family_tasks["deliver"]()
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()

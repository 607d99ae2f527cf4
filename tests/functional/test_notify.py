"""Notifications that leave the app (issue 13, first slice): the outbox, the
queue, e-mail and unsubscribing, against real components.

E-mail goes to a real SMTP server (aiosmtpd on 127.0.0.1, started here); the
queue is huey with its real SQLite storage and a real consumer thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from family_app import create_app
from family_app.extensions import db
from family_app.models import (
    AuditEvent,
    Consent,
    ConsentParty,
    Delivery,
    DeliveryStatus,
    Meeting,
    MemberRole,
    Notification,
    Person,
    PlanMember,
)
from family_app.notifications import TEXTS, notify, unsubscribe_token
from family_app.queue import CLAIM_TIMEOUT, MAX_ATTEMPTS, claim, queue_of, run_daily, send_due
from tests.conftest import app_config, csrf_token, sign_in_as
from tests.factories import make_family
from tests.mailsink import Inbox, free_port, smtp_server

STOCKHOLM = ZoneInfo("Europe/Stockholm")

_free_port = free_port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def mail_app(database_url: str, smtp, tmp_path) -> Iterator[Flask]:
    """The app with e-mail to the test's SMTP server and the queue in real SQLite."""
    from tests.conftest import _empty_all_tables

    _empty_all_tables(database_url)
    app = create_app(
        app_config(
            database_url,
            SMTP_URL=f"smtp://127.0.0.1:{smtp[1]}",
            MAIL_FROM="Min SIP <no-reply@example.org>",
            QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        )
    )
    yield app
    db.engine.dispose()
    _empty_all_tables(database_url)


def _with_addresses(session, family, languages=("sv", "en")) -> None:
    for n, guardian in enumerate(family.guardians):
        guardian.email = f"guardian{n}@example.org"
        guardian.preferred_language = languages[n]
    family.coordinator.email = "coordinator@example.org"
    family.child.email = "child@example.org"
    session.commit()


def _revoke(app: Flask, family) -> None:
    client = app.test_client()
    sign_in_as(client, family.guardians[0])
    path = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/revoke"
    answer = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert answer.status_code in (200, 303)


def revoked_by_first_guardian(session, family) -> bool:
    """The first guardian's revoke of the professional's agency stands."""
    party = session.scalar(
        select(ConsentParty)
        .join(Consent, Consent.id == ConsentParty.consent_id)
        .where(
            Consent.agency_id == family.professional_agency.id,
            ConsentParty.person_id == family.guardians[0].id,
        )
    )
    return party.revoked_at is not None


def _deliveries(session) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def _recipients(session) -> set[int]:
    return set(
        session.scalars(
            select(Notification.person_id).join(
                Delivery, Delivery.notification_id == Notification.id
            )
        )
    )


def _consume(app: Flask) -> None:
    """Run a real huey consumer thread until the queued send has finished."""
    from huey.consumer import Consumer

    huey = queue_of(app)
    consumer = Consumer(huey, workers=1, periodic=False, worker_type="thread")
    consumer.start()
    try:
        huey.family_tasks["deliver"]().get(blocking=True, timeout=30)
    finally:
        consumer.stop(graceful=True)


def test_a_revoke_reaches_the_other_guardian_and_the_coordinator_by_safe_e_mail(
    mail_app, session, smtp
):
    """The outbox holds a delivery for the other guardian and the coordinator (not
    for the one who revoked); the consumer sends them; each e-mail is in its
    reader's language, says only that something happened with a deep link, and
    can be unsubscribed with one link."""
    inbox, _port = smtp
    family = make_family(session, child_age=10)
    _with_addresses(session, family)
    _revoke(mail_app, family)

    assert _recipients(session) == {family.guardians[1].id, family.coordinator.id}
    assert all(d.status == DeliveryStatus.PENDING for d in _deliveries(session))
    assert queue_of(mail_app).pending_count() == 1  # the commit woke the consumer
    _consume(mail_app)

    assert [d.status for d in _deliveries(session)] == [DeliveryStatus.SENT] * 2
    (to_guardian,) = inbox.to("guardian1@example.org")
    (to_coordinator,) = inbox.to("coordinator@example.org")
    assert inbox.to("guardian0@example.org") == [] and inbox.to("child@example.org") == []
    with mail_app.app_context(), force_locale("en"):
        english_subject = str(TEXTS["consent_changed"])
    assert to_guardian["Subject"] == english_subject
    assert to_guardian["Content-Language"] == "en"
    assert to_coordinator["Content-Language"] == "sv"
    consent_page = f"http://localhost:5000/plans/{family.plan.id}/consent"
    for message in (to_guardian, to_coordinator):
        body = message.get_content()
        assert consent_page in body
        unsubscribe = message["List-Unsubscribe"].strip("<>")
        assert unsubscribe.startswith("http://localhost:5000/account/unsubscribe/")
        assert unsubscribe in body
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = message["Subject"] + body
        for secret in (
            family.professional_agency.name,
            family.guardians[0].first_name,
            family.child.first_name,
        ):
            assert secret not in text


def test_a_change_rolled_back_leaves_no_delivery(mail_app, session):
    """The outbox: deliveries are committed with the change or not at all."""
    family = make_family(session)
    _with_addresses(session, family)
    with mail_app.app_context():
        coordinator = db.session.get(Person, family.coordinator.id)
        notify(db.session, [coordinator], None, "consent_changed")
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == 1
        db.session.rollback()
    assert _deliveries(session) == []


def _deliveries_of(session, person) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count())
        .select_from(Delivery)
        .join(Notification, Notification.id == Delivery.notification_id)
        .where(Notification.person_id == person.id)
    )


def test_a_child_under_13_gets_no_e_mail_and_from_13_by_default_does(mail_app, session):
    with mail_app.app_context():
        for age, expected in ((12, False), (13, True)):
            family = make_family(session, child_age=age)
            _with_addresses(session, family)
            child = db.session.get(Person, family.child.id)
            (notice,) = notify(db.session, [child], None, "meeting_soon")
            db.session.commit()
            has = db.session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.notification_id == notice.id)
            )
            assert bool(has) is expected, age


def test_a_child_under_13_gets_e_mail_only_when_a_custodian_and_the_child_both_say_yes(
    mail_app, session
):
    family = make_family(session, child_age=10)
    _with_addresses(session, family)
    without_custody = Person(display_name="Ulla Utan", email="ulla@example.org")
    session.add(without_custody)
    session.flush()
    session.add(
        PlanMember(
            plan_id=family.plan.id,
            person_id=without_custody.id,
            role=MemberRole.GUARDIAN,
            has_custody=False,
        )
    )
    session.commit()
    settings = "/account/notifications/settings"

    def tell_child() -> None:
        with mail_app.app_context():
            notify(db.session, [db.session.get(Person, family.child.id)], None, "meeting_soon")
            db.session.commit()

    # The child alone: the page says a grown-up must say yes too; the boxes start off.
    child = mail_app.test_client()
    sign_in_as(child, family.child)
    page = child.get(settings).get_data(as_text=True)
    assert "en vuxen som har vårdnad om dig också har sagt ja" in page
    assert 'value="meetings" checked' not in page
    tell_child()
    assert _deliveries_of(session, family.child) == 0
    token = csrf_token(child, settings)
    assert child.post(settings, data={"csrf_token": token, "email": "meetings"}).status_code == 303
    tell_child()
    assert _deliveries_of(session, family.child) == 0  # no grown-up's yes yet

    # A guardian without custody is not asked and cannot say yes (404).
    other = mail_app.test_client()
    sign_in_as(other, without_custody)
    assert "E-post till barn under 13 år" not in other.get(settings).get_data(as_text=True)
    path = f"/account/notifications/child/{family.child.id}"
    token = csrf_token(other, settings)
    assert other.post(path, data={"csrf_token": token, "allow": "yes"}).status_code == 404

    # A guardian with custody says yes: now the child's own choice counts.
    guardian = mail_app.test_client()
    sign_in_as(guardian, family.guardians[0])
    page = guardian.get(settings).get_data(as_text=True)
    assert "Säg ja till e-post för" in page
    token = csrf_token(guardian, settings)
    for _twice in range(2):  # a double submit changes nothing
        answer = guardian.post(path, data={"csrf_token": token, "allow": "yes"})
        assert answer.status_code == 303
    assert "Ta tillbaka ja för" in guardian.get(settings).get_data(as_text=True)
    tell_child()
    assert _deliveries_of(session, family.child) == 1
    # Topics the child did not turn on stay off.
    with mail_app.app_context():
        notify(db.session, [db.session.get(Person, family.child.id)], None, "plan_changed")
        db.session.commit()
    assert _deliveries_of(session, family.child) == 1

    # Taken back: nothing more leaves.
    assert guardian.post(path, data={"csrf_token": token, "allow": "no"}).status_code == 303
    tell_child()
    assert _deliveries_of(session, family.child) == 1
    # The child cannot say yes for themself.
    token = csrf_token(child, settings)
    assert child.post(path, data={"csrf_token": token, "allow": "yes"}).status_code == 404


def test_a_person_sets_their_own_address_and_a_wrong_one_is_kept_with_a_message(mail_app, session):
    family = make_family(session)
    client = mail_app.test_client()
    sign_in_as(client, family.guardians[0])
    settings = "/account/notifications/settings"
    page = client.get(settings).get_data(as_text=True)
    assert 'name="email" type="email" value=""' in page
    assert "Skicka också e-post om" not in page  # no address, no topics
    token = csrf_token(client, settings)
    wrong = client.post(
        "/account/notifications/email", data={"csrf_token": token, "email": "sara@exempel"}
    )
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert "Skriv en e-postadress som namn@exempel.se." in text
    assert 'value="sara@exempel"' in text and 'aria-invalid="true"' in text
    saved = client.post(
        "/account/notifications/email",
        data={"csrf_token": token, "email": "  sara@example.org "},
    )
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(Person, family.guardians[0].id).email == "sara@example.org"
    assert "Skicka också e-post om" in client.get(settings).get_data(as_text=True)
    # Removing it: nothing is e-mailed any more.
    client.post("/account/notifications/email", data={"csrf_token": token, "email": ""})
    session.expire_all()
    assert session.get(Person, family.guardians[0].id).email is None
    # The audit says it changed, never the address.
    details = set(
        session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "email"))
    )
    assert details == {"set", "removed"}


def test_the_childs_own_words_on_consent_never_leave_for_the_guardians(mail_app, session, smtp):
    """Rule 5 and decision 12: what a child says about an agency's consent goes to
    the coordinator as a bare notice; no guardian is told, and no e-mail carries it."""
    inbox, _port = smtp
    family = make_family(session, child_age=10)
    _with_addresses(session, family)
    client = mail_app.test_client()
    sign_in_as(client, family.child)
    page = f"/plans/{family.plan.id}/consent"
    path = f"{page}/{family.professional_agency.id}/child-view"
    words = "Hemligt om pappa"
    answer = client.post(
        path, data={"csrf_token": csrf_token(client, page), "view": "not_ok", "words": words}
    )
    assert answer.status_code == 303
    assert _recipients(session) == {family.coordinator.id}
    guardians = {g.id for g in family.guardians}
    told = set(session.scalars(select(Notification.person_id)))
    assert not told & guardians
    _consume(mail_app)
    (message,) = inbox.to("coordinator@example.org")
    assert words not in message.get_content() and words not in message["Subject"]


def test_an_unreachable_server_is_retried_then_failed_and_the_coordinator_sees_it(
    mail_app, session, smtp
):
    """Retries with growing pauses; after the last the delivery is failed, the
    revocation itself stands, and My plans tells the coordinator."""
    family = make_family(session)
    _with_addresses(session, family)
    mail_app.config["SMTP_URL"] = f"smtp://127.0.0.1:{_free_port()}"  # nothing listens
    _revoke(mail_app, family)
    now = datetime.now(UTC)
    with mail_app.app_context():
        for attempt in range(1, MAX_ATTEMPTS + 1):
            outcome = send_due(db.session, now)
            assert sum(outcome.values()) == 2, attempt
            assert send_due(db.session, now) == {}, "not again before the pause"
            now += timedelta(hours=3)
    deliveries = _deliveries(session)
    assert [d.status for d in deliveries] == [DeliveryStatus.FAILED] * 2
    assert all(d.attempts == MAX_ATTEMPTS for d in deliveries)
    assert all(d.last_error.startswith("ConnectionRefusedError") for d in deliveries)
    assert all("@" not in d.last_error for d in deliveries)
    client = mail_app.test_client()
    sign_in_as(client, family.professional)
    assert "kunde inte skickas" not in client.get("/workspace/").get_data(as_text=True)
    sign_in_as(client, family.coordinator)
    html = client.get("/workspace/").get_data(as_text=True)
    assert "2 meddelanden kunde inte skickas." in html  # the other guardian's, the coordinator's
    session.expire_all()
    assert revoked_by_first_guardian(session, family)  # the change was never rolled back


def test_a_consumer_killed_between_claim_and_send_loses_nothing_and_sends_once(
    mail_app, session, smtp
):
    """A consumer claims a delivery and dies before sending. Until the claim is
    stale nobody else takes it; then the next consumer does, and exactly one
    message arrives however often the sweep runs. In-process, with the clock
    moved on; tests/functional/test_consumer_killed.py kills a real consumer."""
    inbox, _port = smtp
    family = make_family(session, guardians=1)
    _with_addresses(session, family)
    with mail_app.app_context():
        coordinator = db.session.get(Person, family.coordinator.id)
        notify(db.session, [coordinator], None, "consent_changed")
        db.session.commit()
        (delivery_id,) = [d.id for d in _deliveries(session)]
        now = datetime.now(UTC)
        assert claim(db.session, delivery_id, now) == now  # ... and the consumer dies here
        assert claim(db.session, delivery_id, now) is None  # a second claim fails at once
        assert send_due(db.session, now + timedelta(minutes=1)) == {}
        later = now + CLAIM_TIMEOUT + timedelta(seconds=1)
        assert send_due(db.session, later) == {DeliveryStatus.SENT: 1}
        assert send_due(db.session, later + CLAIM_TIMEOUT * 2) == {}
    assert len(inbox.to("coordinator@example.org")) == 1
    (delivery,) = _deliveries(session)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


def test_a_consumer_killed_after_the_server_took_the_mail_sends_it_again_with_the_same_id(
    mail_app, session, smtp
):
    """The one gap no SMTP client can close: the server accepted the message and
    the consumer died before marking it sent. The stale claim is taken again and
    the message goes out again, with the same Message-ID, so mail programs that
    drop a repeated Message-ID show it once. Never lost, at worst repeated."""
    from family_app import mail
    from family_app.models import Notification as NotificationRow

    inbox, _port = smtp
    family = make_family(session, guardians=1)
    _with_addresses(session, family)
    with mail_app.app_context():
        coordinator = db.session.get(Person, family.coordinator.id)
        (notice,) = notify(db.session, [coordinator], None, "consent_changed")
        db.session.commit()
        (delivery_id,) = [d.id for d in _deliveries(session)]
        now = datetime.now(UTC)
        assert claim(db.session, delivery_id, now) == now
        row = db.session.get(NotificationRow, notice.id)
        mail.send(mail.build_message(row, coordinator, delivery_id=delivery_id))
        # ... the consumer dies here, before marking the delivery sent.
        later = now + CLAIM_TIMEOUT + timedelta(seconds=1)
        assert send_due(db.session, later) == {DeliveryStatus.SENT: 1}
    first, second = inbox.to("coordinator@example.org")
    assert first["Message-ID"] == second["Message-ID"] == f"<delivery-{delivery_id}@localhost>"


def test_the_daily_job_reminds_of_tomorrows_meeting_once_across_two_runs(mail_app, session, smtp):
    """The reminders run in the consumer's daily job: a meeting tomorrow gives each
    family member with e-mail on exactly one reminder, however often it runs."""
    inbox, _port = smtp
    family = make_family(session, child_age=15)
    _with_addresses(session, family)
    # Tomorrow in Stockholm, whatever the hour here (after 23:00 UTC it is already
    # the next day there, and a UTC "tomorrow" would be Stockholm's today).
    tomorrow_noon = datetime.fromisoformat(_local(1, 12)).replace(tzinfo=STOCKHOLM).astimezone(UTC)
    meeting = session.get(Meeting, family.meeting.id)
    meeting.starts_at = tomorrow_noon
    meeting.ends_at = tomorrow_noon + timedelta(hours=1)
    session.commit()
    with mail_app.app_context():
        run_daily(db.session)
    _consume(mail_app)
    with mail_app.app_context():
        run_daily(db.session)
    _consume(mail_app)
    for address in ("guardian0@example.org", "guardian1@example.org", "child@example.org"):
        (message,) = inbox.to(address)
        assert f"/meetings/{family.meeting.id}" in message.get_content()
    assert inbox.to("coordinator@example.org") == []  # the family's reminder


def test_unsubscribe_turns_off_one_topic_and_refuses_a_tampered_link(mail_app, session):
    family = make_family(session)
    _with_addresses(session, family)
    with mail_app.app_context():
        guardian = db.session.get(Person, family.guardians[1].id)
        token = unsubscribe_token(guardian, "consent")
    client = mail_app.test_client()
    path = f"/account/unsubscribe/{token}"
    asked = client.get(path)
    # The page speaks the person's language (this guardian prefers English).
    with mail_app.test_request_context(), force_locale("en"):
        turn_off = gettext("Stäng av e-post")
        no_longer = gettext("Klart. Du får inte längre den här sortens e-post.")
    assert turn_off != "Stäng av e-post"
    assert asked.status_code == 200 and turn_off in asked.get_data(as_text=True)
    assert _deliveries(session) == []  # no change on GET
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert no_longer in done.get_data(as_text=True)
    _revoke(mail_app, family)
    assert family.guardians[1].id not in _recipients(session)
    assert family.coordinator.id in _recipients(session)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x", token + "."):
        assert client.get(f"/account/unsubscribe/{bad}").status_code == 404
        assert client.post(f"/account/unsubscribe/{bad}").status_code == 404
    other_key = create_app(app_config(mail_app.config["DATABASE_URL"], SECRET_KEY="x" * 40))
    with other_key.app_context():
        forged = unsubscribe_token(guardian, "consent")
    assert client.get(f"/account/unsubscribe/{forged}").status_code == 404

    # A link sent to an address the person no longer has is spent (rule 10).
    with mail_app.app_context():
        meetings = unsubscribe_token(db.session.get(Person, guardian.id), "meetings")
    assert client.get(f"/account/unsubscribe/{meetings}").status_code == 200
    family.guardians[1].email = "new-address@example.org"
    session.commit()
    assert client.get(f"/account/unsubscribe/{meetings}").status_code == 404


def test_settings_page_turns_e_mail_on_and_off_per_topic_without_javascript(mail_app, session):
    family = make_family(session)
    _with_addresses(session, family)
    client = mail_app.test_client()
    sign_in_as(client, family.guardians[1])
    page = client.get("/account/notifications/settings").get_data(as_text=True)
    assert 'value="consent" checked' in page and 'value="plan" checked' in page
    assert 'name="csrf_token"' in page
    refused = client.post("/account/notifications/settings", data={"email": "plan"})
    assert refused.status_code == 400  # no CSRF token
    token = csrf_token(client, "/account/notifications/settings")
    saved = client.post(
        "/account/notifications/settings", data={"csrf_token": token, "email": "plan"}
    )
    assert saved.status_code == 303
    page = client.get("/account/notifications/settings").get_data(as_text=True)
    assert 'value="consent">' in page and 'value="plan" checked' in page
    assert 'value="meetings">' in page
    _revoke(mail_app, family)
    assert family.guardians[1].id not in _recipients(session)


def test_each_meeting_in_the_calendar_has_alarms_the_day_and_the_hour_before(app, session):
    family = make_family(session)
    client = app.test_client()
    sign_in_as(client, family.guardians[0])
    ics = client.get(f"/meetings/{family.meeting.id}/calendar.ics")
    assert ics.status_code == 200
    (event,) = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    alarms = event.walk("VALARM")
    assert sorted(a.decoded("trigger") for a in alarms) == [
        -timedelta(days=1),
        -timedelta(hours=1),
    ]
    assert {str(a["action"]) for a in alarms} == {"DISPLAY"}
    assert {str(a["description"]) for a in alarms} == {"Ett möte närmar sig."}
    from family_app.account.feeds import new_feed

    token = new_feed(session, family.guardians[0])
    session.commit()
    feed = app.test_client().get(f"/feeds/{token}/calendar.ics")
    assert feed.status_code == 200, feed.status_code
    (event,) = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert len(event.walk("VALARM")) == 2


REDIS_QUEUE_URL = os.environ.get("FAMILY_APP_TEST_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/14")


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_QUEUE_URL, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - no Redis here: the test is skipped
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis at FAMILY_APP_TEST_QUEUE_REDIS_URL")
def test_the_queue_works_the_same_on_redis(database_url, session, smtp):
    """FAMILY_APP_QUEUE_URL=redis://… (production, CI): the same consumer sends the
    same outbox through RedisHuey."""
    from tests.conftest import _empty_all_tables

    inbox, port = smtp
    _empty_all_tables(database_url)
    app = create_app(
        app_config(database_url, SMTP_URL=f"smtp://127.0.0.1:{port}", QUEUE_URL=REDIS_QUEUE_URL)
    )
    queue_of(app).flush()
    try:
        family = make_family(session)
        _with_addresses(session, family)
        _revoke(app, family)
        _consume(app)
        assert len(inbox.to("guardian1@example.org")) == 1
        assert len(inbox.to("coordinator@example.org")) == 1
    finally:
        queue_of(app).flush()
        db.engine.dispose()
        _empty_all_tables(database_url)


def test_no_unsubscribe_link_we_did_not_sign_makes_anything_but_404(app):
    """Any token we did not sign (random, truncated, another payload) is a plain
    404 on GET and POST, never a 500."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from itsdangerous import URLSafeSerializer

    client = app.test_client()
    with app.app_context():
        other_payloads = [
            URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps(value)
            for value in ({"p": 1}, [1], ["1", "consent"], [1, "unknown-topic"], [10**9, "plan"])
        ]
    for token in other_payloads:
        assert client.get(f"/account/unsubscribe/{token}").status_code == 404

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        token=st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
            min_size=1,
            max_size=120,
        ),
        post=st.booleans(),
    )
    def ask(token, post):
        path = f"/account/unsubscribe/{token}"
        answer = client.post(path) if post else client.get(path)
        assert answer.status_code == 404

    ask()


def test_an_e_mail_written_before_the_18th_birthday_never_reaches_the_former_guardian(
    mail_app, session, smtp
):
    """Decision 3 binds the outbox too: a delivery written while the guardian could
    read the plan is skipped once the child has come of age, before anything leaves."""
    inbox, _port = smtp
    family = make_family(session, child_age=17)
    _with_addresses(session, family)
    _revoke(mail_app, family)
    assert family.guardians[1].id in _recipients(session)
    family.child.birth_date = family.child.birth_date.replace(year=family.child.birth_date.year - 1)
    session.commit()
    with mail_app.app_context():
        send_due(db.session, datetime.now(UTC))
    by_person = {
        n.person_id: d.status
        for d in _deliveries(session)
        for n in [session.get(Notification, d.notification_id)]
    }
    assert by_person[family.guardians[1].id] == DeliveryStatus.SKIPPED
    assert by_person[family.coordinator.id] == DeliveryStatus.SENT
    assert inbox.to("coordinator@example.org") and not inbox.to("guardian1@example.org")


def test_consent_ending_is_never_told_to_a_guardian_of_an_agency_hidden_from_them(
    mail_app, session
):
    """Decision 10: a guardian cannot see, so is not reminded of, consent to an
    agency a harm flag hides from them; the reminder goes to no one there."""
    from family_app.consent.services import remind_expiring

    family = make_family(session)
    for party in session.scalars(select(ConsentParty)):
        party.valid_to = datetime.now(UTC) + timedelta(days=10)
    family.action.harm_flag = True
    session.commit()
    with mail_app.app_context():
        remind_expiring(db.session)
        db.session.commit()
    told = {
        (n.person_id, n.object_id)
        for n in session.scalars(
            select(Notification).where(Notification.kind == "consent_expiring")
        )
    }
    hidden = {
        p.id
        for p in session.scalars(
            select(ConsentParty)
            .join(Consent, Consent.id == ConsentParty.consent_id)
            .where(Consent.agency_id == family.professional_agency.id)
        )
    }
    assert told, "the coordinator's agency's consent is still reminded of"
    assert not {object_id for _person, object_id in told} & hidden


def test_an_unexpected_error_while_sending_is_retried_not_left_claimed(
    mail_app, session, smtp, monkeypatch
):
    """Whatever goes wrong in building or sending, the delivery returns to the
    retry path and is counted as failed at the end, never stuck as 'sending'."""
    from family_app import mail

    family = make_family(session)
    _with_addresses(session, family)
    _revoke(mail_app, family)

    def broken(*_args, **_kwargs):
        raise ValueError("a header that cannot be written")

    monkeypatch.setattr(mail, "build_message", broken)
    now = datetime.now(UTC)
    with mail_app.app_context():
        for _attempt in range(MAX_ATTEMPTS):
            send_due(db.session, now)
            now += timedelta(hours=3)
    statuses = {d.status for d in _deliveries(session)}
    assert statuses == {DeliveryStatus.FAILED}
    assert all(d.last_error == "ValueError" for d in _deliveries(session))


def _local(days: int, hour: int = 14) -> str:
    from zoneinfo import ZoneInfo

    day = datetime.now(ZoneInfo("Europe/Stockholm")).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02}:00"


def _kinds(session, meeting_id: int) -> dict[int, set[str]]:
    session.expire_all()
    found: dict[int, set[str]] = {}
    for person_id, kind in session.execute(
        select(Notification.person_id, Notification.kind).where(
            Notification.object_type == "meeting", Notification.object_id == meeting_id
        )
    ):
        found.setdefault(person_id, set()).add(kind)
    return found


def test_a_meeting_booked_moved_and_cancelled_is_told_by_kind_to_those_who_may_know_of_it(
    mail_app, session, smtp
):
    """Booked: whoever writes views (the child, the guardians) is told the views
    are open, a relative that a meeting is booked; by e-mail with a link. Once only a hidden agency
    attends it, guardians are told nothing more, and the notices they had say only
    that the plan has news and link to the plan, not the meeting."""
    from family_app.models import MeetingAttendee

    inbox, _port = smtp
    family = make_family(session, child_age=10)
    _with_addresses(session, family)
    relative = Person(display_name="Mormor Mona", email="mona@example.org")
    session.add(relative)
    session.flush()
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    session.commit()
    coordinator = mail_app.test_client()
    sign_in_as(coordinator, family.coordinator)
    token = csrf_token(coordinator, "/workspace/")
    base = f"/workspace/plans/{family.plan.id}/meetings"
    booked = coordinator.post(
        f"{base}/new",
        data={"csrf_token": token, "kind": "follow_up", "starts_at": _local(9), "minutes": "60"},
    )
    assert booked.status_code == 303
    meeting = session.scalar(select(Meeting).where(Meeting.kind == "follow_up"))
    child, first, second = family.child, *family.guardians
    assert _kinds(session, meeting.id) == {
        child.id: {"views_open"},
        first.id: {"views_open"},
        second.id: {"views_open"},
        relative.id: {"meeting_scheduled"},
    }
    _consume(mail_app)
    (mail,) = inbox.to("mona@example.org")
    assert mail["Subject"] == "Ett nytt möte är bokat."
    assert f"/meetings/{meeting.id}" in mail.get_content()
    (mail,) = inbox.to("guardian0@example.org")
    assert "Du kan skriva dina tankar" in mail["Subject"]
    assert f"/meetings/{meeting.id}/my-views" in mail.get_content()
    assert not inbox.to("child@example.org")  # under 13, nobody said yes
    guardian = mail_app.test_client()
    sign_in_as(guardian, first)
    notices = guardian.get("/account/notifications").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/my-views"' in notices

    moved = coordinator.post(
        f"{base}/{meeting.id}",
        data={"csrf_token": token, "kind": "follow_up", "starts_at": _local(10), "minutes": "60"},
    )
    assert moved.status_code == 303
    assert all("meeting_moved" in kinds for kinds in _kinds(session, meeting.id).values())

    # Only the hidden agency attends now: the guardians no longer know of it.
    session.add(
        MeetingAttendee(
            meeting_id=meeting.id, agency_id=family.professional_agency.id, role="Behandlare"
        )
    )
    family.action.harm_flag = True
    session.commit()
    notices = guardian.get("/account/notifications").get_data(as_text=True)
    assert f"/meetings/{meeting.id}" not in notices
    assert "Ett möte har fått ny tid eller plats." not in notices
    assert "Du kan skriva dina tankar" not in notices
    assert "Det finns nytt i planen." in notices
    cancelled = coordinator.post(f"{base}/{meeting.id}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    kinds = _kinds(session, meeting.id)
    assert "meeting_cancelled" in kinds[child.id]
    assert "meeting_cancelled" not in kinds[first.id] | kinds[second.id] | kinds[relative.id]


def test_a_passkey_added_is_also_told_by_e_mail_with_a_link_to_the_devices(mail_app, session, smtp):
    inbox, _port = smtp
    family = make_family(session)
    _with_addresses(session, family)
    with mail_app.app_context():
        notify(db.session, [db.session.get(Person, family.guardians[0].id)], None, "passkey_added")
        db.session.commit()
    _consume(mail_app)
    (mail,) = inbox.to("guardian0@example.org")
    assert "/account/devices" in mail.get_content()
    assert mail["List-Unsubscribe"]

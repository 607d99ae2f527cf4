"""Issue 13: a killed consumer loses nothing, with a real consumer and a real kill.

``test_notify.py`` checks the stale-claim rule in-process, calling ``claim()`` and
stopping there. Here ``family-app worker`` runs as its own process on the test's
database (a file SQLite both processes open, or PostgreSQL in CI): it claims the
delivery, hangs inside the send (the mail server never greets it) and is killed
with SIGKILL, so no ``finally`` and no shutdown hook can tidy up. A second
worker, started after the (shortened) claim timeout, must send it exactly once.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

import family_app
from family_app import create_app
from family_app.extensions import db
from family_app.models import Delivery, DeliveryStatus, Person
from family_app.notifications import TEXTS, notify
from family_app.queue import queue_of
from tests.conftest import TEST_SECRET, _empty_all_tables, app_config
from tests.factories import make_family
from tests.mailsink import smtp_server

CLAIM_TIMEOUT_SECONDS = 2
ADDRESS = "coordinator@example.org"
SOURCE_ROOT = Path(family_app.__file__).resolve().parent.parent


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """A listening socket that takes connections and never says a word: no SMTP
    greeting, so a consumer sending there waits inside ``smtplib`` (up to its 20 s
    timeout). The kernel completes the handshake; the test accepts it later."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener


@pytest.fixture
def queue_app(database_url: str, silent_server: socket.socket, tmp_path: Path) -> Iterator[Flask]:
    """The web side: its commits wake the consumers through the shared queue file."""
    _empty_all_tables(database_url)
    app = create_app(
        app_config(
            database_url,
            SMTP_URL=f"smtp://127.0.0.1:{silent_server.getsockname()[1]}",
            QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        )
    )
    yield app
    db.engine.dispose()
    _empty_all_tables(database_url)


def _start_worker(
    app: Flask, smtp_port: int, log: Path, claim_timeout: int | None = None
) -> subprocess.Popen[bytes]:
    """``family-app worker`` as production runs it, on the test's database and queue;
    ``claim_timeout``: when this worker takes another's claim for dead (seconds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_APP_")}
    env.pop("DATABASE_URL", None)
    env.update(
        FAMILY_APP_DATABASE_URL=app.config["DATABASE_URL"],
        FAMILY_APP_SECRET_KEY=TEST_SECRET,  # and no dev key written to an instance folder
        FAMILY_APP_QUEUE_URL=app.config["QUEUE_URL"],
        FAMILY_APP_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        FAMILY_APP_MAIL_FROM="Min SIP <no-reply@example.org>",
        # The code under test, also when the package is installed from elsewhere.
        PYTHONPATH=os.pathsep.join(filter(None, [str(SOURCE_ROOT), env.get("PYTHONPATH")])),
    )
    if claim_timeout is not None:
        env["FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS"] = str(claim_timeout)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", "from family_app.cli import main; main()", "worker"],
            env=env,
            cwd=SOURCE_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _delivery(session: Session) -> Delivery:
    session.expire_all()
    (delivery,) = session.scalars(select(Delivery))
    session.expunge(delivery)  # a snapshot: the rollback must not reload it
    session.rollback()  # hold no read transaction open against the consumers' writes
    return delivery


def _wait_for(
    session: Session,
    done: Callable[[Delivery], bool],
    what: str,
    worker: subprocess.Popen[bytes],
    log: Path,
    timeout: float,
) -> Delivery:
    """Poll the delivery until ``done(delivery)``; fail early if the worker died."""
    deadline = time.monotonic() + timeout
    while True:
        delivery = _delivery(session)
        if done(delivery):
            return delivery
        if worker.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what}: {delivery.status}; worker log:\n{log.read_text()}")
        time.sleep(0.1)


def test_a_real_consumer_killed_between_claim_and_send_loses_nothing_and_sends_once(
    queue_app: Flask, session: Session, silent_server: socket.socket, tmp_path: Path
) -> None:
    family = make_family(session, guardians=1)
    family.coordinator.email = ADDRESS
    session.commit()
    with queue_app.app_context():
        coordinator = db.session.get(Person, family.coordinator.id)
        notify(db.session, [coordinator], None, "consent_changed")
        db.session.commit()  # the outbox row, and a wake-up in the shared queue
    with queue_app.app_context(), force_locale("sv"):
        subject = str(TEXTS["consent_changed"])
    assert _delivery(session).status == DeliveryStatus.PENDING

    log = tmp_path / "workers.log"
    first = second = None
    try:
        # The first worker keeps the default ten minutes, so neither of its two
        # threads (nor its sweep) can take its own claim again before the kill.
        first = _start_worker(queue_app, silent_server.getsockname()[1], log)
        claimed = _wait_for(
            session,
            lambda d: d.status == DeliveryStatus.SENDING,
            "the first worker never claimed the delivery",
            first,
            log,
            timeout=20,
        )
        assert claimed.attempts == 1 and claimed.sent_at is None
        time.sleep(0.5)  # well inside the send: the silent server holds it for 20 s
        first.kill()
        assert first.wait(timeout=10) == -signal.SIGKILL
        # It was inside the send: connected to the mail server, and died without
        # a word (not even EHLO), so no message can have left.
        silent_server.settimeout(5)
        connection, _address = silent_server.accept()
        with connection:
            connection.settimeout(5)
            assert connection.recv(1024) == b""
        # The claim stands and nothing was recorded.
        dead = _delivery(session)
        assert (dead.status, dead.attempts, dead.claimed_at) == (
            DeliveryStatus.SENDING,
            1,
            claimed.claimed_at,
        )
        assert dead.sent_at is None and dead.last_error == ""

        stale_at = claimed.claimed_at + timedelta(seconds=CLAIM_TIMEOUT_SECONDS, milliseconds=300)
        time.sleep(max(0.0, (stale_at - datetime.now(UTC)).total_seconds()))
        # Nothing left in the queue: the second worker sends because a consumer
        # that starts looks at the outbox at once, not waiting for the minute's sweep.
        queue_of(queue_app).flush()
        with smtp_server() as (inbox, smtp_port):
            second = _start_worker(queue_app, smtp_port, log, CLAIM_TIMEOUT_SECONDS)
            message = inbox.wait_for(ADDRESS, subject, timeout=20)
            sent = _wait_for(
                session,
                lambda d: d.status == DeliveryStatus.SENT,
                "the second worker sent but never marked it sent",
                second,
                log,
                timeout=10,
            )
            assert sent.attempts == 2 and sent.sent_at is not None
            assert sent.claimed_at > claimed.claimed_at
            assert f"delivery-{sent.id}@" in message["Message-ID"]

            # Once the new claim is stale too, another sweep sends nothing more: a
            # sent delivery is never taken again.
            time.sleep(CLAIM_TIMEOUT_SECONDS + 0.3)
            again = queue_of(queue_app).family_tasks["deliver"]()
            assert again.get(blocking=True, timeout=15) == {}, log.read_text()
            assert len(inbox.to(ADDRESS)) == 1
            assert second.poll() is None, log.read_text()
        assert _delivery(session).status == DeliveryStatus.SENT
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

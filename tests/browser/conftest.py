"""Real Chromium (Debian's) against a real server process.

The server is gunicorn started from the project's own CLI on a fresh database
(SQLite, or PostgreSQL when FAMILY_APP_TEST_DATABASE_URL is set) with the demo
seeded. Pages are opened at http://localhost:PORT, the origin WebAuthn expects.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from family_app.config import PROJECT_ROOT, normalise_database_url
from family_app.push import generate_keys

CHROMIUM = os.environ.get("FAMILY_APP_CHROMIUM", "/usr/bin/chromium")
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _live_database_url(tmp: Path, suffix: str = "live") -> str:
    base = os.environ.get("FAMILY_APP_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp / (suffix + '.db')}"
    # A database of its own, so the functional tests' cleaning never touches it.
    engine = create_engine(normalise_database_url(base), isolation_level="AUTOCOMMIT")
    name = f"{engine.url.database}_{suffix}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return engine.url.set(database=name).render_as_string(hide_password=False)


class LiveServer:
    def __init__(self, url: str, database_url: str, env: dict[str, str], invites: list[dict]):
        self.url = url
        self.database_url = database_url
        self.env = env
        self.demo = invites

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", "from family_app.cli import main; main()", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start_meeting(self, meeting_id: int) -> None:
        """The meeting begins (its start a minute ago): answers may now be published."""
        from datetime import UTC, datetime, timedelta

        from sqlalchemy import update

        from family_app.models import Meeting

        engine = create_engine(normalise_database_url(self.database_url))
        with engine.begin() as conn:
            conn.execute(
                update(Meeting.__table__)
                .where(Meeting.__table__.c.id == meeting_id)
                .values(starts_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        engine.dispose()

    def invite(self, demo_key: str) -> str:
        """A fresh one-time invitation path for a demo person (e.g. 'sara')."""
        engine = create_engine(normalise_database_url(self.database_url))
        with engine.connect() as conn:
            person_id = conn.execute(
                text("SELECT id FROM people WHERE external_key = :k"), {"k": f"demo:{demo_key}"}
            ).scalar_one()
        engine.dispose()
        # Each test registers on a fresh virtual authenticator: the old passkeys go.
        out = self.cli("invite", "--replace-passkeys", str(person_id))
        link = next(line for line in out.splitlines() if line.startswith("Link: "))
        return link.split(self.url, 1)[1]


def _serve(
    tmp: Path,
    suffix: str,
    seed: bool,
    extra_env: dict[str, str] | None = None,
    worker: bool = False,
) -> Iterator[LiveServer]:
    """gunicorn with two workers on a fresh database: demo-seeded, or empty; with
    ``worker``, the queue's consumer next to it, as in production."""
    port = _free_port()
    database_url = _live_database_url(tmp, suffix)
    origin = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_APP_")}
    env.update(
        DATABASE_URL=database_url,
        FAMILY_APP_SECRET_KEY="browser-test-secret-key-0123456789-abcdef",
        FAMILY_APP_ORIGIN=origin,
        FAMILY_APP_PORT=str(port),
        FAMILY_APP_DEV_SIGN_IN="1" if seed else "0",
        FAMILY_APP_RATELIMIT_ENABLED="0",
        # An interface string a catalogue lacks shows between ⟦ ⟧ (test_languages).
        FAMILY_APP_MARK_UNTRANSLATED="1",
        # The queue beside the database, never in the developer's instance folder.
        FAMILY_APP_QUEUE_URL=f"sqlite:///{tmp / f'{suffix}-queue.db'}",
        # Web Push offered, as in the demo (tests/browser/test_push.py).
        FAMILY_APP_VAPID_PRIVATE_KEY=generate_keys()[0],
    )
    env.update(extra_env or {})
    run = LiveServer(origin, database_url, env, [])
    run.cli("db", "upgrade")
    if seed:
        run.demo = json.loads(run.cli("seed-demo", "--json"))
    log_path = tmp / f"{suffix}-server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "family_app.wsgi:app",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(log_path.read_text()) from None
            time.sleep(0.2)
    consumer = None
    if worker:
        consumer = subprocess.Popen(
            [sys.executable, "-c", "from family_app.cli import main; main()", "worker"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield run
    for process in (server, consumer):
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo, seeded once for the browser tests that read it."""
    yield from _serve(tmp_path_factory.mktemp("live"), "live", seed=True)


@pytest.fixture
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A deployment on its first day: an empty database, no demo, no dev sign-in
    (a new one for each test: a day one happens once)."""
    yield from _serve(tmp_path_factory.mktemp("empty"), "empty", seed=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    """One Playwright driver for the whole run (a second one cannot start)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[object]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, live_server) -> Iterator[Callable[..., object]]:
    """New phone-sized browser contexts (each its own person); closed after the test."""
    yield from _phones(browser, live_server)


def _phones(browser, server: LiveServer) -> Iterator[Callable[..., object]]:
    contexts = []

    def open_page(locale: str = "sv-SE"):
        context = browser.new_context(
            viewport=PHONE, base_url=server.url, locale=locale, has_touch=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (evaluate is not subject to the page's CSP)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


__all__ = ["axe_violations", "no_horizontal_scroll", "select"]


def add_virtual_authenticator(page) -> str:
    """Chromium's own virtual authenticator: the person's phone, for this page."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page._family_cdp = cdp  # keep the session alive with the page
    return result["authenticatorId"]


def register_passkey(page, invite_path: str, device: str = "Min telefon") -> None:
    """Open an invitation and create a passkey the way a person would."""
    add_virtual_authenticator(page)
    page.goto(invite_path)
    # Found by structure, not words: the page may be in any language.
    page.locator("#device-name").fill(device)
    page.locator("[data-passkey-register] button[type=submit]").click()
    page.wait_for_url(lambda url: "/i/" not in url)
    # The landing page may redirect on (home → the one plan, or the workspace): a
    # test's next step must act on the page where the person ends up, not on one
    # that is being replaced (a language switched there was lost under load).
    page.wait_for_load_state("networkidle")

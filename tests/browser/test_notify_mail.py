"""Issue 13, done when: guardian A revokes consent on a phone; guardian B gets an
e-mail in B's own language that names no agency, and a notice in the app that
does; the coordinator gets the same.

Everything is real: gunicorn and the queue's consumer (``family-app worker``) as
two processes on a fresh demo database, a real SMTP server (aiosmtpd) started
here, Chromium with passkeys through its virtual authenticator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from babel.support import Translations
from sqlalchemy import create_engine, text

from family_app.config import PROJECT_ROOT, normalise_database_url
from tests.browser.conftest import (
    LiveServer,
    _phones,
    _serve,
    axe_violations,
    no_horizontal_scroll,
    register_passkey,
)
from tests.mailsink import Inbox, smtp_server

AGENCY = "Vårdcentralen Kinna"
REVOKED_SUBJECT = "Ett samtycke i planen har ändrats."


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def mail_server(tmp_path_factory, inbox) -> Iterator[LiveServer]:
    _found, port = inbox
    yield from _serve(
        tmp_path_factory.mktemp("mail"),
        "mail",
        seed=True,
        extra_env={
            "FAMILY_APP_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "FAMILY_APP_MAIL_FROM": "Min SIP <no-reply@example.org>",
        },
        worker=True,
    )


@pytest.fixture
def mail_phone(browser, mail_server):
    yield from _phones(browser, mail_server)


def _speaks(server: LiveServer, key: str, language: str) -> None:
    engine = create_engine(normalise_database_url(server.database_url))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE people SET preferred_language = :l WHERE external_key = :k"),
            {"l": language, "k": f"demo:{key}"},
        )
    engine.dispose()


def _in(language: str, words: str) -> str:
    return Translations.load(PROJECT_ROOT / "translations", [language]).gettext(words)


def test_a_revoke_reaches_the_other_guardian_and_the_coordinator_by_e_mail_and_in_the_app(
    mail_phone, mail_server, inbox
):
    found, _port = inbox
    _speaks(mail_server, "johan", "ar")  # guardian B reads Arabic

    # Guardian A revokes consent for one agency on her phone (three taps).
    sara = mail_phone()
    register_passkey(sara, mail_server.invite("sara"))
    sara.locator(".plan-nav a[href$='/consent']").click()
    sara.locator(".consent-card", has_text=AGENCY).locator("a[href$='/revoke']").click()
    sara.locator("main form button[type=submit]").click()
    sara.wait_for_url("**/consent*")

    # Guardian B's e-mail: his language, says only that something changed.
    subject = _in("ar", REVOKED_SUBJECT)
    assert subject != REVOKED_SUBJECT  # the Arabic catalogue has it
    to_johan = found.wait_for("johan@example.org", subject)
    assert to_johan["Content-Language"] == "ar"
    body = to_johan.get_content()
    preview = body.strip().splitlines()[0]
    for words in (to_johan["Subject"], preview, body):
        assert AGENCY not in words and "Vårdcentralen" not in words and "Sara" not in words
    assert "/consent" in body and to_johan["List-Unsubscribe"]
    to_leila = found.wait_for("leila@example.org", REVOKED_SUBJECT)
    assert to_leila["Content-Language"] == "sv"
    assert AGENCY not in to_leila.get_content() and "Sara" not in to_leila.get_content()

    # In the app both are told who and which agency, each in their language.
    johan = mail_phone(locale="ar")
    register_passkey(johan, mail_server.invite("johan"))
    johan.goto("/account/notifications")
    assert johan.locator("html").get_attribute("dir") == "rtl"
    notice = johan.locator(".notification__link", has_text=AGENCY).first
    assert "Sara" in notice.inner_text()
    assert notice.get_attribute("href").endswith("/consent")
    assert axe_violations(johan) == []
    assert no_horizontal_scroll(johan)

    leila = mail_phone()
    register_passkey(leila, mail_server.invite("leila"))
    leila.goto("/account/notifications")
    words = leila.locator(".notification__link", has_text="återkallade samtycket för").first
    assert AGENCY in words.inner_text() and "Sara" in words.inner_text()
    assert axe_violations(leila) == []

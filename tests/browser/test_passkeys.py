"""Passkeys end to end: Chromium's virtual authenticator, verified by our server."""

import re

from sqlalchemy import create_engine, text

from family_app.config import normalise_database_url
from tests.browser.conftest import axe_violations, register_passkey

NO_CONDITIONAL_UI = (
    "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"
)


def test_register_sign_out_and_sign_back_in_with_a_passkey(phone, live_server):
    page = phone()
    # A browser without passkey autofill: the person taps the button.
    page.add_init_script(NO_CONDITIONAL_UI)
    invite = live_server.invite("johan")
    register_passkey(page, invite)
    assert "Alva Lindqvist" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/sign-in")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Logga in med inloggningsnyckel").click()
    page.wait_for_url("**/plans/**")
    assert "Alva Lindqvist" in page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("link", name="Mina enheter").click()
    assert page.get_by_role("heading", name="Min telefon").is_visible()
    assert axe_violations(page) == []

    # The same invitation a second time: a clear message, no way in.
    other = phone()
    other.goto(invite)
    assert "redan använts" in other.get_by_role("alert").inner_text()
    assert axe_violations(other) == []


def test_passkey_autofill_signs_in_where_the_browser_offers_it(phone, live_server):
    page = phone()
    register_passkey(page, live_server.invite("amal"))
    page.get_by_role("button", name=re.compile("Logga ut|تسجيل الخروج")).click()
    # Chromium offers the passkey in the code field's autofill (conditional UI);
    # its virtual authenticator accepts at once, as a person choosing it would.
    page.wait_for_url("**/plans/**")
    assert "Yusuf" in page.get_by_role("heading", level=1).inner_text()


def test_expired_invitation_says_so_plainly(phone, live_server):
    invite = live_server.invite("sara")
    engine = create_engine(normalise_database_url(live_server.database_url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE invitations SET expires_at = created_at WHERE used_at IS NULL "
                "AND withdrawn_at IS NULL"
            )
        )
    engine.dispose()
    page = phone()
    page.goto(invite)
    assert "gått ut" in page.get_by_role("alert").inner_text()


def test_sign_in_in_arabic_reads_right_to_left(phone, live_server):
    page = phone(locale="ar")
    page.goto("/sign-in")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert axe_violations(page) == []

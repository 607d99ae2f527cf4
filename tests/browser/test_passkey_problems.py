"""When passkeys cannot work, the person is told plainly what to do."""

from tests.browser.conftest import axe_violations


def test_browser_without_passkeys_says_what_to_do(phone, live_server):
    page = phone()
    page.add_init_script("delete window.PublicKeyCredential;")
    page.goto(live_server.invite("johan"))
    notice = page.locator("[data-passkey-unsupported]")
    assert notice.is_visible()
    assert "samordnare" in notice.inner_text()
    assert page.locator("[data-passkey-register] button[type=submit]").is_hidden()
    assert axe_violations(page) == []


def test_failed_user_verification_says_what_to_do(phone, live_server):
    page = phone()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": False,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto(live_server.invite("johan"))
    page.locator("[data-passkey-register] button[type=submit]").click()
    status = page.locator("[data-passkey-status]")
    status.filter(has_text="samordnare").wait_for()
    assert "/i/" in page.url  # still on the invitation: nothing half-done

"""The app installs on a phone's home screen, and offline it says so instead of
showing (or keeping) anyone's plan."""

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, axe_violations


def test_installable_and_offline_page_without_personal_data(playwright, live_server, tmp_path):
    # A persistent profile: Chromium reports a temporary one as "in incognito".
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=LAUNCH_ARGS,
        viewport={"width": 360, "height": 740},
        locale="sv-SE",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.goto("/")
    page.evaluate("() => navigator.serviceWorker.ready")
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest.get("errors") == [], manifest.get("errors")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    page.reload()  # now the service worker controls the page
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    context.set_offline(True)
    page.goto("/sign-in")
    assert page.get_by_role("heading", level=1).inner_text() == "Ingen anslutning"
    assert axe_violations(page) == []
    context.set_offline(False)
    context.close()

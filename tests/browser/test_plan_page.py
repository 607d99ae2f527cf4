"""The family's plan on a phone, through real Chromium: Swedish and Arabic."""

from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey

SCREENS = ["", "/next", "/people", "/meetings"]


def switch_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator(".language-form button").click()
    # The language form answers with a redirect: wait for the new page itself.
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.mark.parametrize(("lang", "expected_dir"), [("sv", "ltr"), ("ar", "rtl")])
def test_guardian_sees_late_action_and_next_meeting_and_gets_the_ics(
    phone, live_server, lang, expected_dir
):
    page = phone()
    register_passkey(page, live_server.invite("sara"))
    assert "/plans/" in page.url
    plan_path = page.url.split(live_server.url, 1)[1]
    if lang != "sv":
        switch_language(page, lang)
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == expected_dir
    assert "Alva Lindqvist" in page.get_by_role("heading", level=1).inner_text()
    late = page.locator(".alert--late")
    assert late.is_visible() and "Uppföljning av sömnen" in late.inner_text()
    assert page.locator("#next-steps .timeline__item--meeting").first.is_visible()

    for screen in SCREENS:
        page.goto(plan_path + screen)
        assert no_horizontal_scroll(page), screen
        assert axe_violations(page) == [], screen

    page.goto(plan_path + "/meetings")
    page.locator(".meeting-card a").first.click()  # htmx swaps the details in place
    page.locator(".meeting-details").first.wait_for()
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        page.locator("a[download]").first.click()
    ics = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    (event,) = ics.walk("VEVENT")
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Stockholm"


def test_child_sees_their_own_plan_at_320_px(browser, live_server):
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, base_url=live_server.url, locale="sv-SE"
    )
    page = context.new_page()
    register_passkey(page, live_server.invite("alva"))
    assert page.get_by_role("heading", level=1).inner_text() == "Min plan"
    assert page.get_by_role("link", name="Lämna sidan snabbt").is_visible()
    assert "Du träffar Maja på BUP" in page.locator("main").inner_text()  # BUP is a link
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.goto("/glossary")
    assert no_horizontal_scroll(page) and axe_violations(page) == []
    context.close()


def test_plan_works_without_javascript(browser, live_server):
    """Plain pages first: a phone with JavaScript off still sees the plan."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        base_url=live_server.url,
        java_script_enabled=False,
        locale="sv-SE",
    )
    page = context.new_page()
    page.goto(live_server.invite("johan"))
    page.get_by_role("button", name="Logga in (utvecklingsläge)").click()
    page.wait_for_url("**/plans/**")
    page.get_by_role("link", name="Nästa steg").click()
    assert page.locator(".timeline__item").count() > 0
    page.get_by_role("link", name="Möten").click()
    page.get_by_role("link", name="Visa allt om mötet").first.click()
    assert page.locator(".meeting-details").is_visible()
    context.close()


def test_a_guardian_leaves_quickly_with_esc_twice_and_the_session_ends(phone, live_server):
    """Quick exit is on every family page, not only the child's; it stays in reach
    when the page scrolls; Esc twice leaves, and the session on this phone ends."""
    page = phone()
    register_passkey(page, live_server.invite("johan"))
    assert "/plans/" in page.url
    plan_path = page.url.split(live_server.url, 1)[1]
    exit_link = page.locator("[data-quick-exit]")
    expect(exit_link).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = exit_link.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    # The exit page is outside (the test browser resolves no outside names): the
    # request for it, and the sign-out on the way, are what is seen.
    with (
        page.expect_request("**/quick-exit") as sign_out,
        page.expect_request(lambda request: request.url.startswith("https://www.google.com")),
    ):
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    assert sign_out.value.method == "POST"
    # The sign-out travels as a beacon: give it a moment, then the plan is closed.
    again = page.context.new_page()
    for _attempt in range(20):
        again.goto(plan_path)
        if "/sign-in" in again.url:
            break
        again.wait_for_timeout(250)
    assert "/sign-in" in again.url

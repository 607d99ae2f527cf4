"""Offline, by choice (issue 14): a guardian keeps the plan on their phone, reads it
without a connection with a "saved" note, and signing out leaves nothing behind."""

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, register_passkey

KEPT = """async () => {
  const names = (await caches.keys()).filter((key) => key.startsWith("min-sip-kept-"));
  let urls = [];
  for (const name of names) {
    const requests = await (await caches.open(name)).keys();
    urls = urls.concat(requests.map((r) => new URL(r.url).pathname));
  }
  return {names, urls};
}"""

FULL = "Skolan går bra. Jag har en ny kompis. Vi spelar fotboll."
DRAFTS = "() => Object.keys(localStorage).filter((key) => key.startsWith('draft:'))"
DATABASES = "async () => (await indexedDB.databases()).map((d) => d.name)"


def wait_kept(page, path: str) -> None:
    page.wait_for_function(
        """async (path) => {
          for (const name of await caches.keys()) {
            if (name.startsWith("min-sip-kept-") && await (await caches.open(name)).match(path)) {
              return true;
            }
          }
          return false;
        }""",
        arg=path,
    )


def sara_keeps_the_plan(page, live_server) -> str:
    """Sara signs in on this phone, turns "keep" on and opens her plan, which is then
    kept; returns the plan's path."""
    register_passkey(page, live_server.invite("sara"))
    plan_path = page.url.split(live_server.url, 1)[1]
    page.evaluate("() => navigator.serviceWorker.ready")
    page.goto("/account/devices")
    page.locator("[data-keep-button]").click()
    expect(page.locator("[data-keep-button]")).to_have_attribute("aria-pressed", "true")
    page.goto(plan_path)
    wait_kept(page, plan_path)
    return plan_path


def test_guardian_keeps_the_plan_offline_and_sign_out_wipes_it(phone, live_server):
    page = phone()
    register_passkey(page, live_server.invite("sara"))
    plan_path = page.url.split(live_server.url, 1)[1]
    page.evaluate("() => navigator.serviceWorker.ready")

    # Off by default: nothing is kept, and the page says so.
    page.goto("/account/devices")
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    page.goto(plan_path)
    assert page.evaluate(KEPT) == {"names": [], "urls": []}

    page.goto("/account/devices")
    button = page.locator("[data-keep-button]")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-keep-status]")).to_contain_text("Avstängt")
    choice = page.locator("[data-keep-choice]").inner_text()
    assert "inte så på en telefon som någon annan" in choice
    assert axe_violations(page) == []
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-keep-status]")).to_contain_text("Påslaget")
    assert axe_violations(page) == []

    page.goto(plan_path + "/meetings")
    meeting_path = page.locator(".meeting-card a").first.get_attribute("href")
    kept = [plan_path, plan_path + "/next", plan_path + "/meetings", meeting_path, "/glossary"]
    for path in kept:
        page.goto(path)
        wait_kept(page, path)
    page.goto(meeting_path)
    facts = page.locator(".meeting-details .facts").inner_text()
    assert "När" in facts and "Var" in facts  # time and place
    # The devices page is not one of them.
    assert "/account/devices" not in page.evaluate(KEPT)["urls"]

    page.context.set_offline(True)
    page.goto(plan_path)
    note = page.locator(".kept-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Sparad")
    assert "Alva" in page.get_by_role("heading", level=1).inner_text()
    page.goto(meeting_path)
    expect(page.locator(".kept-note")).to_be_visible()
    assert page.locator(".meeting-details .facts").inner_text() == facts
    assert axe_violations(page) == []
    page.goto("/glossary")
    expect(page.locator(".kept-note")).to_be_visible()
    page.goto("/account/devices")  # never kept: offline it is the "no connection" page
    assert page.get_by_role("heading", level=1).inner_text() == "Ingen anslutning"

    # Sign out (online): the kept copy and the database are gone before leaving.
    page.context.set_offline(False)
    page.goto(plan_path)
    expect(page.locator(".kept-note")).to_be_hidden()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/sign-in")
    assert page.evaluate(KEPT) == {"names": [], "urls": []}
    assert "min-sip" not in page.evaluate(DATABASES)
    # The sign-in page wipes again as it loads: let it settle before going offline.
    page.wait_for_load_state("networkidle")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.context.set_offline(True)
    try:
        page.goto(plan_path)
    except PlaywrightError:  # under load Chromium may abort the first offline navigation
        page.wait_for_timeout(500)
        page.goto(plan_path)
    assert page.get_by_role("heading", level=1).inner_text() == "Ingen anslutning"
    page.context.set_offline(False)


def test_quick_exit_wipes_the_kept_copy_before_leaving(phone, live_server):
    page = phone()
    sara_keeps_the_plan(page, live_server)
    # The exit goes to another site; keep the test on ours by answering it here.
    page.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: route.fulfill(body="<title>ute</title>", content_type="text/html"),
    )
    page.locator("[data-quick-exit]").click()
    page.wait_for_url(lambda url: not url.startswith(live_server.url))
    page.goto("/offline")
    assert page.evaluate(KEPT) == {"names": [], "urls": []}


def test_child_text_written_offline_survives_closing_the_tab_and_is_sent(phone, live_server):
    child = phone()
    register_passkey(child, live_server.invite("alva"))
    meeting_link = child.locator(".timeline__item--meeting a").first.get_attribute("href")
    meeting_id = re.search(r"/meetings/(\d+)", meeting_link).group(1)
    step = f"/meetings/{meeting_id}/my-views/going_well"
    child.goto(step)
    area = child.locator("#answer-text")
    area.fill("Skolan går bra.")
    child.locator("#save-status .save-status--ok").wait_for()

    # Offline: the autosave cannot reach the server, the page says the text is kept.
    child.context.set_offline(True)
    area.press_sequentially(" Jag har en ny kompis.")
    expect(child.locator("#save-status")).to_contain_text("Ingen anslutning")
    # The connection returns: the text goes by itself.
    child.context.set_offline(False)
    child.locator("#save-status .save-status--ok").wait_for()
    child.reload()
    expect(area).to_have_value("Skolan går bra. Jag har en ny kompis.")

    # Offline again, more words, and the tab is closed before the connection returns.
    child.context.set_offline(True)
    area.press("Control+End")  # after the reload the caret is at the start
    area.press_sequentially(" Vi spelar fotboll.")
    expect(child.locator("#save-status")).to_contain_text("Ingen anslutning")
    context = child.context
    child.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(step)
    expect(again.locator("#answer-text")).to_have_value(FULL)
    again.locator("#save-status .save-status--ok").wait_for()  # sent on this visit
    assert again.evaluate(DRAFTS) == []
    again.reload()
    expect(again.locator("#answer-text")).to_have_value(FULL)  # from the server now

    # Signing out leaves no draft behind either.
    again.locator("#answer-text").press("Control+End")
    again.locator("#answer-text").press_sequentially(" Slut.")
    again.evaluate("() => localStorage.setItem('draft:probe', 'x')")
    again.get_by_role("button", name="Logga ut").click()
    again.wait_for_url("**/sign-in**")
    assert again.evaluate(DRAFTS) == []


def test_a_session_that_ended_wipes_the_kept_copy(phone, live_server):
    page = phone()
    plan_path = sara_keeps_the_plan(page, live_server)
    page.context.clear_cookies()  # the session is over, as after a timeout
    page.goto(plan_path)
    page.wait_for_url("**/sign-in**")
    assert page.evaluate(KEPT) == {"names": [], "urls": []}


def test_another_person_signing_in_on_the_same_phone_finds_no_kept_copy(phone, live_server):
    """Sara kept the plan and never signed out; her session ran out, and Johan opens
    his own invitation on her phone: that page wipes her copy before he signs in,
    so offline he is never shown her kept pages. (While Sara is still signed in, an
    invitation for someone else is refused: tests/functional/test_passkeys.py.)"""
    page = phone()
    plan_path = sara_keeps_the_plan(page, live_server)
    assert page.evaluate(KEPT)["urls"] == [plan_path]  # the check can fail

    page.context.clear_cookies()  # Sara's session ran out
    # The phone's one authenticator now holds Johan's passkey too.
    page.goto(live_server.invite("johan"))
    page.locator("#device-name").fill("Saras telefon")
    page.locator("[data-passkey-register] button[type=submit]").click()
    page.wait_for_url(lambda url: "/i/" not in url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(KEPT) == {"names": [], "urls": []}
    assert "min-sip" not in page.evaluate(DATABASES)
    page.evaluate("() => navigator.serviceWorker.ready")
    page.context.set_offline(True)
    try:
        page.goto(plan_path)
    except PlaywrightError:  # under load Chromium may abort the first offline navigation
        page.wait_for_timeout(500)
        page.goto(plan_path)
    expect(page.locator(".kept-note")).to_be_hidden()
    assert "Alva" not in page.get_by_role("heading", level=1).inner_text()
    page.context.set_offline(False)

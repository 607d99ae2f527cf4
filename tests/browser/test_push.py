"""Web Push in real Chromium: the settings page offers notices on this phone, and
the service worker shows a pushed notice with the page it opens.

The push itself is handed to the service worker through the DevTools protocol
(``ServiceWorker.deliverPushMessage``), the way Chromium's own tests do: a real
``pushManager.subscribe`` needs Google's push service (FCM), which this machine
cannot reach. The subscribe route and the encrypted, signed request a push
service receives are tested end to end in tests/functional/test_push.py.
"""

import json
import time

from family_app.notifications import EMAIL_TOPICS
from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey

SETTINGS = "/account/notifications/settings"


def _registration_id(cdp, origin: str) -> str:
    found: dict[str, str] = {}

    def seen(event) -> None:
        for registration in event["registrations"]:
            if registration["scopeURL"].startswith(origin) and not registration["isDeleted"]:
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while "id" not in found and time.monotonic() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets events arrive
    assert "id" in found, "no service worker registration"
    return found["id"]


def _notifications(page, count: int) -> list[dict]:
    """The notices the service worker shows, once there are ``count`` of them."""
    deadline = time.monotonic() + 10
    while True:
        shown = page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                .map((n) => ({title: n.title, body: n.body, tag: n.tag, lang: n.lang,
                              url: n.data && n.data.url}))"""
        )
        if len(shown) >= count or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)


def test_the_service_worker_shows_a_pushed_notice_that_opens_its_page(phone, live_server):
    page = phone()
    register_passkey(page, live_server.invite("sara"))
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto(SETTINGS)
    page.evaluate("() => navigator.serviceWorker.ready")
    button = page.locator("[data-push-toggle]")
    # The words come from the page, in Sara's language (an earlier test may have
    # changed it), never from the script.
    label = page.locator("[data-push]").get_attribute("data-label-on")
    assert label and "⟦" not in label
    assert button.is_visible() and button.inner_text() == label
    assert page.locator("[data-push-unsupported]").is_hidden()

    cdp = page.context.new_cdp_session(page)
    registration = _registration_id(cdp, live_server.url)
    notice = {
        "title": "Min SIP",
        "body": "Ett samtycke i planen har ändrats.",
        "url": "/plans/1/consent",
        "tag": "min-sip-41",
        "lang": "sv",
        "dir": "ltr",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration, "data": json.dumps(notice)},
    )
    (shown,) = _notifications(page, 1)
    assert shown == {
        "title": "Min SIP",
        "body": "Ett samtycke i planen har ändrats.",
        "tag": "min-sip-41",
        "lang": "sv",
        "url": "/plans/1/consent",
    }

    # A payload it cannot read, or one pointing off our origin: general words,
    # and only our own notices page is opened.
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration, "data": "{not json"},
    )
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration,
            "data": json.dumps({**notice, "url": "https://evil.example/x", "tag": "min-sip-42"}),
        },
    )
    shown = {n["tag"]: n for n in _notifications(page, 3)}
    # General words in the language the worker was fetched in (the browser's,
    # for a worker registered before sign-in): "Det finns nytt i Min SIP."
    assert "Min SIP" in shown["min-sip"]["body"] and "{" not in shown["min-sip"]["body"]
    assert shown["min-sip"]["url"] == "/account/notifications"
    assert shown["min-sip-42"]["url"] == "/account/notifications"


def test_turning_notices_on_asks_only_on_the_click_and_says_what_happened(phone, live_server):
    """Permission is asked only when the button is pressed. Chromium then asks
    its push service; with no network here that fails, and the page says so in
    its live region and lets the person try again (no fake subscription)."""
    page = phone()
    register_passkey(page, live_server.invite("johan"))
    page.goto(SETTINGS)
    page.evaluate("() => navigator.serviceWorker.ready")
    assert page.evaluate("() => Notification.permission") == "default"
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    button = page.locator("[data-push-toggle]")
    button.click()
    status = page.locator("#push-status")
    status.wait_for(state="attached")
    page.wait_for_function("() => document.getElementById('push-status').textContent.trim()")
    said = status.inner_text()
    subscribed = page.evaluate(
        "async () => !!(await (await navigator.serviceWorker.ready).pushManager.getSubscription())"
    )
    if subscribed:  # a machine that reaches the push service
        assert said == "Klart. Den här telefonen får notiser."
        assert button.inner_text() == "Stäng av notiser på den här telefonen"
    else:
        assert said == "Det gick inte just nu. Försök igen om en stund."
        assert button.is_enabled()


def test_the_settings_page_is_accessible_at_320_px(phone, live_server):
    page = phone()
    register_passkey(page, live_server.invite("leila"))
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(SETTINGS)
    page.evaluate("() => navigator.serviceWorker.ready")
    button = page.locator("[data-push-toggle]")
    button.wait_for(state="visible")
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert page.locator("input[name=push]").count() == len(EMAIL_TOPICS)

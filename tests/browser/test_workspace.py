"""A coordinator writes and publishes a plan in real Chromium at phone width,
without relying on JavaScript for any step; every page is axe-clean and fits."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey


def _check(page, failures: dict) -> None:
    problems = axe_violations(page)
    if problems or not no_horizontal_scroll(page):
        failures[page.url] = problems or "horizontal scroll"


def test_coordinator_creates_writes_and_publishes_a_plan(phone, live_server):
    page = phone()
    register_passkey(page, live_server.invite("leila"))
    # Leila's language is hers, kept between sessions: another test may have left Arabic.
    if page.locator("html").get_attribute("lang") != "sv":
        page.locator("#language-select").select_option("sv")
        page.locator(".language-form button").click()
        expect(page.locator("html")).to_have_attribute("lang", "sv")
    failures: dict = {}
    page.goto("/workspace/")
    _check(page, failures)
    page.locator("a[href$='/workspace/plans/new']").click()
    page.fill("#child_name", "Östen Provbarn")
    page.fill("#child_birth_date", date(date.today().year - 10, 3, 1).isoformat())
    page.fill("#guardian_1_name", "Pia Provbarn")
    page.select_option("#responsible_agency_id", index=1)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/plans/*")
    plan_url = page.url
    assert "Utkast" in page.locator("main").inner_text()
    _check(page, failures)

    page.locator("a[href$='/goals/new']").click()
    page.fill("#text", "Jag vill kunna gå till skolan varje dag.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(plan_url)

    page.locator("a[href$='/actions/new']").click()
    page.fill("#title", "Samtal om skolan")
    page.fill("#child_description", "Du pratar med Leila om skolan varje vecka.")
    page.fill("#planned_start", date.today().isoformat())
    page.fill("#planned_end", (date.today() - timedelta(days=1)).isoformat())
    page.select_option("#responsible_agency_id", index=1)
    page.locator("main form button[type=submit]").first.click()
    # The end before the start: the form comes back with the text kept.
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#child_description") == "Du pratar med Leila om skolan varje vecka."
    _check(page, failures)
    page.fill("#planned_end", (date.today() + timedelta(days=60)).isoformat())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(plan_url)

    page.goto(plan_url + "/publish")
    assert page.locator(".error-summary a[href$='#follow_up_date']").count() == 1
    _check(page, failures)
    page.locator(".error-summary a[href$='#follow_up_date']").click()
    page.fill("#follow_up_date", (date.today() + timedelta(days=90)).isoformat())
    page.locator("main form button[type=submit]").click()
    # A redirect keeps the fragment the error summary's link added.
    page.wait_for_url(lambda url: url.split("#")[0] == plan_url)

    page.goto(plan_url + "/publish")
    assert page.locator(".error-summary").count() == 0
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/")
    assert page.locator(".notice--success").count() == 1
    assert failures == {}

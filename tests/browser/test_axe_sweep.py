"""Every page a guardian or a coordinator can reach: zero axe violations and no
sideways scrolling at phone width, in Swedish and in Arabic."""

import re

import pytest

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey

GUARDIAN_PAGES = [
    "/",
    "/plans/{plan}",
    "/plans/{plan}/next",
    "/plans/{plan}/people",
    "/plans/{plan}/meetings",
    "/meetings/{meeting}",
    "/plans/{plan}/consent",
    "/plans/{plan}/who-can-see",
    "/meetings/{meeting}/my-views",
    "/meetings/{meeting}/my-views/take_part",
    "/meetings/{meeting}/wishes",
    "/account/devices",
    "/account/notifications",
    "/account/calendar",
    "/glossary",
    "/plans/999999",
    "/offline",
]
COORDINATOR_PAGES = [
    "/",
    "/workspace/plans/{plan}/people",
    "/meetings/{meeting}/prepare",
    "/plans/{plan}/consent",
    "/plans/{plan}/who-can-see",
]


def _ids(page):
    page.goto("/")
    if "/plans/" not in page.url:
        page.locator("a[href*='/plans/']").first.click()
    plan = re.search(r"/plans/(\d+)", page.url).group(1)
    href = page.locator(".timeline__item--meeting a").first.get_attribute("href")
    return plan, re.search(r"/meetings/(\d+)", href).group(1)


@pytest.mark.parametrize("lang", ["sv", "ar"])
@pytest.mark.parametrize(
    ("who", "pages"), [("hodan", GUARDIAN_PAGES), ("sofia", COORDINATOR_PAGES)]
)
def test_pages_are_axe_clean_and_fit_a_phone(phone, live_server, lang, who, pages):
    page = phone(locale="ar" if lang == "ar" else "sv-SE")
    register_passkey(page, live_server.invite(who))
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("#language-select").select_option(lang)
        page.locator(".language-form button").click()
        page.wait_for_load_state()
    plan, meeting = _ids(page)
    failures = {}
    for template in pages:
        path = template.format(plan=plan, meeting=meeting)
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == lang, path
        problems = axe_violations(page)
        if problems or not no_horizontal_scroll(page):
            failures[path] = problems or "horizontal scroll"
    assert failures == {}

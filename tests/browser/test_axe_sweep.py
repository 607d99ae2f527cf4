"""Every page a guardian or a coordinator can reach: zero axe violations and no
sideways scrolling at phone width, in Swedish and in Arabic."""

import re

import pytest
from playwright.sync_api import expect

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
    "/account/notifications/settings",
    "/account/calendar",
    "/account/my-data",
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
    # the workspace (issue 11)
    "/workspace/",
    "/workspace/plans/new",
    "/workspace/plans/{plan}",
    "/workspace/plans/{plan}/details",
    "/workspace/plans/{plan}/members/new",
    "/workspace/plans/{plan}/goals/new",
    "/workspace/plans/{plan}/actions/new",
    "/workspace/plans/{plan}/publish",
    "/workspace/plans/{plan}/consent/new",
    "/workspace/plans/{plan}/consent/exception",
    "/workspace/plans/{plan}/consent/child",
    "/workspace/plans/{plan}/consent/fb-6-13a",
    "/workspace/plans/{plan}/consent/maturity",
    "/workspace/plans/{plan}/meetings/new",
    "/workspace/plans/{plan}/meetings/{meeting}",
    "/workspace/plans/{plan}/meetings/{meeting}/cancel",
    "/workspace/plans/{plan}/members/{member}",
    "/workspace/plans/{plan}/translations/ar",
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
        # The language form answers with a redirect: wait for the new page itself.
        expect(page.locator("html")).to_have_attribute("lang", lang)
    plan, meeting = _ids(page)
    member = None
    if any("{member}" in template for template in pages):
        page.goto(f"/workspace/plans/{plan}")
        href = page.locator("a[href*='/members/']:not([href$='/new'])").first.get_attribute("href")
        member = re.search(r"/members/(\d+)", href).group(1)
    failures = {}
    for template in pages:
        path = template.format(plan=plan, meeting=meeting, member=member)
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == lang, path
        problems = axe_violations(page)
        if problems or not no_horizontal_scroll(page):
            failures[path] = problems or "horizontal scroll"
    assert failures == {}


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_a_workspace_form_with_errors_is_axe_clean_and_fits_a_phone(phone, live_server, lang):
    """The error summary and the fields in error, as a coordinator meets them."""
    page = phone(locale="ar" if lang == "ar" else "sv-SE")
    register_passkey(page, live_server.invite("sofia"))
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("#language-select").select_option(lang)
        page.locator(".language-form button").click()
        # The language form answers with a redirect: wait for the new page itself.
        expect(page.locator("html")).to_have_attribute("lang", lang)
    page.goto("/workspace/plans/new")
    page.fill("#child_birth_date", "2099-01-01")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#child_birth_date").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_after_the_meeting_pages_are_axe_clean_and_fit_a_phone(phone, live_server, lang):
    """The coordinator's pages after a held meeting: what came of it, the outcome
    form (also with its errors), a new decision, changing and removing one."""
    page = phone(locale="ar" if lang == "ar" else "sv-SE")
    register_passkey(page, live_server.invite("leila"))
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("#language-select").select_option(lang)
        page.locator(".language-form button").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
    plan, _meeting = _ids(page)
    page.goto(f"/workspace/plans/{plan}")
    after = page.locator("a[href$='/after']").first.get_attribute("href")
    page.goto(after)
    edit = page.locator("a[href*='/decisions/']:not([href$='/new'])").first.get_attribute("href")
    paths = [
        after,
        after.replace("/after", "/outcome"),
        after.replace("/after", "/decisions/new"),
        edit,
        f"{edit}/remove",
    ]
    failures = {}
    for path in paths:
        page.goto(path)
        problems = axe_violations(page)
        if problems or not no_horizontal_scroll(page):
            failures[path] = problems or "horizontal scroll"
    assert failures == {}
    page.goto(after.replace("/after", "/outcome"))
    page.fill("#summary", "")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#summary").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)


def _agency_admin(live_server) -> str:
    """An admin of Sofia's agency (the demo has none yet): made once, by key."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from family_app.config import normalise_database_url
    from family_app.models import Person

    engine = create_engine(normalise_database_url(live_server.database_url))
    with Session(engine) as session:
        if session.scalar(select(Person.id).where(Person.external_key == "demo:axe-admin")) is None:
            sofia = session.scalar(select(Person).where(Person.external_key == "demo:sofia"))
            session.add(
                Person(
                    display_name="Agnes Admin",
                    agency_id=sofia.agency_id,
                    is_admin=True,
                    external_key="demo:axe-admin",
                )
            )
            session.commit()
    engine.dispose()
    return live_server.invite("axe-admin")


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_agency_admins_pages_are_axe_clean_and_fit_a_phone(phone, live_server, lang):
    page = phone(locale="ar" if lang == "ar" else "sv-SE")
    register_passkey(page, _agency_admin(live_server))
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("#language-select").select_option(lang)
        page.locator(".language-form button").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
    failures = {}
    for path in ("/admin/", "/admin/people/new", "/admin/api-tokens/new"):
        page.goto(path)
        problems = axe_violations(page)
        if problems or not no_horizontal_scroll(page):
            failures[path] = problems or "horizontal scroll"
    # The form with errors, and an invitation shown once.
    page.goto("/admin/people/new")
    page.fill("#phone", "abc")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    if axe_violations(page):
        failures["new staff with errors"] = axe_violations(page)
    page.goto("/admin/")
    first = page.locator("main form[action$='/invitation']").first
    if first.locator("textarea").count():
        first.locator("textarea").fill("Ny telefon")  # has a passkey: a reason is asked
    first.locator("button").click()
    expect(page.locator(".invite-card__code")).to_be_visible()
    problems = axe_violations(page)
    if problems or not no_horizontal_scroll(page):
        failures["invitation"] = problems or "horizontal scroll"
    # Issue 15: an API token for the agency's system, shown once; then listed.
    page.goto("/admin/api-tokens/new")
    page.fill("#name", "Journalsystemet")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main code").first).to_be_visible()
    problems = axe_violations(page)
    if problems or not no_horizontal_scroll(page):
        failures["api token"] = problems or "horizontal scroll"
    page.goto("/admin/")
    problems = axe_violations(page)
    if problems or not no_horizontal_scroll(page):
        failures["admin with a token"] = problems or "horizontal scroll"
    assert failures == {}

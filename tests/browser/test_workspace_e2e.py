"""Issue 11's whole story in real Chromium, from a database that holds nothing
but one agency and its admin (what `family-app agency` makes on day one).

The admin invites a coordinator and a professional; the coordinator writes a plan
for a child with two guardians, records both guardians' consent, publishes and
schedules a meeting; a guardian and the child sign in with their invitations and
see exactly that plan; the child writes a wish; after the meeting the coordinator
records the decisions and answers the wish; the child sees both. Every workspace
page is axe-clean and fits: the admin and the coordinator once at a desk and once on
a phone, the family always on a phone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from family_app.config import normalise_database_url
from tests.browser.conftest import (
    PHONE,
    axe_violations,
    no_horizontal_scroll,
    register_passkey,
)

DESK = {"width": 1280, "height": 900}
CHILD = "Nova Provsson"
GUARDIANS = ("Pia Provsson", "Per Provsson")
GOAL = "Jag vill orka gå till skolan varje dag."
ACTION_TITLE = "Samtalsstöd om skolfrånvaro"
ACTION_CHILD = "Du träffar Maja en gång i veckan och pratar om skolan."
WISH = "Jag vill ha kortare skoldagar en tid."
DECISION = "Elevhälsan ordnar anpassad studiegång från januari."
DECISION_CHILD = "Du får kortare skoldagar från januari. Maja ordnar det."
ANSWER = "Vi har bestämt kortare dagar, som du ville."
AGENDA = "Hur skoldagen kan bli kortare"
VIEWS_USED_CHILD = "Vi lyssnade på dig: du får kortare dagar."
GOAL_AR = "أريد أن أستطيع الذهاب إلى المدرسة كل يوم."


def _context(browser, server, viewport: dict, contexts: list):
    context = browser.new_context(
        viewport=viewport, base_url=server.url, locale="sv-SE", has_touch=viewport is PHONE
    )
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _path(link: str, server) -> str:
    return link.strip().split(server.url, 1)[1]


class Checked:
    """Every page visited is checked once: axe-clean and no sideways scroll."""

    def __init__(self) -> None:
        self.failures: dict[str, object] = {}

    def __call__(self, page) -> None:
        problems = axe_violations(page)
        if problems or not no_horizontal_scroll(page):
            self.failures[f"{page.viewport_size['width']}px {page.url}"] = (
                problems or "horizontal scroll"
            )


def _time_passes(server, meeting_id: int) -> None:
    """The meeting was held: it started an hour ago (the clock, not the app, moves)."""
    engine = create_engine(normalise_database_url(server.database_url))
    started = datetime.utcnow().replace(microsecond=0) - timedelta(hours=1)  # noqa: DTZ003
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE meetings SET starts_at = :s, ends_at = :e WHERE id = :id"),
            {"s": started, "e": started + timedelta(minutes=50), "id": meeting_id},
        )
    engine.dispose()


@pytest.mark.parametrize("staff_screen", [DESK, PHONE], ids=["desk", "phone"])
def test_from_an_empty_database_to_a_child_who_sees_what_was_decided(
    browser, empty_server, staff_screen
):
    server = empty_server
    check = Checked()
    contexts: list = []
    try:
        _story(browser, server, check, contexts, staff_screen)
    finally:
        for context in contexts:
            context.close()
    assert check.failures == {}


def _story(browser, server, check: Checked, contexts: list, screen: dict) -> None:  # noqa: PLR0915 - one story
    agency = server.cli("agency", "add", "BUP Provstad", "--kind", "bup", "--principal", "region")
    agency_id = re.search(r"Agency (\d+)", agency).group(1)
    made = server.cli("agency", "admin", agency_id, "Alma Admin", "--title", "Enhetschef")
    admin_link = re.search(r"^Link: (.+)$", made, re.M).group(1)

    # --- the admin adds and invites a coordinator and a professional -----------------------
    admin = _context(browser, server, screen, contexts)
    register_passkey(admin, _path(admin_link, server), device="Datorn")
    invitations = {}
    for name, title in (("Leo Samordnare", "Kurator"), ("Maja Stödsson", "Psykolog")):
        admin.goto("/admin/")
        check(admin)
        admin.locator("a[href$='/admin/people/new']").click()
        admin.fill("#display_name", name)
        admin.fill("#title", title)
        check(admin)
        admin.locator("main form button[type=submit]").click()
        admin.wait_for_url("**/admin/")
        card = admin.locator(".card", has_text=name)
        card.locator("form[action$='/invitation'] button[type=submit]").click()
        admin.locator(".invite-card__link").wait_for()
        check(admin)
        invitations[name] = _path(admin.locator(".invite-card__link").inner_text(), server)

    # --- the coordinator writes the plan -----------------------------------------------------
    coordinator = _context(browser, server, screen, contexts)
    register_passkey(coordinator, invitations["Leo Samordnare"], device="Datorn")
    coordinator.goto("/workspace/")
    check(coordinator)
    coordinator.locator("a[href$='/workspace/plans/new']").click()
    coordinator.fill("#child_name", CHILD)
    coordinator.fill("#child_birth_date", date(date.today().year - 11, 2, 3).isoformat())
    coordinator.fill("#guardian_1_name", GUARDIANS[0])
    coordinator.fill("#guardian_2_name", GUARDIANS[1])
    coordinator.select_option("#responsible_agency_id", index=1)
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url(re.compile(r".*/workspace/plans/\d+$"))
    plan_url = coordinator.url
    plan_id = int(plan_url.rsplit("/", 1)[1])
    check(coordinator)

    coordinator.goto(f"/workspace/plans/{plan_id}/members/new")
    coordinator.locator("input[name=kind][value=professional]").check()
    maja = coordinator.locator("#professional_id option", has_text="Maja Stödsson")
    coordinator.select_option("#professional_id", maja.get_attribute("value"))
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url(plan_url)

    coordinator.goto(f"/workspace/plans/{plan_id}/details")
    coordinator.fill("#background", "Nova har varit borta mycket från skolan i höst.")
    coordinator.fill("#follow_up_date", (date.today() + timedelta(days=90)).isoformat())
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url(plan_url)

    coordinator.goto(f"/workspace/plans/{plan_id}/goals/new")
    coordinator.fill("#text", GOAL)
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url(plan_url)

    coordinator.goto(f"/workspace/plans/{plan_id}/actions/new")
    coordinator.fill("#title", ACTION_TITLE)
    coordinator.fill("#child_description", ACTION_CHILD)
    coordinator.fill("#planned_start", date.today().isoformat())
    coordinator.fill("#planned_end", (date.today() + timedelta(days=120)).isoformat())
    coordinator.select_option("#responsible_agency_id", index=1)
    check(coordinator)
    coordinator.locator("main form button[type=submit]").first.click()
    coordinator.wait_for_url(plan_url)

    # Both guardians signed the consent form at the first meeting.
    for guardian in GUARDIANS:
        coordinator.goto(f"/workspace/plans/{plan_id}/consent/new")
        coordinator.select_option("#agency_id", index=1)
        coordinator.select_option("#person_id", label=guardian)
        coordinator.locator("input[name=method][value=written]").check()
        coordinator.fill("#given_on", date.today().isoformat())
        coordinator.fill("#valid_to", (date.today() + timedelta(days=365)).isoformat())
        check(coordinator)
        coordinator.locator("main form button[type=submit]").click()
        coordinator.wait_for_url(plan_url)

    coordinator.goto(f"/workspace/plans/{plan_id}/publish")
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url("**/workspace/")
    check(coordinator)

    coordinator.goto(f"/workspace/plans/{plan_id}/meetings/new")
    starts = (datetime.now() + timedelta(days=7)).replace(hour=14, minute=0)  # noqa: DTZ005
    coordinator.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    coordinator.fill("#place", "BUP Provstad, rum 3")
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url(plan_url)
    setup = coordinator.locator("a[href$='/setup']").first
    meeting_id = int(re.search(r"/meetings/(\d+)", setup.get_attribute("href")).group(1))

    # Who comes and who can decide, and a point of the team's own on the agenda.
    setup.click()
    check(coordinator)
    maja = coordinator.locator("fieldset", has_text="Maja Stödsson")
    maja.locator("input[name^=attend_]").check()
    maja.locator("input[name^=decide_]").check()
    coordinator.select_option("#child_participation", "present")
    coordinator.locator("form[action$='/setup'] button[type=submit]").click()
    coordinator.wait_for_url("**/setup")
    coordinator.fill("#text", AGENDA)
    coordinator.locator("form[action$='/agenda'] button[type=submit]").click()
    coordinator.wait_for_url("**/setup")
    check(coordinator)

    # The goal in Arabic for a family that reads Arabic (written right to left).
    coordinator.goto(f"/workspace/plans/{plan_id}/translations")
    check(coordinator)
    coordinator.locator("a[href$='/translations/ar']").click()
    goal_box = coordinator.locator("textarea[name^=t_goal_]")
    assert goal_box.get_attribute("dir") == "rtl"
    goal_box.fill(GOAL_AR)
    check(coordinator)
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_url("**/translations")

    family_links = {}
    for name in (GUARDIANS[0], CHILD):
        coordinator.goto(f"/workspace/plans/{plan_id}/people")
        check(coordinator)
        card = coordinator.locator(".card", has_text=name)
        card.locator("form[action$='/invitation'] button[type=submit]").click()
        coordinator.locator(".invite-card__link").wait_for()
        check(coordinator)
        family_links[name] = _path(coordinator.locator(".invite-card__link").inner_text(), server)

    # --- the family signs in and sees exactly that plan ------------------------------------
    guardian = _context(browser, server, PHONE, contexts)
    register_passkey(guardian, family_links[GUARDIANS[0]])
    guardian.goto(f"/plans/{plan_id}")
    body = guardian.locator("main").inner_text()
    assert CHILD.split()[0] in body and GOAL in body and ACTION_TITLE in body
    check(guardian)
    guardian.goto(f"/meetings/{meeting_id}")
    body = guardian.locator("main").inner_text()
    assert "Maja Stödsson" in body and AGENDA in body
    check(guardian)
    # Two taps: the guardian needs an interpreter at the meeting (Tigrinya).
    guardian.locator(f"a[href$='/meetings/{meeting_id}/interpreter']").click()
    guardian.select_option("#language", "ti")
    check(guardian)
    guardian.locator("main form button[type=submit]").first.click()
    guardian.wait_for_url(f"**/meetings/{meeting_id}")
    assert guardian.locator(".notice--success").count() == 1
    # In Arabic the goal is the translation, and the page reads right to left.
    guardian.locator("#language-select").select_option("ar")
    guardian.locator(".language-form button").click()
    expect(guardian.locator("html")).to_have_attribute("dir", "rtl")
    guardian.goto(f"/plans/{plan_id}")
    assert GOAL_AR in guardian.locator("main").inner_text()
    check(guardian)

    child = _context(browser, server, PHONE, contexts)
    register_passkey(child, family_links[CHILD])
    child.goto(f"/plans/{plan_id}")
    body = child.locator("main").inner_text()
    assert GOAL in body and ACTION_CHILD in body
    check(child)

    # The child writes a wish before the meeting and sends it.
    child.goto(f"/meetings/{meeting_id}/my-views/want_help")
    child.locator("#answer-text").fill(WISH)
    child.locator(".step-buttons button[value=next]").click()
    child.wait_for_url("**/my-views/adults_know")
    child.goto(f"/meetings/{meeting_id}/my-views")
    child.locator("form[action$='/send'] button").click()
    child.wait_for_url("**/my-views")
    check(child)

    # --- after the meeting -------------------------------------------------------------------
    coordinator.goto(f"/workspace/plans/{plan_id}/meetings/{meeting_id}/setup")
    assert GUARDIANS[0] in coordinator.locator(".notice--info").first.inner_text()
    _time_passes(server, meeting_id)
    _record_outcome(coordinator, plan_id, meeting_id, check)

    coordinator.goto(f"/meetings/{meeting_id}/prepare")
    check(coordinator)
    wish = coordinator.locator(".answer", has_text=WISH)
    wish.locator("input[name=outcome][value=agreed]").check()
    wish.locator("textarea[name=reason]").fill(ANSWER)
    wish.locator(".wish-form button[type=submit]").click()
    coordinator.wait_for_load_state()
    coordinator.locator("input[name=participation][value=present]").check()
    coordinator.locator("form[action$='/feedback'] button[type=submit]").click()
    coordinator.wait_for_load_state()
    check(coordinator)

    # The child sees what was decided, in the child's words, and the answer to the wish.
    child.goto(f"/meetings/{meeting_id}")
    body = child.locator("main").inner_text()
    assert DECISION_CHILD in body and DECISION not in body and VIEWS_USED_CHILD in body
    check(child)
    child.goto(f"/meetings/{meeting_id}/wishes")
    expect(child.locator(".wish__answer").first).to_contain_text(ANSWER)
    check(child)


def _record_outcome(coordinator, plan_id: int, meeting_id: int, check: Checked) -> None:
    """Who took part, how the child's views were used, and what was decided, each
    decision with a text for the child."""
    coordinator.goto(f"/workspace/plans/{plan_id}")
    coordinator.locator(f"a[href$='/meetings/{meeting_id}/after']").click()
    check(coordinator)
    coordinator.locator("a[href$='/outcome']").click()
    for box in coordinator.locator("input[name=took_part]").all():
        box.check()
    coordinator.locator("input[name=child_participation][value=present]").check()
    coordinator.fill("#summary", "Vi pratade om skolan och om kortare dagar.")
    coordinator.fill("#child_views_used", "Novas önskan om kortare dagar blev ett beslut.")
    coordinator.fill("#child_views_used_child", VIEWS_USED_CHILD)
    check(coordinator)
    coordinator.locator("main form button[type=submit]").first.click()
    coordinator.wait_for_url("**/after")
    coordinator.locator("a[href$='/decisions/new']").click()
    coordinator.fill("#what", DECISION)
    coordinator.fill("#child_what", DECISION_CHILD)
    coordinator.select_option("#agency_id", index=1)
    coordinator.fill("#by_date", (date.today() + timedelta(days=40)).isoformat())
    check(coordinator)
    coordinator.locator("main form button[type=submit]").first.click()
    coordinator.wait_for_url("**/after")
    check(coordinator)

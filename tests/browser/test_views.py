"""The child's voice end to end in Chromium: write, choose who reads, send; the
coordinator reads it all and answers; the child sees the answers; a guardian never
sees what the child kept from the guardians. Swedish and Arabic."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey

HIDDEN = "Det här är bara för teamet, inte för mamma och pappa"
LONG = "Första raden\nAndra raden 😀 مرحبا\n\nTredje stycket"

CASES = [("alva", "leila", "sara", "sv"), ("yusuf", "mikael", "amal", "ar")]


def check(page) -> None:
    assert no_horizontal_scroll(page), page.url
    assert axe_violations(page) == [], page.url


@pytest.mark.parametrize(("child_key", "coordinator_key", "guardian_key", "lang"), CASES)
def test_child_writes_team_answers_child_reads_guardian_never_sees_hidden(
    phone, live_server, child_key, coordinator_key, guardian_key, lang
):
    locale = "ar" if lang == "ar" else "sv-SE"
    child = phone(locale=locale)
    register_passkey(child, live_server.invite(child_key))
    if lang == "ar":
        child.locator("#language-select").select_option("ar")
        child.locator(".language-form button").click()
        # The language form answers with a redirect: wait for the new page itself.
        expect(child.locator("html")).to_have_attribute("dir", "rtl")
    meeting_link = child.locator(".timeline__item--meeting a").first.get_attribute("href")
    meeting_id = re.search(r"/meetings/(\d+)", meeting_link).group(1)
    child.goto(f"/meetings/{meeting_id}")
    child.locator(".views-links a").first.click()  # "Mina tankar inför mötet"
    check(child)
    child.locator(".actions-row a.button").first.click()  # start
    child.wait_for_url("**/my-views/going_well")
    check(child)

    # Question 1: a mood picture and some words; autosave confirms while typing.
    child.locator("input[name=mood][value=happy]").check()
    child.locator("#answer-text").fill("Jag har fått en ny kompis.")
    child.locator("#save-status .save-status--ok").wait_for()
    child.locator(".step-buttons button[value=next]").click()
    child.wait_for_url("**/my-views/hard")

    # Question 2: something only for the team, not for the guardians.
    child.locator("#answer-text").fill(HIDDEN)
    child.locator("input[name=audience][value=not_guardians]").check()
    check(child)
    child.locator(".step-buttons button[value=next]").click()
    child.wait_for_url("**/my-views/want_help")

    # Question 3: a wish, long text with line breaks, emoji and Arabic.
    child.locator("#answer-text").fill(LONG)
    child.locator(".step-buttons button[value=next]").click()
    child.wait_for_url("**/my-views/adults_know")
    child.goto(f"/meetings/{meeting_id}/my-views")
    child.locator("form[action$='/send'] button").click()
    child.wait_for_url("**/my-views")
    assert child.locator(".notice--success").count() >= 1
    check(child)

    # The meeting begins; the coordinator reads everything in full and answers the
    # wish (answers are published only once the meeting has started).
    live_server.start_meeting(int(meeting_id))
    coordinator = phone()
    register_passkey(coordinator, live_server.invite(coordinator_key))
    coordinator.goto(f"/meetings/{meeting_id}/prepare")
    check(coordinator)
    texts = coordinator.locator(".full-text").all_inner_texts()
    assert HIDDEN in texts and LONG in texts
    wish = coordinator.locator(".answer", has_text="مرحبا")
    wish.locator("input[name=outcome][value=agreed]").check()
    wish.locator("textarea[name=reason]").fill("Vi ordnar det.")
    wish.locator(".wish-form button[type=submit]").click()
    coordinator.wait_for_load_state()
    coordinator.locator("input[name=participation][value=present]").check()
    coordinator.locator("form[action$='/feedback'] button[type=submit]").click()
    coordinator.wait_for_load_state()
    check(coordinator)

    # The child sees the answer to the wish.
    child.goto(f"/meetings/{meeting_id}/wishes")
    assert "Vi ordnar det." in child.locator(".wish__answer").first.inner_text()
    check(child)

    # A guardian sees what was for everyone, never what was kept from guardians.
    guardian = phone(locale=locale)
    register_passkey(guardian, live_server.invite(guardian_key))
    guardian.goto(f"/meetings/{meeting_id}")
    body = guardian.locator("main").inner_text()
    assert "Jag har fått en ny kompis." in body
    assert HIDDEN not in body
    check(guardian)
    guardian.goto(f"/meetings/{meeting_id}/prepare")
    assert HIDDEN not in guardian.content()

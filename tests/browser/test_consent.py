"""A guardian revokes consent for one agency on a phone; that agency's
professional, signed in with a passkey in another browser, is refused at once."""

import pytest

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey

CASES = [
    # (guardian, professional, agency, child, language the guardian reads)
    ("sara", "karin", "Vårdcentralen Kinna", "Alva Lindqvist", "sv"),
    ("amal", "maja", "BUP Mark", "Yusuf Ali", "ar"),
]


@pytest.mark.parametrize(("guardian", "professional", "agency", "child", "lang"), CASES)
def test_revoke_in_three_taps_locks_the_agency_out(
    phone, live_server, guardian, professional, agency, child, lang
):
    pro = phone()
    register_passkey(pro, live_server.invite(professional))
    pro.goto("/")
    pro.get_by_role("link", name=f"Planen för {child}").click()
    plan_url = pro.url
    assert child in pro.get_by_role("heading", level=1).inner_text()

    page = phone(locale="ar" if lang == "ar" else "sv-SE")
    register_passkey(page, live_server.invite(guardian))
    assert page.locator("html").get_attribute("lang") == lang
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
    # Tap 1: the plan's consent tab. Tap 2: revoke for this agency. Tap 3: confirm.
    page.locator(".plan-nav a[href$='/consent']").click()
    assert axe_violations(page) == []
    card = page.locator(".consent-card", has_text=agency)
    card.locator("a[href$='/revoke']").click()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/consent*")
    card = page.locator(".consent-card", has_text=agency)
    assert "consent-card--off" in card.get_attribute("class")
    assert page.locator(".history li").first.is_visible()
    assert axe_violations(page) == []

    response = pro.goto(plan_url)
    assert response.status == 404

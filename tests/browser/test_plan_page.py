"""A guardian opens the demo plan on a phone, in Swedish and in Arabic."""

import pytest

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey


@pytest.mark.parametrize(
    ("lang", "expected_dir", "late_text"),
    [("sv", "ltr", "Uppföljning av sömnen"), ("ar", "rtl", "Uppföljning av sömnen")],
)
def test_guardian_sees_child_and_late_action_at_phone_width(
    phone, live_server, lang, expected_dir, late_text
):
    page = phone()
    register_passkey(page, live_server.invite("sara"))
    assert "/plans/" in page.url
    if lang != "sv":
        page.get_by_label("Språk").select_option(lang)
        page.get_by_role("button", name="Byt språk").click()
        page.wait_for_load_state()
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == expected_dir
    assert page.get_by_role("heading", level=1).inner_text().endswith("Alva Lindqvist")
    late = page.locator(".alert--late")
    assert late.is_visible()
    assert late_text in late.inner_text()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

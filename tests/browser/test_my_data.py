"""My data (issue 15) in real Chromium on a 360 px phone: a guardian signs in
with a passkey, asks for their data, downloads the page once, in Swedish and in
Arabic (right to left); the file itself reads right (lang, dir, no sideways
scrolling, zero axe violations), and a second tap says it was already downloaded."""

from pathlib import Path

import pytest

from tests.browser.conftest import axe_violations, no_horizontal_scroll, register_passkey

CASES = [
    # (demo person, their language, their child's name as the file shows it)
    ("sara", "sv", "Alva"),
    ("amal", "ar", "Yusuf"),
]


@pytest.mark.parametrize(("who", "lang", "child"), CASES)
def test_a_guardian_downloads_my_data_once_in_their_language(phone, live_server, who, lang, child):
    page = phone(locale="ar" if lang == "ar" else "sv-SE")
    register_passkey(page, live_server.invite(who))
    page.goto("/account/devices")
    page.locator("a[href='/account/my-data']").click()
    page.wait_for_url("**/account/my-data")
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    # The page to read is the default choice; one button asks.
    assert page.locator("input[name=format][value=html]").is_checked()
    page.locator("form[action='/account/my-data'] button[type=submit]").click()
    button = page.locator("[data-download]")
    assert button.is_visible()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    with page.expect_download() as found:
        button.click()
    download = found.value
    assert download.suggested_filename.startswith("min-data-")
    assert download.suggested_filename.endswith(".html")
    document = Path(download.path()).read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in document
    assert child in document

    # The file itself, opened on the same phone: readable, right to left in Arabic.
    reader = phone(locale="ar" if lang == "ar" else "sv-SE")
    reader.set_content(document)
    assert reader.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert reader.locator("h1").is_visible()
    assert no_horizontal_scroll(reader)
    assert axe_violations(reader) == []

    # Once per request: the same button again says so, and offers a new one.
    button.click()
    page.wait_for_load_state()
    assert page.locator("form[action='/account/my-data'] input[name=format]").count() == 1
    assert page.locator("h1").is_visible()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

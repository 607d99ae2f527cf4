"""Read aloud in real Chromium: labels and values are separate phrases, each in its
language, on the plan, next steps, meetings, meeting and views pages; a phone
without a voice for the page's language says so.

Nothing of ours is stubbed. The browser's own speech API is: ``speak`` records the
utterances instead of sounding them, and ``getVoices`` answers with the voices the
test gives the "phone" (headless Chromium has none of its own).
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, register_passkey
from tests.browser.test_plan_page import switch_language

PHONE_VOICES = """
(() => {
  const langs = %s;
  window.__spoken = [];
  const synth = window.speechSynthesis;
  synth.getVoices = () => langs.map((lang) => (
    { lang: lang, name: lang, voiceURI: lang, default: false, localService: true }
  ));
  synth.speak = (utterance) => {
    window.__spoken.push({ text: utterance.text, lang: utterance.lang });
  };
})();
"""


def _views_open(live_server, meeting_id: int) -> None:
    """The meeting is days ahead again, so its views are open (another test in the
    session may have started it)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine, update

    from family_app.config import normalise_database_url
    from family_app.models import Meeting

    table = Meeting.__table__
    start = datetime.now(UTC) + timedelta(days=5)
    engine = create_engine(normalise_database_url(live_server.database_url))
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == meeting_id)
            .values(starts_at=start, ends_at=start + timedelta(hours=1))
        )
    engine.dispose()


def _phone_with_voices(phone, langs: list[str]):
    page = phone()
    page.add_init_script(PHONE_VOICES % json.dumps(langs))
    return page


def _in_swedish(page) -> None:
    """Another test may have left this demo person's stored language elsewhere."""
    if page.locator("html").get_attribute("lang") != "sv":
        switch_language(page, "sv")


def _read(page, button_selector: str) -> list[dict]:
    """Press a read-aloud button and return what was spoken, phrase by phrase."""
    page.evaluate("() => { window.__spoken = []; window.speechSynthesis.cancel(); }")
    button = page.locator(button_selector)
    expect(button).to_be_visible()
    if button.get_attribute("data-label-stop") == button.inner_text():
        button.click()  # still "speaking" from before: stop first
    button.click()
    page.wait_for_function("() => window.__spoken.length > 0")
    return page.evaluate("() => window.__spoken")


def test_labels_and_values_are_separate_phrases_in_their_language(phone, live_server):
    page = _phone_with_voices(phone, ["sv-SE", "ar-SA", "en-GB"])
    register_passkey(page, live_server.invite("sara"))
    plan_path = page.url.split(live_server.url, 1)[1]
    _in_swedish(page)
    # The service worker installed and in control before the quick walk through the
    # pages below: an install racing a navigation once left a page without "load".
    page.evaluate("() => navigator.serviceWorker.ready")

    spoken = _read(page, "#actions [data-read-aloud]")
    texts = [p["text"] for p in spoken]
    for label in ("Varför", "Vem", "När"):
        assert label in texts, texts  # a label is a phrase of its own
    who = texts.index("Vem")
    assert "Vem" not in texts[who + 1] and texts[who + 1]  # then its value, apart
    assert {p["lang"] for p in spoken} == {"sv"}

    # In Arabic the labels are read in Arabic; a plan text with no Arabic translation
    # is read in Swedish, with a Swedish voice, never with the Arabic one.
    switch_language(page, "ar")
    label = page.locator("#actions dt").first.inner_text().strip()
    swedish_value = page.locator("#actions dd [lang=sv]").first.inner_text().strip()
    spoken = _read(page, "#actions [data-read-aloud]")
    assert {"text": label, "lang": "ar"} in spoken
    assert {"text": swedish_value, "lang": "sv"} in spoken
    switch_language(page, "sv")

    # Every plan, meeting and views page can be read aloud.
    page.goto(plan_path + "/next")
    spoken = _read(page, "#next-steps [data-read-aloud]")
    assert len(spoken) > 2 and all(p["lang"] == "sv" for p in spoken)
    page.goto(plan_path + "/meetings")
    assert _read(page, "[data-read-aloud=meetings-list]")
    meeting_path = page.locator(".meeting-card a").first.get_attribute("href")
    page.goto(meeting_path)
    spoken = _read(page, ".meeting-details [data-read-aloud]")
    texts = [p["text"] for p in spoken]
    assert "När" in texts and texts[texts.index("När") + 1] != "När"
    meeting_id = re.search(r"/meetings/(\d+)", meeting_path).group(1)
    _views_open(live_server, int(meeting_id))
    page.goto(f"/meetings/{meeting_id}/my-views")
    assert _read(page, "[data-read-aloud=views-intro]")
    page.goto(f"/meetings/{meeting_id}/my-views/hard")
    assert [p["text"] for p in _read(page, "[data-read-aloud=question]")] == [
        page.locator("#question").inner_text().strip()
    ]
    page.locator("#answer-text").fill("Första raden.\nAndra raden.")
    spoken = _read(page, "[data-read-aloud-field=answer-text]")
    assert spoken == [
        {"text": "Första raden.", "lang": "sv"},
        {"text": "Andra raden.", "lang": "sv"},
    ]
    assert axe_violations(page) == []


def test_without_a_voice_for_the_language_the_phone_says_so(phone, live_server):
    page = _phone_with_voices(phone, ["en-US"])
    register_passkey(page, live_server.invite("johan"))
    _in_swedish(page)
    button = page.locator("#actions [data-read-aloud]")
    note = page.locator("#actions-no-voice")
    expect(note).to_be_hidden()
    button.click()
    expect(note).to_be_visible()
    expect(note).to_have_text("Din telefon kan inte läsa upp på det här språket.")
    assert page.evaluate("() => window.__spoken") == []
    assert axe_violations(page) == []

"""Issue 12: a name, a phone number or an agency's opening hours inside a right-to-left
sentence must not reorder it.

The Unicode bidirectional algorithm lays out a paragraph in its base direction and
lets neutral characters (spaces, commas, brackets, hyphens) take the direction of
their neighbours. Put "Amal Hassan" after an Arabic word and a comma, or
"(Måndag till fredag 8–12)" after a phone number, and the comma and the brackets
end up on the wrong side: the family read "Vårdnadshavare ,Amal Hassan". The cure
is to isolate every value the app puts into a sentence (``<bdi>`` or an element
with ``dir``): inside an isolate the value is laid out on its own, and outside it
counts as one neutral character that cannot pull its neighbours along.

The rule the test checks, on every page in a right-to-left language
(``<html dir="rtl">``), for every rendered text node:

1. A text node *carries left-to-right text* when it contains a run of Latin
   letters, or digits separated only by white space (a phone number such as
   "0320-21 70 00": a right-to-left paragraph puts its groups in the opposite
   order). A lone number, a time ("14:00"), a date the locale formats and a range
   ("14:00–15:00", read from the right as the rest of the sentence) are not
   reordered and do not count. Text already between the Unicode isolate marks
   (U+2066–U+2068 … U+2069) is isolated and does not count either.
2. Such a text node is *isolated* when, walking up from it to its block container
   (the nearest element whose computed ``display`` is not ``inline``), an inline
   element on the way is ``<bdi>``, has a ``dir`` attribute, or has computed
   ``unicode-bidi`` ``isolate``, ``isolate-override`` or ``plaintext``; or the
   block container itself has a ``dir`` attribute, computed ``unicode-bidi:
   plaintext`` or a computed ``direction`` of ``ltr``. A block whose whole text is
   left-to-right is therefore fine only when the block itself is marked: in a
   right-to-left block, "Amal Hassan." still shows as ".Amal Hassan".
3. Latin that the translator wrote is the translator's, not a value: proper names
   kept in Swedish by decision (SIP, BUP, Min SIP). A run of Latin found as a
   whole word in a translated string of the page's catalogue (or in the Swedish
   of a string not yet translated, which the page shows) is therefore allowed.
   Every other run in an unisolated text node is a failure.
4. Text the page cannot mark up is left out: a ``<select>`` and its options (an
   option holds text only; the language picker's options carry their own ``lang``
   and ``dir``), ``<textarea>`` (it has ``dir="auto"``, checked below), scripts and
   styles.

The mirror rule on a Swedish (left-to-right) page: a text node with Arabic script
in it must be isolated the same way, so a family member's own words in Arabic run
right to left (user text carries ``dir="auto"``).

On main before the fix (eb30eca) the right-to-left test found 456 unisolated text
nodes for Johan and Alva in Arabic and Persian; the Swedish-page test failed on
the device name's field, which had no ``dir="auto"``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from family_app.config import PROJECT_ROOT
from tests.browser.conftest import register_passkey

RTL_LANGUAGES = ("ar", "fa")
ARABIC_NAME = "هاتف Johan الجديد"

# Collects the text nodes that are not isolated: for each, its left-to-right (or,
# on a left-to-right page, right-to-left) runs and where it is.
UNISOLATED = r"""
(foreign) => {
  const RUN = foreign === "ltr"
    ? /[\p{Script=Latin}\p{Nd}]+(?:[\s\-–.,:'’\/]+[\p{Script=Latin}\p{Nd}]+)*/gu
    : /[\p{Script=Arabic}\p{Script=Hebrew}]+(?:[\s\p{P}]+[\p{Script=Arabic}\p{Script=Hebrew}]+)*/gu;
  const COUNTS = foreign === "ltr"
    ? (run) => /\p{Script=Latin}/u.test(run) || /\p{Nd}\s+\p{Nd}/u.test(run)
    : () => true;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const bare = node.data.replace(/[\u2066-\u2068][^\u2069]*\u2069/gu, " ");
    const runs = (bare.match(RUN) || []).filter(COUNTS);
    if (!runs.length) continue;
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, noscript, select, textarea")) continue;
    if (!parent.checkVisibility({ visibilityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getClientRects().length === 0) continue;
    let isolated = false;
    let block = null;
    for (let el = parent; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (el.hasAttribute("dir") || style.unicodeBidi === "plaintext") {
        isolated = true;
        break;
      }
      if (style.display === "inline" || style.display === "contents") {
        if (el.localName === "bdi" || style.unicodeBidi.startsWith("isolate")) {
          isolated = true;
          break;
        }
        continue;
      }
      block = el;
      isolated = style.direction !== (foreign === "ltr" ? "rtl" : "ltr");
      break;
    }
    if (isolated) continue;
    const kind = block && block.className ? "." + block.className.split(" ")[0] : "";
    found.push({
      runs: runs.map((r) => r.trim()),
      text: bare.trim().replace(/\s+/g, " ").slice(0, 120),
      where: block ? block.localName + kind : "?",
    });
  }
  return found;
}
"""

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


@cache
def catalogue_fragments(code: str) -> tuple[str, ...]:
    """The text the page's catalogue can put on a page: every translated string,
    and the Swedish of a string not translated yet (or fuzzy, which the compiled
    catalogue leaves out), cut at its placeholders and tags."""
    path = PROJECT_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po)
    texts: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            texts += ids
        else:
            texts += strings
    return tuple(
        " ".join(part.split()) for text in texts for part in PLACEHOLDER.split(text) if part.strip()
    )


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _in_catalogue(run: str, code: str) -> bool:
    """Whether the run stands as whole words in one of the catalogue's strings."""
    for fragment in catalogue_fragments(code):
        start = fragment.find(run)
        while start != -1:
            end = start + len(run)
            before = fragment[start - 1] if start else " "
            after = fragment[end] if end < len(fragment) else " "
            if not _latin(before) and not _latin(after):
                return True
            start = fragment.find(run, start + 1)
    return False


def unisolated(page, code: str) -> list[str]:
    """What reorders on this page: one line per text node that is not isolated."""
    direction = page.locator("html").get_attribute("dir")
    foreign = "ltr" if direction == "rtl" else "rtl"
    problems = []
    for node in page.evaluate(UNISOLATED, foreign):
        runs = [r for r in node["runs"] if foreign == "rtl" or not _in_catalogue(r, code)]
        if runs:
            problems.append(f"{node['where']}: {node['text']!r} {runs}")
    return problems


def switch_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", code.replace("_", "-"))


def family_paths(page) -> tuple[list[str], str]:
    """Every family page of the person's plan (and its meetings), and the path of
    the next meeting's own views."""
    page.goto("/")
    if "/plans/" not in page.url:
        page.locator("a[href*='/plans/']").first.click()
    plan = re.search(r"/plans/(\d+)", page.url).group(1)
    page.goto(f"/plans/{plan}/meetings")
    meetings = []
    for href in page.locator(".meeting-card a").evaluate_all("els => els.map(e => e.href)"):
        meeting = re.search(r"/meetings/(\d+)", href).group(1)
        if meeting not in meetings:
            meetings.append(meeting)
    upcoming = meetings[0]
    paths = [
        f"/plans/{plan}",
        f"/plans/{plan}/next",
        f"/plans/{plan}/people",
        f"/plans/{plan}/meetings",
        *(f"/meetings/{m}" for m in meetings),
        f"/plans/{plan}/consent",
        f"/plans/{plan}/who-can-see",
        f"/meetings/{upcoming}/my-views",
        f"/meetings/{upcoming}/my-views/going_well",
        f"/meetings/{upcoming}/wishes",
        f"/meetings/{upcoming}/interpreter",
        "/glossary",
        "/account/devices",
        "/account/notifications",
        "/account/calendar",
    ]
    return paths, f"/meetings/{upcoming}/my-views/going_well"


def test_values_in_right_to_left_pages_are_isolated(phone, live_server):
    failures: dict[str, list[str]] = {}
    for person in ("johan", "alva"):
        page = phone()
        page.set_default_timeout(15_000)
        register_passkey(page, live_server.invite(person))
        paths, _views = family_paths(page)
        try:
            for code in RTL_LANGUAGES:
                switch_language(page, code)
                for path in paths:
                    page.goto(path)
                    assert page.locator("html").get_attribute("dir") == "rtl", path
                    problems = unisolated(page, code)
                    if problems:
                        failures[f"{person} {code} {path}"] = problems
        finally:
            # Their language is their own and kept: leave it as the other tests expect.
            switch_language(page, "sv")
    report = [f"{where}: {problem}" for where, found in failures.items() for problem in found]
    assert not report, f"{len(report)} unisolated text nodes:\n" + "\n".join(report)


def test_arabic_words_on_a_swedish_page_run_right_to_left(phone, live_server):
    """A guardian names their phone in Arabic while the app is in Swedish: the name
    runs right to left wherever it is shown, and every field a family member writes
    in (their views, a device name) follows the direction of what they type.

    The device is the person's own and replaced with each invitation, so the new
    name touches no other test; the views are only looked at (the meeting may have
    started, and a started meeting's views cannot be changed)."""
    page = phone()
    register_passkey(page, live_server.invite("johan"))
    paths, views = family_paths(page)
    page.goto(views)
    assert page.locator("#answer-text").get_attribute("dir") == "auto"

    page.goto("/account/devices")
    page.locator(".device-list input[name=name]").first.fill(ARABIC_NAME)
    page.locator(".device-list form[action$='/rename'] button").first.click()
    expect(page.locator(".device-list .card__title").first).to_have_text(ARABIC_NAME)
    title = page.locator(".device-list .card__title").first
    assert title.evaluate("el => el.matches(':dir(rtl)')")
    field = page.locator(".device-list input[name=name]").first
    assert field.get_attribute("dir") == "auto"
    assert field.evaluate("el => el.matches(':dir(rtl)')")
    report = []
    for path in paths:
        page.goto(path)
        report += [f"{path}: {problem}" for problem in unisolated(page, "sv")]
    assert not report, "\n".join(report)

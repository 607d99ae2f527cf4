"""Issue 12: an untranslated interface string must be findable. Gettext falls back
to the Swedish source silently, so with MARK_UNTRANSLATED every string a catalogue
lacks is shown between ⟦ and ⟧ (the browser tests run so and look for the marks);
and text written straight into a template, outside `_()`/`{% trans %}`, is found here."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext, lazy_gettext, ngettext
from jinja2 import Environment

from family_app import create_app
from family_app.config import PROJECT_ROOT
from family_app.i18n import UNTRANSLATED_END, UNTRANSLATED_START
from tests.conftest import app_config

KNOWN = "Meddelanden"  # an interface string every catalogue translates


def _marking_app(database_url: str, on: bool = True):
    return create_app({**app_config(database_url), "MARK_UNTRANSLATED": on})


def test_a_missing_string_is_marked_and_a_translated_one_is_not(database_url):
    app = _marking_app(database_url)
    with app.test_request_context(), force_locale("ar"):
        missing = gettext("En mening som ingen katalog har, %(x)s.", x="1")
        assert missing.startswith(UNTRANSLATED_START) and missing.endswith(UNTRANSLATED_END)
        assert "1" in missing
        known = gettext(KNOWN)
        assert known != KNOWN and UNTRANSLATED_START not in known
        assert str(lazy_gettext("Ingen katalog har den här heller")).startswith(UNTRANSLATED_START)
        assert ngettext("%(num)d sak saknas", "%(num)d saker saknas", 2).startswith(
            UNTRANSLATED_START
        )
    with app.test_request_context(), force_locale("sv"):
        # Swedish is the source: nothing is missing there.
        assert gettext("En mening som ingen katalog har.") == "En mening som ingen katalog har."


def test_nothing_is_marked_unless_asked(database_url):
    app = _marking_app(database_url, on=False)
    with app.test_request_context(), force_locale("ar"):
        assert gettext("En mening som ingen katalog har.") == "En mening som ingen katalog har."


# Text in a template outside the translation tags: words of two or more letters left
# after removing tags, comments, expressions, HTML tags, entities and attribute values.
# "SIP" names the plan type in every language; "Language" is the English word kept
# beside the language picker on purpose, for whoever cannot read the page's language.
ALLOWED = {"SIP", "Language"}


def _bare_words(source: str) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    text = []
    in_trans = False
    for _line, kind, value in env.lex(source):
        if kind == "name" and value == "trans":
            in_trans = True
        elif kind == "name" and value == "endtrans":
            in_trans = False
        elif kind == "data" and not in_trans:
            text.append(value)
    html = " ".join(text)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[^>]*>", " ", html, flags=re.S)
    html = re.sub(r"&[a-z]+;|&#\d+;", " ", html)
    # Whatever survives inside a tag split by an expression (`<a href="{{ x }}">`).
    html = re.sub(r"[a-z-]+=\"[^\"]*\"?|\"[^\"]*\"", " ", html)
    # Attribute names and class names given by a block (`data-clear-drafts`, `child-view`).
    html = re.sub(r"\b[a-z]+(?:-[a-z]+)+\b", " ", html)
    return [w for w in re.findall(r"[^\W\d_]{2,}", html) if w not in ALLOWED]


def test_no_template_shows_text_outside_the_translation_tags():
    found = {}
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        words = _bare_words(path.read_text(encoding="utf-8"))
        if words:
            found[str(path.relative_to(PROJECT_ROOT))] = words[:8]
    assert found == {}


def test_the_template_scan_finds_bare_text():
    assert _bare_words('<p>{{ _("Hej") }} Vårdnadshavare</p>') == ["Vårdnadshavare"]
    assert _bare_words('<p class="lead">{% trans %}Hej {{ n }}{% endtrans %}</p>') == []

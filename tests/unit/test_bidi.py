"""Issue 12: the ``bdi`` filter isolates a value inside a translated sentence without
weakening escaping, and ``isolate`` does the same for plain text built in Python.

Jinja's newstyle gettext (Flask-Babel installs it) turns the translation into
``Markup`` and formats it with ``%``: a ``Markup`` argument is kept as it is, any
other is escaped. These tests pin that down, so ``<bdi>`` reaches the page once and
a value with HTML in it never does."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from family_app.i18n import PDI, isolate

SENTENCE = '{{ _("Svar från %(name)s", name=value|bdi) }}'


def render(app: Flask, source: str, lang: str = "sv", **values: object) -> str:
    with app.test_request_context("/"), force_locale(lang):
        return render_template_string(source, **values)


def test_a_value_is_isolated_inside_the_translated_sentence(app):
    assert render(app, SENTENCE, value="Amal Hassan") == "Svar från <bdi>Amal Hassan</bdi>"
    assert render(app, SENTENCE, "ar", value="Amal Hassan") == "ردّ من <bdi>Amal Hassan</bdi>"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Sara & Johan", "Sara &amp; Johan"),  # escaped once, not twice
        ('"Amal"', "&#34;Amal&#34;"),
    ],
)
def test_the_value_is_still_escaped_once(app, value, shown):
    html = render(app, SENTENCE, value=value)
    assert html == f"Svar från <bdi>{shown}</bdi>"
    assert "<script>" not in html


def test_escaping_holds_in_a_trans_block_a_join_and_on_its_own(app):
    hostile = "<b>Leila</b>"
    block = "{% trans name=value|bdi %}Fråga {{ name }} varför.{% endtrans %}"
    assert render(app, block, value=hostile) == "Fråga <bdi>&lt;b&gt;Leila&lt;/b&gt;</bdi> varför."
    joined = render(app, '{{ names|map("bdi")|join(", ") }}', names=["Sara", hostile])
    assert joined == "<bdi>Sara</bdi>, <bdi>&lt;b&gt;Leila&lt;/b&gt;</bdi>"
    assert render(app, "{{ value|bdi }}", value=hostile) == "<bdi>&lt;b&gt;Leila&lt;/b&gt;</bdi>"


def test_markup_made_by_the_template_is_kept_and_nothing_is_made_of_nothing(app):
    link = '{% macro tel(n) %}<a href="tel:{{ n }}" dir="ltr">{{ n }}</a>{% endmacro %}'
    assert (
        render(app, link + "{{ tel(value)|bdi }}", value="070-1")
        == '<bdi><a href="tel:070-1" dir="ltr">070-1</a></bdi>'
    )
    assert render(app, "[{{ value|bdi }}]", value="") == "[]"
    assert render(app, "[{{ value|bdi }}]", value=None) == "[]"


def test_isolate_wraps_plain_text_in_unicode_isolates(app):
    assert isolate("Amal Hassan") == "\u2068Amal Hassan\u2069"
    assert isolate("") == "" and isolate(None) == ""
    # Plain text stays plain: escaped on the page like any other string.
    html = render(app, "{{ message }}", message=f"Klart: {isolate('<i>BUP</i>')}.")
    assert html == f"Klart: \u2068&lt;i&gt;BUP&lt;/i&gt;{PDI}."

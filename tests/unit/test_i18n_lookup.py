"""The catalogue is looked up once per request and language (i18n.MarkingDomain),
and the glossary's words once per request and language: a language switched within
a request (an e-mail in the receiver's language, an invitation page in the invited
person's) must never get the previous language's words."""

from types import SimpleNamespace

from flask import render_template_string
from flask_babel import force_locale, gettext

from family_app.glossary import link_terms
from family_app.i18n import use_language_of

SAVED = "Ändringen är sparad."


def test_a_forced_language_gets_its_own_catalogue_and_the_page_gets_its_back(app):
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        swedish = gettext(SAVED)
        with force_locale("en"):
            english = gettext(SAVED)
            english_in_template = render_template_string("{{ _(m) }}", m=SAVED)
        with force_locale("ar"):
            arabic = gettext(SAVED)
        again = gettext(SAVED)
    assert swedish == again == SAVED
    assert english not in (SAVED, arabic) and english_in_template == english
    assert arabic not in (SAVED, english)


def test_a_language_chosen_mid_request_is_used_from_then_on(app):
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert gettext(SAVED) == SAVED
        use_language_of(SimpleNamespace(preferred_language="en"))
        assert gettext(SAVED) != SAVED
        with force_locale("en"):
            english = gettext(SAVED)
        assert gettext(SAVED) == english


def test_glossary_words_follow_the_language_within_one_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        swedish = str(link_terms("Utredningen börjar i maj."))
        with force_locale("en"):
            english = str(link_terms("The assessment starts in May."))
            not_english = str(link_terms("Utredningen börjar i maj."))
        swedish_again = str(link_terms("Utredningen börjar i maj."))
    assert 'class="term"' in swedish and swedish == swedish_again
    assert 'class="term"' in english
    assert 'class="term"' not in not_english

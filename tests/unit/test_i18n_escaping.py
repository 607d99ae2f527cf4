"""Texts from the catalogues are text, not HTML, wherever a template shows them."""

from flask import render_template_string
from flask_babel import lazy_gettext as _l

from family_app.workspace.forms import plain_text


def test_a_lazy_message_is_escaped_like_any_text(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "<p>{{ m }}</p>",
            m=_l("Texten får inte innehålla tecknet < följt av bokstäver. Skriv utan kod."),
        )
    assert "tecknet &lt; följt" in html
    assert "tecknet < följt" not in html


def test_a_refused_markup_error_renders_as_valid_text(app):
    """The message plain_text raises, through the form macro: escaped."""
    from wtforms import Form, StringField, ValidationError

    class F(Form):
        text = StringField(validators=[plain_text])

    form = F(data={"text": "<b>hej</b>"})
    try:
        plain_text(form, form.text)
    except ValidationError as error:
        message = error.args[0]
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros/components.html" import field %}{{ field("t", "Text", error=e) }}',
            e=message,
        )
    assert "&lt; följt" in html and "< följt" not in html

"""The coordinator translates the plan's family-facing texts; the family reads them
in their language, and a later change of the Swedish shows the translation as old."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from family_app.models import AuditEvent, ContentTranslation
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family


@pytest.fixture
def family(session):
    family = make_family(session)
    family.guardians[0].preferred_language = "ar"
    session.commit()
    return family


def _key(kind: str, obj, field: str) -> str:
    return f"t_{kind}_{obj.id}_{field}"


def _post(client, family, locale: str, data: dict):
    path = f"/workspace/plans/{family.plan.id}/translations/{locale}"
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def test_the_family_reads_what_the_coordinator_translated(app, client, session, family):
    sign_in_as(client, family.coordinator)
    overview = client.get(f"/workspace/plans/{family.plan.id}/translations")
    assert overview.status_code == 200
    # The family's own language comes first.
    page = overview.get_data(as_text=True)
    assert page.index("العربية") < page.index("English")

    form = client.get(f"/workspace/plans/{family.plan.id}/translations/ar")
    assert form.status_code == 200
    assert family.goal.text in form.get_data(as_text=True)  # the Swedish source is shown
    goal_key = _key("goal", family.goal, "text")
    response = _post(
        client,
        family,
        "ar",
        {"translator": "Tolk Ali Hassan", goal_key: "أريد أن أذهب إلى المدرسة"},
    )
    assert response.status_code == 303
    row = session.scalar(select(ContentTranslation).where(ContentTranslation.locale == "ar"))
    assert (row.object_type, row.object_id, row.field) == ("goal", family.goal.id, "text")
    assert row.translator == "Tolk Ali Hassan"
    audit = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.object_type == "translation")
    ).all()
    assert audit == ["goal.text.ar:saved"]

    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    guardian.post("/language", data={"csrf_token": csrf_token(guardian), "lang": "ar"})
    shown = guardian.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "أريد أن أذهب إلى المدرسة" in shown

    # The Swedish changes: the translation is shown as old, here and to the family.
    family.goal.text = "Jag vill gå till skolan på måndagar."
    session.commit()
    overview = client.get(f"/workspace/plans/{family.plan.id}/translations")
    assert "1 översättning är gammal" in overview.get_data(as_text=True)
    form = client.get(f"/workspace/plans/{family.plan.id}/translations/ar").get_data(as_text=True)
    assert "Den svenska texten har ändrats sedan översättningen." in form

    # An emptied box removes the translation.
    assert (
        _post(client, family, "ar", {"translator": "Tolk Ali Hassan", goal_key: ""}).status_code
        == 303
    )
    session.expire_all()
    assert session.scalar(select(ContentTranslation.id)) is None


def test_bad_input_keeps_every_text_and_saves_nothing(client, session, family):
    sign_in_as(client, family.coordinator)
    goal_key = _key("goal", family.goal, "text")
    action_key = _key("action", family.action, "title")
    response = _post(
        client,
        family,
        "ar",
        {"translator": "", goal_key: "نص جيد", action_key: "<script>x</script>\x07"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "نص جيد" in page and "Skriv vem som översatte." in page
    assert "Texten har tecken som inte går att visa." in page
    assert session.scalar(select(ContentTranslation.id)) is None


@pytest.mark.parametrize("locale", ["sv", "xx", "..", "ar%0a"])
def test_only_the_app_s_other_languages_can_be_translated_to(client, family, locale):
    sign_in_as(client, family.coordinator)
    assert client.get(f"/workspace/plans/{family.plan.id}/translations/{locale}").status_code == 404


def test_only_the_coordinator_translates(app, client, family):
    for person in (family.professional, family.guardians[0], family.child):
        other = app.test_client()
        sign_in_as(other, person)
        for path in ("", "/ar"):
            status = other.get(f"/workspace/plans/{family.plan.id}/translations{path}").status_code
            assert status in (403, 404), (person.display_name, path, status)


def _arabic_guardian(app, family):
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    guardian.post("/language", data={"csrf_token": csrf_token(guardian), "lang": "ar"})
    return guardian


def test_a_stale_translation_is_shown_as_swedish_with_the_notice(app, client, session, family):
    """Done-when of issue 12: once the Swedish changes, the old translation may say
    something the plan no longer says, so the family reads the Swedish, marked as
    Swedish, with a notice in their own language."""
    sign_in_as(client, family.coordinator)
    goal_key = _key("goal", family.goal, "text")
    old_arabic = "أريد أن أذهب إلى المدرسة"
    saved = _post(client, family, "ar", {"translator": "Tolk", goal_key: old_arabic})
    assert saved.status_code == 303

    path = f"/workspace/plans/{family.plan.id}/goals/{family.goal.id}"
    changed = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "version": str(family.goal.version),
            "text": "Jag vill gå till skolan varje dag.",
            "words_of": "child",
        },
    )
    assert changed.status_code == 303

    page = _arabic_guardian(app, family).get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert old_arabic not in page
    assert 'lang="sv" dir="auto">Jag vill gå till skolan varje dag.<' in page
    with app.test_request_context():
        from flask_babel import force_locale
        from flask_babel import gettext as _

        with force_locale("ar"):
            notice = _("Översättningen håller på att uppdateras.")
    assert notice in page

    # The translator still sees the old wording, to update it.
    form = client.get(f"/workspace/plans/{family.plan.id}/translations/ar").get_data(as_text=True)
    assert old_arabic in form


def test_a_translation_with_special_characters_is_stored_as_text_and_shown_escaped(
    app, client, session, family
):
    """Issue 12, bad input: a translation with markup is data like any other text:
    stored as typed and escaped on the family's page, never interpreted."""
    sign_in_as(client, family.coordinator)
    goal_key = _key("goal", family.goal, "text")
    typed = "هدف <3 & \"أكثر\" > 2 'x' <b>مهم</b><script>alert(1)</script>"
    assert _post(client, family, "ar", {"translator": "Tolk", goal_key: typed}).status_code == 303
    assert session.scalar(select(ContentTranslation.text)) == typed
    page = _arabic_guardian(app, family).get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "هدف &lt;3 &amp; &#34;أكثر&#34; &gt; 2 &#39;x&#39; &lt;b&gt;مهم&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<b>مهم" not in page

"""Issue 12: every family's language. A person gets their own language (stored
preference over the browser's, also on their invitation page); an unreviewed
translation says so in that language; a language the app has no catalogue for
gets Swedish and English and an interpreter, and the coordinator sees it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from family_app.auth.invitations import issue_invitation
from family_app.config import LANGUAGES, PROJECT_ROOT
from family_app.i18n import read_review_statuses
from family_app.models import Person
from tests.conftest import csrf_token, sign_in_as
from tests.factories import birth_date_for_age, make_family

UNREVIEWED_SV = "Den här översättningen är inte granskad"


def _html_tag(page: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    return found.group(1), found.group(2)


def test_every_language_has_a_catalogue_and_an_honest_review_status():
    statuses = read_review_statuses(PROJECT_ROOT / "translations", list(LANGUAGES))
    assert statuses.pop("sv") == "source"
    assert set(statuses) == set(LANGUAGES) - {"sv"}
    for code in statuses:
        assert (PROJECT_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").exists()
    # Nothing here has been read by a native speaker yet: none may claim to be.
    assert set(statuses.values()) == {"unreviewed"}


@pytest.mark.parametrize("code", sorted(set(LANGUAGES) - {"sv"}))
def test_the_stored_language_wins_over_the_browser_and_says_it_is_unreviewed(
    app, client, session, code
):
    family = make_family(session)
    guardian = family.guardians[0]
    guardian.preferred_language = code
    session.commit()
    sign_in_as(client, guardian)
    page = client.get(f"/plans/{family.plan.id}", headers={"Accept-Language": "sv"}).text
    lang, direction = _html_tag(page)
    assert lang == code.replace("_", "-")
    assert direction == LANGUAGES[code]["dir"]
    assert 'class="translation-notice"' in page
    # The notice is in the page's language, not Swedish.
    assert UNREVIEWED_SV not in page


def test_swedish_pages_carry_no_translation_notice(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    page = client.get(f"/plans/{family.plan.id}").text
    assert _html_tag(page) == ("sv", "ltr")
    assert "translation-notice" not in page


def test_the_invitation_page_speaks_the_invited_person_s_language(app, client, session):
    family = make_family(session)
    guardian = family.guardians[0]
    guardian.preferred_language = "fa_AF"
    session.commit()
    with app.app_context():
        issued = issue_invitation(session, guardian, family.coordinator, 14)
        session.commit()
    page = client.get(f"/i/{issued.token}", headers={"Accept-Language": "sv,en"}).text
    assert _html_tag(page) == ("fa-AF", "rtl")


def test_a_language_without_catalogue_gets_an_interpreter_and_the_coordinator_knows(
    app, client, session
):
    family = make_family(session)
    guardian = family.guardians[0]
    guardian.preferred_language = "am"  # Amharic: no catalogue
    session.commit()
    sign_in_as(client, guardian)
    page = client.get(f"/plans/{family.plan.id}").text
    assert _html_tag(page) == ("sv", "ltr")
    assert "Min SIP finns inte på ditt språk än." in page
    assert "Min SIP is not in your language yet." in page
    coordinator = app.test_client()
    sign_in_as(coordinator, family.coordinator)
    plans = coordinator.get("/workspace/").text
    assert "Familjen behöver tolk: <bdi>Amhariska</bdi>." in plans


def test_the_coordinator_records_each_guardian_s_language(app, client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    form = {
        "child_name": "Hamza Warsame",
        "child_birth_date": birth_date_for_age(9).isoformat(),
        "child_language": "so",
        "guardian_1_name": "Faadumo Warsame",
        "guardian_1_kind": "parent",
        "guardian_1_language": "so",
        "guardian_2_name": "Cali Warsame",
        "guardian_2_kind": "parent",
        "guardian_2_language": "am",
        "responsible_agency_id": str(family.plan.responsible_agency_id),
    }
    path = "/workspace/plans/new"
    response = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 303, response.text[:2000]
    languages = dict(
        session.execute(
            select(Person.display_name, Person.preferred_language).where(
                Person.display_name.like("% Warsame")
            )
        ).all()
    )
    assert languages == {"Hamza Warsame": "so", "Faadumo Warsame": "so", "Cali Warsame": "am"}
    bad = client.post(
        path, data={**form, "guardian_1_language": "xx", "csrf_token": csrf_token(client, path)}
    )
    assert bad.status_code == 400
    assert "Faadumo Warsame" in bad.text  # what was typed is kept

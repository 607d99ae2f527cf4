"""The child's own words (issue 12, DESIGN.md sections 6 and 9).

Every page the demo child Alva (13) can reach is rendered through the test
client, signed in as her, in Swedish. What is measured is the visible text of
``<main>`` (the page's own content: headings, paragraphs, lists, labels,
buttons; not the site header, the navigation or the footer, which are short
labels), as ``test_plain_language.visible_text`` extracts it. Plan content
written by the team is part of what the child reads, so it is measured too:
the demo's texts for the child are written for her.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from family_app.access import stockholm_today
from family_app.demo import seed_demo
from family_app.glossary import CHILD_TERMS, TERMS
from family_app.rules import lix
from tests.conftest import sign_in_as
from tests.functional.test_plain_language import visible_text

# Every GET page the child reaches from her plan (the account pages included).
CHILD_PAGES = [
    "/plans/{plan}",
    "/plans/{plan}/next",
    "/plans/{plan}/meetings",
    "/plans/{plan}/people",
    "/plans/{plan}/consent",
    "/plans/{plan}/who-can-see",
    "/meetings/{meeting}",
    "/meetings/{past}",
    "/meetings/{meeting}/my-views",
    "/meetings/{meeting}/my-views/hard",
    "/meetings/{past}/wishes",
    "/glossary",
    "/account/devices",
    "/account/notifications",
    "/account/calendar",
    "/account/my-data",
]


@pytest.fixture
def demo_children(session, app):
    """The demo, and for each demo child (Alva 13, Yusuf 15, Nora 9) their plan,
    next meeting and earlier meeting (0 where there is none)."""
    with app.app_context():  # the demo is written through the services (age rules)
        seed_demo(session, stockholm_today(), 14)
    from family_app.models import Meeting, Person, Plan

    people = {p.external_key: p for p in session.scalars(select(Person))}
    children = {}
    for key in ("demo:alva", "demo:yusuf", "demo:nora"):
        plan = session.scalar(select(Plan).where(Plan.child_id == people[key].id))
        meetings = session.scalars(select(Meeting).where(Meeting.plan_id == plan.id)).all()
        planned = next(m for m in meetings if m.status == "planned")
        past = next((m for m in meetings if m.status != "planned"), None)
        children[key] = {"plan": plan.id, "meeting": planned.id, "past": past.id if past else 0}
    return people, children


@pytest.fixture
def alva(demo_children):
    people, children = demo_children
    return people, children["demo:alva"]


def child_page(client, people, ids, path: str, child: str = "demo:alva") -> str:
    sign_in_as(client, people[child])
    response = client.get(path.format(**ids), headers={"Accept-Language": "sv"})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", CHILD_PAGES)
def test_every_child_page_has_lix_at_most_35(client, demo_children, path):
    """Each demo child's page, measured on its own (Yusuf and Nora have no
    earlier meeting: those two pages are Alva's only)."""
    people, children = demo_children
    for key, ids in children.items():
        if "{past}" in path and not ids["past"]:
            continue
        text = visible_text(child_page(client, people, ids, path, key))
        score = lix(text)
        print(f"{key} {path}: LIX {score:.1f}")
        assert score <= 35, (key, path, round(score, 1), text)


def test_the_childs_invitation_page_has_lix_at_most_35(client, session, app):
    """The first page a child sees: the invitation, before signing in."""
    with app.app_context():
        invites = seed_demo(session, stockholm_today(), 14)
    session.commit()
    for invite in invites:
        if invite.name.split()[0] not in {"Alva", "Yusuf", "Nora"}:
            continue
        page = client.get(invite.invite_path, headers={"Accept-Language": "sv"})
        text = visible_text(page.get_data(as_text=True))
        print(f"{invite.name} invitation: LIX {lix(text):.1f}")
        assert lix(text) <= 35, (invite.name, round(lix(text), 1), text)


# Words a child may not know. Abbreviations of two to five capitals are found
# on their own (below); these are the words that need explaining besides.
HARD_WORDS = [
    "utredning",
    "kurator",
    "skolsköterska",
    "psykolog",
    "specialpedagog",
    "samordnare",
    "samtycke",
    "vårdnadshavare",
    "insats",
    "socialtjänst",
    "elevhälsa",
    "vårdcentral",
    "habilitering",
    "inloggningsnyckel",
    "god man",
    "tolk",
    "socialsekreterare",
]
ABBREVIATION = re.compile(r"\b[A-ZÅÄÖ][A-Za-zÅÄÖåäö]?[A-ZÅÄÖ]{1,3}\b")
NOT_TERMS = {"OK", "PDF"}  # understood by a child as they are


def glossary_words(terms) -> set[str]:
    return {str(t.word).lower() for t in terms}


def test_the_child_glossary_explains_every_term_on_a_child_page(client, demo_children):
    people, children = demo_children
    explained = glossary_words(CHILD_TERMS)
    missing: dict[str, set[str]] = {}
    for key, ids in children.items():
        for path in CHILD_PAGES:
            if "{past}" in path and not ids["past"]:
                continue
            text = visible_text(child_page(client, people, ids, path, key))
            used = {m for m in ABBREVIATION.findall(text) if m not in NOT_TERMS}
            lowered = text.lower()
            used |= {w for w in HARD_WORDS if w in lowered}
            for word in used:
                w = word.lower()
                if not any(e.startswith(w) or w.startswith(e) for e in explained):
                    missing.setdefault(word, set()).add(f"{key} {path}")
    assert not missing, missing


def test_the_adult_glossary_has_the_words_the_child_glossary_has():
    """A guardian reading along finds the same words, explained for adults."""
    assert glossary_words(CHILD_TERMS) <= glossary_words(TERMS)


def test_the_child_sees_the_child_glossary(client, alva):
    people, ids = alva
    html = child_page(client, people, ids, "/glossary")
    for term in CHILD_TERMS:
        assert str(term.meaning) in html.replace("&#39;", "'")
    sign_in_as(client, people["demo:sara"])
    adult = client.get("/glossary").get_data(as_text=True)
    assert str(TERMS[0].meaning) in adult


def test_child_pages_speak_to_the_child_not_about_her(client, demo_children):
    """Interface text says "du" to the child: never "barnet", nor the child's
    name as the one something is about ("Sista dag för Alva", "hur Alva har
    det"). The full name may stand alone, as it does in the list of who can see
    the plan ("Alva Lindqvist. Du själv.")."""
    people, children = demo_children
    for key, ids in children.items():
        child = people[key]
        for path in CHILD_PAGES:
            if "{past}" in path and not ids["past"]:
                continue
            text = visible_text(child_page(client, people, ids, path, key))
            assert not re.search(r"\b[Bb]arnets?\b", text), (key, path, text)
            alone = text.replace(child.display_name, "")
            assert not re.search(rf"\b{child.first_name}s?\b", alone), (key, path, text)


# The one sentence that names the English word, so a person recognises what
# their phone says (templates/macros/passkey.html).
OTHER_NAME = "Telefonen kan kalla den något annat, till exempel passkey eller nyckel."


def test_no_passkey_in_the_swedish_interface(app, client, alva):
    """The Swedish word is inloggningsnyckel; "passkey" appears only where the
    word is explained, once on a page."""
    people, ids = alva
    pages = {p: visible_text(child_page(client, people, ids, p)) for p in CHILD_PAGES}
    signed_out = app.test_client()
    pages["/sign-in"] = visible_text(signed_out.get("/sign-in").get_data(as_text=True))
    for path, text in pages.items():
        assert text.count(OTHER_NAME) <= 1, path
        assert not re.search(r"passkey", text.replace(OTHER_NAME, ""), re.I), (path, text)
    assert "inloggningsnyckel" in pages["/account/devices"]


def test_times_are_shown_to_the_minute(client, alva):
    people, ids = alva
    for path in CHILD_PAGES:
        text = visible_text(child_page(client, people, ids, path))
        assert not re.search(r"\b\d{1,2}[:.]\d{2}[:.]\d{2}\b", text), (path, text)
    # The consent history has times: 10:00, not 10:00:00.
    assert re.search(r"\b10:00\b", visible_text(child_page(client, people, ids, CHILD_PAGES[4])))


def test_nice_datetime_has_no_seconds_in_any_language(app):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from family_app.i18n import nice_datetime

    moment = datetime(2026, 10, 1, 8, 5, 42, tzinfo=UTC)
    with app.test_request_context():
        for code in app.config["LANGUAGES"]:
            with force_locale(code):
                for fmt in ("short", "medium", "long"):
                    shown = nice_datetime(moment, fmt)
                    assert "42" not in shown, (code, fmt, shown)
        with force_locale("sv"):
            assert nice_datetime(moment, "medium") == "1 okt. 2026 10:05"


def test_the_child_reads_child_texts_or_a_placeholder_naming_who_to_ask(client, alva, session):
    """An action or a decision without a text for the child shows a notice in
    the child's words and names the coordinator, never the adults' text."""
    from family_app.models import Action, Decision

    people, ids = alva
    action = session.scalars(select(Action).where(Action.plan_id == ids["plan"])).first()
    decision = session.scalars(select(Decision).where(Decision.meeting_id == ids["past"])).first()
    adult_action, adult_decision = action.description, decision.what
    action.child_description = ""
    decision.child_what = ""
    session.commit()
    placeholder = (
        "De vuxna har inte skrivit det här för dig än. Fråga Leila Haddad vad det betyder."
    )
    plan = visible_text(child_page(client, people, ids, "/plans/{plan}"))
    assert placeholder in plan
    assert adult_action not in plan
    meeting = visible_text(child_page(client, people, ids, "/meetings/{past}"))
    assert placeholder in meeting
    assert adult_decision not in meeting
    # The guardian still reads the adults' text.
    sign_in_as(client, people["demo:sara"])
    assert adult_action in visible_text(client.get(f"/plans/{ids['plan']}").get_data(as_text=True))


def test_a_deadline_says_who_does_it_in_the_child_words(client, alva):
    people, ids = alva
    text = visible_text(child_page(client, people, ids, "/plans/{plan}/next"))
    assert "Det här ska Maja Berg göra: Maja på BUP tar reda på mer" in text
    assert "Sista dag för" not in text


def test_the_late_box_names_who_to_ask(client, alva):
    people, ids = alva
    text = visible_text(child_page(client, people, ids, "/plans/{plan}"))
    assert re.search(r"Det skulle ha börjat [^.]+\. Fråga Leila Haddad varför\.", text), text


def test_the_child_reads_how_she_took_part_in_her_words(client, alva, session):
    """The wishes page, once answers are published, told the child "Barnet är med
    på en del av mötet" (issue 12): now "Du var med på en del av mötet"."""
    from family_app.models import Meeting

    people, ids = alva
    meeting = session.get(Meeting, ids["past"])
    meeting.child_participation = "part"
    meeting.feedback_published_at = meeting.starts_at
    session.commit()
    text = visible_text(child_page(client, people, ids, "/meetings/{past}/wishes"))
    assert "Du var med på en del av mötet." in text, text
    assert "Barnet" not in text


def test_terms_in_the_teams_texts_link_to_the_glossary(client, alva):
    """ "Samtal varje tisdag (KBT)" is written by the team; KBT in it links to
    its explanation, which for the child is the child's."""
    people, ids = alva
    html = child_page(client, people, ids, "/plans/{plan}")
    for key, word in [("kbt", "KBT"), ("adhd", "ADHD"), ("utredning", "Utredning")]:
        assert f'<a class="term" href="/glossary#{key}">{word}</a>' in html, key
    glossary = child_page(client, people, ids, "/glossary")
    assert 'id="kbt"' in glossary
    assert "KBT är ett sätt att prata om det som är svårt." in glossary


def test_link_terms_escapes_the_text_and_links_each_term_once(app):
    from family_app.glossary import link_terms

    with app.test_request_context():
        shown = str(link_terms("<b>KBT</b> och KBT igen, utredningen"))
    assert shown.startswith('&lt;b&gt;<a class="term" href="/glossary#kbt">KBT</a>&lt;/b&gt;')
    assert shown.count("#kbt") == 1
    assert '<a class="term" href="/glossary#utredning">utredningen</a>' in shown

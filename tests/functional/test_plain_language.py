"""Plain language on the child's pages (DESIGN.md section 6): LIX of the visible
Swedish body text at most 35 on child pages, 45 for the guardians' pages."""

import re
from html import unescape

import pytest

from family_app.access import stockholm_today
from family_app.demo import seed_demo
from family_app.rules import lix
from tests.conftest import sign_in_as


def visible_text(html: str) -> str:
    """The text a person reads in <main>, one sentence per block element."""
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"<(textarea)[^>]*>.*?</\1>", " ", main, flags=re.S)
    # A link to the glossary sits inside a sentence: it is not a unit of its own.
    main = re.sub(r'<a class="term"[^>]*>(.*?)</a>', r"\1", main, flags=re.S)
    # Headings, list items, labels and buttons are units of their own: end them.
    main = re.sub(r"</(h[1-6]|li|p|dt|dd|label|button|a|legend)>", ". ", main)
    text = unescape(re.sub(r"<[^>]+>", " ", main))
    return re.sub(r"\s+", " ", re.sub(r"(\.\s*){2,}", ". ", text)).strip()


@pytest.fixture
def demo(session, app):
    with app.app_context():  # the demo is written through the services (age rules)
        seed_demo(session, stockholm_today(), 14)
    from sqlalchemy import select

    from family_app.models import Meeting, Person, Plan

    people = {p.external_key: p for p in session.scalars(select(Person))}
    plan = session.scalar(select(Plan).where(Plan.child_id == people["demo:alva"].id))
    meeting = session.scalar(
        select(Meeting).where(Meeting.plan_id == plan.id, Meeting.status == "planned")
    )
    return people, plan, meeting


@pytest.mark.parametrize(
    "path",
    [
        "/plans/{plan}",
        "/plans/{plan}/next",
        "/plans/{plan}/people",
        "/plans/{plan}/consent",
        "/meetings/{meeting}/my-views",
        "/meetings/{meeting}/my-views/hard",
    ],
)
def test_child_pages_are_easy_to_read(client, demo, path):
    people, plan, meeting = demo
    sign_in_as(client, people["demo:alva"])
    html = client.get(path.format(plan=plan.id, meeting=meeting.id)).get_data(as_text=True)
    text = visible_text(html)
    score = lix(text)
    print(f"{path}: LIX {score:.0f}")
    assert score <= 35, (score, text[:400])


@pytest.mark.parametrize("path", ["/plans/{plan}", "/plans/{plan}/consent", "/glossary"])
def test_guardian_pages_are_plain(client, demo, path):
    people, plan, _meeting = demo
    sign_in_as(client, people["demo:sara"])
    html = client.get(path.format(plan=plan.id)).get_data(as_text=True)
    score = lix(visible_text(html))
    print(f"{path}: LIX {score:.0f}")
    assert score <= 45, score

"""My data (issue 15, GDPR art. 15): each family member downloads exactly what
their pages show them, once, within seven days, and nobody else can.

The export is compared with the pages the same person is shown (the plan page,
the meeting page): every action title and every answer a page shows is in the
export, and what a page hides (a harm-flagged action, an answer whose writer
chose an audience without guardians) is in neither.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from family_app.audit import AuditAction, record
from family_app.extensions import db
from family_app.models import (
    Action,
    ActionStatus,
    AuditEvent,
    DataExport,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    Person,
    PlanMember,
    Statement,
    StatementAnswer,
)
from tests.conftest import app_config, csrf_token, sign_in_as
from tests.factories import birth_date_for_age, make_family, make_person

PAGE = "/account/my-data"
HIDDEN_ACTION = "Stöd som bara barnet ser"
# The child's words, long (never shortened), each with the audience the child chose.
FOR_EVERYONE = "Det här får alla läsa." + " Jag vill spela fotboll på rasterna." * 60
FOR_COORDINATOR = "Det här får bara min samordnare läsa."
NOT_FOR_GUARDIANS = "Det här får mina vårdnadshavare inte läsa."
GUARDIAN_WORDS = "Vi föräldrar vill ha en tid efter skolan."


@pytest.fixture
def world(session):
    """A child of 14 (from 13 the child chooses what guardians see), two guardians,
    a relative; a harm-flagged action; the child's sent views with three audiences
    and a guardian's; a read by staff in the access log."""
    family = make_family(session, child_age=14)
    relative = make_person(session, "Mormor Test")
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    session.add(
        Action(
            plan_id=family.plan.id,
            title=HIDDEN_ACTION,
            description="Samtal om hemmet.",
            responsible_agency_id=family.coordinator_agency.id,
            status=ActionStatus.STARTED,
            harm_flag=True,
            harm_reason="OSL 12:3",
        )
    )
    now = datetime.now(UTC)
    child_views = Statement(
        meeting_id=family.meeting.id,
        author_id=family.child.id,
        status="submitted",
        submitted_at=now,
    )
    guardian_views = Statement(
        meeting_id=family.meeting.id,
        author_id=family.guardians[0].id,
        status="submitted",
        submitted_at=now,
    )
    session.add_all([child_views, guardian_views])
    session.flush()
    session.add_all(
        [
            StatementAnswer(statement_id=child_views.id, prompt="going_well", text=FOR_EVERYONE),
            StatementAnswer(
                statement_id=child_views.id,
                prompt="hard",
                text=FOR_COORDINATOR,
                audience="coordinator",
            ),
            StatementAnswer(
                statement_id=child_views.id,
                prompt="want_help",
                text=NOT_FOR_GUARDIANS,
                audience="not_guardians",
            ),
            StatementAnswer(
                statement_id=guardian_views.id, prompt="want_help", text=GUARDIAN_WORDS
            ),
        ]
    )
    record(session, AuditAction.READ, family.professional, family.plan, "plan", family.plan.id)
    session.commit()
    family.extra["relative"] = relative
    return family


def person_of(world, role: str) -> Person:
    return {
        "child": world.child,
        "guardian": world.guardians[0],
        "other_guardian": world.guardians[1],
        "relative": world.extra["relative"],
    }[role]


def ask(client, fmt: str = "json", **headers) -> None:
    answer = client.post(
        PAGE, data={"csrf_token": csrf_token(client, PAGE), "format": fmt}, headers=headers
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]


def newest(session, person: Person) -> DataExport:
    session.expire_all()
    return session.scalar(
        select(DataExport)
        .where(DataExport.person_id == person.id)
        .order_by(DataExport.id.desc())
        .limit(1)
    )


def token_of(client) -> tuple[int, str]:
    with client.session_transaction() as sess:
        ((export_id, token),) = sess["my_data_tokens"].items()
    return int(export_id), token


def download(client, export_id: int, token: str):
    return client.post(
        f"{PAGE}/{export_id}/download",
        data={"csrf_token": csrf_token(client, PAGE), "token": token},
    )


def export_of(client, fmt: str = "json", **headers):
    """Ask, then download at once (a small export is prepared in the request)."""
    ask(client, fmt, **headers)
    answer = download(client, *token_of(client))
    assert answer.status_code == 200
    return answer


def json_export(client) -> dict:
    return json.loads(export_of(client).get_data(as_text=True))


def page_text(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.get_data(as_text=True)


def all_text(data: object) -> str:
    """Every string in the export, joined (what a reader of the file could find)."""
    return json.dumps(data, ensure_ascii=False)


def action_titles(export: dict) -> set[str]:
    return {a["title"]["text"] for plan in export["plans"] for a in plan["actions"]}


def answers(export: dict) -> set[str]:
    return {
        answer["text"]
        for plan in export["plans"]
        for meeting in plan["meetings"]
        for statement in meeting["views"]
        for answer in statement["answers"]
    }


@pytest.mark.parametrize("role", ["child", "guardian", "relative"])
def test_each_family_member_s_export_holds_what_their_pages_show_and_nothing_hidden(
    client, world, role
):
    sign_in_as(client, person_of(world, role))
    plan_page = page_text(client, f"/plans/{world.plan.id}")
    # Others' views are on the meeting page; one's own on one's own views pages.
    meeting_page = page_text(client, f"/meetings/{world.meeting.id}")
    if role != "relative":
        for key in ("going_well", "hard", "want_help"):
            meeting_page += page_text(client, f"/meetings/{world.meeting.id}/my-views/{key}")
    export = json_export(client)

    (plan,) = export["plans"]
    assert plan["my_role"] == role
    titles = action_titles(export)
    for title in ("Samtal", HIDDEN_ACTION):
        # In the export exactly when the plan page shows it.
        assert (title in titles) == (f">{title}<" in plan_page or title in plan_page), title
    assert (HIDDEN_ACTION in titles) == (role == "child")
    for words in (FOR_EVERYONE, FOR_COORDINATOR, NOT_FOR_GUARDIANS, GUARDIAN_WORDS):
        shown = words in meeting_page
        assert (words in answers(export)) == shown, (role, words[:30])
        assert (words in all_text(export)) == shown
    # The consent page's agencies, and no other.
    consent_page = page_text(client, f"/plans/{world.plan.id}/consent")
    names = {row["agency"] for row in plan["consent"]["agencies"]}
    for agency in (world.coordinator_agency, world.professional_agency):
        assert (agency.name in names) == (agency.name in consent_page), agency.name
    # Staff reads in the log for those the who-can-see page shows it to.
    if role == "relative":
        assert plan["access_log"] is None
    else:
        assert [e["unit"] for e in plan["access_log"]] == [world.professional_agency.name]


def test_the_child_s_export_holds_the_child_s_own_words_in_full(client, world):
    sign_in_as(client, world.child)
    export = json_export(client)
    mine = [s for m in export["plans"][0]["meetings"] for s in m["views"] if s["mine"]]
    texts = {a["text"]: a["audience"] for s in mine for a in s["answers"]}
    assert texts == {
        FOR_EVERYONE: "everyone",
        FOR_COORDINATOR: "coordinator",
        NOT_FOR_GUARDIANS: "not_guardians",
    }
    assert len(FOR_EVERYONE) > 2000  # in full, never shortened


@pytest.mark.parametrize("guardian", ["guardian", "other_guardian"])
def test_a_guardian_s_export_never_holds_words_the_child_kept_from_guardians(
    client, world, guardian
):
    sign_in_as(client, person_of(world, guardian))
    text = all_text(json_export(client))
    assert FOR_EVERYONE in text
    assert NOT_FOR_GUARDIANS not in text
    assert FOR_COORDINATOR not in text
    assert HIDDEN_ACTION not in text


def test_the_html_export_is_a_page_in_the_reader_s_language_right_to_left_too(client, world):
    sign_in_as(client, world.guardians[0])
    with client.session_transaction() as sess:
        sess["lang"] = "ar"  # the language the person chose in the app
    answer = export_of(client, "html")
    assert answer.mimetype == "text/html"
    body = answer.get_data(as_text=True)
    assert re.search(r'<html lang="ar" dir="rtl">', body)
    assert "<script" not in body
    assert GUARDIAN_WORDS in body and "Samtal" in body
    assert NOT_FOR_GUARDIANS not in body and HIDDEN_ACTION not in body

    with client.session_transaction() as sess:
        sess["lang"] = "sv"
    answer = export_of(client, "html")
    assert '<html lang="sv" dir="ltr">' in answer.get_data(as_text=True)


def test_a_download_is_an_attachment_never_kept_by_a_browser_or_proxy(client, world):
    sign_in_as(client, world.child)
    answer = export_of(client)
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    assert answer.headers["Content-Disposition"].endswith('.json"')
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.mimetype == "application/json"


def test_the_link_works_once_then_says_so_and_offers_a_new_one(client, session, world):
    sign_in_as(client, world.guardians[0])
    ask(client)
    export_id, token = token_of(client)
    assert download(client, export_id, token).status_code == 200
    export = newest(session, world.guardians[0])
    assert export.downloaded_at is not None and export.content is None  # gone with it
    again = download(client, export_id, token)
    assert again.status_code == 410
    body = again.get_data(as_text=True)
    assert "Filen är redan nedladdad" in body
    assert 'action="/account/my-data"' in body  # ask again, one button
    assert "Nedladdad" in page_text(client, PAGE)


def test_after_seven_days_the_link_is_gone_and_the_daily_job_deletes_the_content(
    app, client, session, world
):
    from family_app.queue import run_daily

    sign_in_as(client, world.child)
    ask(client)
    export_id, token = token_of(client)
    export = newest(session, world.child)
    assert export.content is not None
    assert export.expires_at - export.created_at == timedelta(days=7)
    export.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()

    with app.app_context():
        assert run_daily(db.session)["exports"] == 1
    assert newest(session, world.child).content is None
    answer = download(client, export_id, token)
    assert answer.status_code == 410
    assert "Filen finns inte kvar" in answer.get_data(as_text=True)


def test_another_signed_in_person_cannot_use_the_link(app, client, world):
    sign_in_as(client, world.guardians[0])
    ask(client)
    export_id, token = token_of(client)

    for other in (world.guardians[1], world.child, world.extra["relative"]):
        stranger = app.test_client()
        sign_in_as(stranger, other)
        assert download(stranger, export_id, token).status_code == 404
    # The owner without the token (or with a wrong one) gets 404 too.
    assert download(client, export_id, "").status_code == 404
    assert download(client, export_id, token[:-1] + "x").status_code == 404
    # ... and the link still works for its owner with its token.
    assert download(client, export_id, token).status_code == 200


def test_staff_have_no_my_data_page(client, world):
    sign_in_as(client, world.coordinator)
    assert client.get(PAGE).status_code == 404


def test_asking_needs_the_csrf_token(client, world):
    sign_in_as(client, world.child)
    answer = client.post(PAGE, data={"format": "json"})
    assert answer.status_code == 400
    assert "Sidan behöver laddas om" in answer.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "my_data_tokens" not in sess
    answer = client.post(f"{PAGE}/1/download", data={"token": "x"})
    assert answer.status_code == 400


def test_no_format_chosen_re_renders_the_form_with_a_message(client, world):
    sign_in_as(client, world.child)
    answer = client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), "format": "pdf"})
    assert answer.status_code == 400
    assert "Välj vilken sorts fil du vill ha." in answer.get_data(as_text=True)


def test_asking_and_downloading_are_audited_without_anything_personal(client, session, world):
    sign_in_as(client, world.guardians[0])
    export_of(client)
    export = newest(session, world.guardians[0])
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "data_export").order_by(AuditEvent.id)
    ).all()
    assert [(r.action, r.detail, r.plan_id) for r in rows] == [
        ("export", "requested", None),
        ("export", "downloaded", None),
        ("export", "", world.plan.id),  # the child's plan was exported: rule 9
    ]
    assert all(r.actor_id == world.guardians[0].id and r.object_id == export.id for r in rows)


def test_the_download_reads_again_with_the_access_of_that_moment(client, session, world):
    """Prepared before a harm flag; downloaded after: the flagged part is not in it."""
    sign_in_as(client, world.guardians[0])
    ask(client)
    export_id, token = token_of(client)
    assert "Samtal" in newest(session, world.guardians[0]).content.decode()
    action = session.get(Action, world.action.id)
    action.harm_flag = True
    session.commit()

    text = download(client, export_id, token).get_data(as_text=True)
    assert "Samtal" not in text
    assert world.professional_agency.name not in text  # its agency is hidden with it


def test_a_guardian_s_request_holds_no_plan_once_the_child_is_18(client, session, world):
    sign_in_as(client, world.guardians[0])
    ask(client)
    export_id, token = token_of(client)
    child = session.get(Person, world.child.id)
    child.birth_date = birth_date_for_age(19, date.today())
    session.commit()
    export = json.loads(download(client, export_id, token).get_data(as_text=True))
    assert export["plans"] == []
    assert FOR_EVERYONE not in all_text(export)


def test_the_page_says_while_it_is_being_prepared_and_the_queue_prepares_it(database_url, world):
    """Large data goes to the queue: the page says it is being prepared (no script
    needed: a link to look again); huey's immediate mode runs the job here."""
    from family_app import create_app
    from family_app.queue import queue_of

    app = create_app(app_config(database_url, MY_DATA_INLINE_ROWS=0))
    huey = queue_of(app)
    client = app.test_client()
    sign_in_as(client, world.child)
    ask(client)
    export_id, token = token_of(client)
    assert "Vi gör i ordning din fil" in client.get(PAGE).get_data(as_text=True)
    waiting = download(client, export_id, token)
    assert waiting.status_code == 303  # not ready: back to the page

    huey.immediate = True
    try:
        ask(client)  # a new request closes the old one; the job runs at once
    finally:
        huey.immediate = False
    export_id, token = token_of(client)
    assert "Ladda ner min data" in client.get(PAGE).get_data(as_text=True)
    answer = download(client, export_id, token)
    assert answer.status_code == 200
    assert FOR_EVERYONE in answers(json.loads(answer.get_data(as_text=True)))


def test_the_devices_page_leads_to_my_data_and_the_export_holds_no_keys(client, session, world):
    from family_app.models import Credential, PushSubscription

    guardian = world.guardians[0]
    session.add(
        Credential(
            person_id=guardian.id, credential_id=b"cred-1", public_key=b"secret-key", name="Mobil"
        )
    )
    session.add(
        PushSubscription(
            person_id=guardian.id,
            endpoint="https://push.example.org/secret-endpoint",
            p256dh="B" + "A" * 86,
            auth="secret-auth-22-chars-x",
        )
    )
    session.commit()
    sign_in_as(client, guardian)
    assert 'href="/account/my-data"' in page_text(client, "/account/devices")
    export = json_export(client)
    assert [k["name"] for k in export["devices"]["passkeys"]] == ["Mobil"]
    assert len(export["devices"]["push"]) == 1
    text = all_text(export)
    for secret in ("secret-endpoint", "secret-auth", "secret-key", "Y3JlZC0x"):
        assert secret not in text


def test_when_the_queue_cannot_take_the_job_the_request_prepares_it(
    database_url, world, monkeypatch
):
    from family_app import create_app
    from family_app.account import my_data_routes

    def broken(_app):
        raise ConnectionError("queue down")

    monkeypatch.setattr("family_app.queue.queue_of", broken)
    app = create_app(app_config(database_url, MY_DATA_INLINE_ROWS=0))
    client = app.test_client()
    sign_in_as(client, world.child)
    ask(client)
    assert "Ladda ner min data" in client.get(PAGE).get_data(as_text=True)
    assert my_data_routes.INLINE_ROWS == 2000  # the default for everyone else


def same_session(app, client):
    """A second browser tab of the same sign-in: the same session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def test_two_downloads_at_the_same_instant_hand_the_file_over_once(app, client, session, world):
    """Once only, even for a double tap: two requests with the same token at the
    same instant (the download is claimed with one conditional UPDATE)."""
    sign_in_as(client, world.child)
    ask(client)
    export_id, token = token_of(client)
    tabs = [client, same_session(app, client)]
    posts = [
        (tab, {"csrf_token": csrf_token(tab, PAGE), "token": token}) for tab in tabs for _ in (1, 2)
    ]
    barrier = threading.Barrier(len(posts))
    results: list[int] = []

    def tap(tab, form):
        barrier.wait()
        results.append(tab.post(f"{PAGE}/{export_id}/download", data=form).status_code)

    threads = [threading.Thread(target=tap, args=post) for post in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 410, 410, 410], results
    export = newest(session, world.child)
    assert export.downloaded_at is not None and export.content is None
    downloads = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "data_export",
            AuditEvent.detail == "downloaded",
        )
    ).all()
    assert len(downloads) == 1


def test_a_download_that_lost_the_race_is_refused(app, client, session, world, monkeypatch):
    """The request read the row as ready, but another took it meanwhile: the
    claim (not the earlier read) decides, and the answer is 410."""
    from family_app.account import my_data

    sign_in_as(client, world.guardians[0])
    ask(client)
    export_id, token = token_of(client)
    real_claim = my_data.claim_download

    def taken_meanwhile(db_session, export, now):
        other = db.session_factory()
        other.get(DataExport, export_id).downloaded_at = now
        other.commit()
        other.close()
        return real_claim(db_session, export, now)

    monkeypatch.setattr(my_data, "claim_download", taken_meanwhile)
    answer = download(client, export_id, token)
    assert answer.status_code == 410
    assert "Filen är redan nedladdad" in answer.get_data(as_text=True)


def test_a_file_made_while_a_new_request_closed_the_old_one_is_not_kept(
    app, session, world, monkeypatch
):
    """prepare() read the request as open, then ask() closed it: the file it made
    is not written onto the closed request (its content stays deleted)."""
    from family_app.account import my_data

    real_build = my_data.build_export

    def build_while_asked_again(*args, **kwargs):
        data = real_build(*args, **kwargs)
        # What ask() does to the older request, from another session meanwhile.
        session.execute(
            update(DataExport)
            .where(DataExport.id == export_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1), content=None)
        )
        session.commit()
        return data

    with app.test_request_context("/"):
        export, _token = my_data.ask(db.session, world.child, "sv", "json")
        db.session.commit()
        export_id = export.id
        monkeypatch.setattr(my_data, "build_export", build_while_asked_again)
        my_data.prepare(db.session, export)
        db.session.commit()
    session.expire_all()
    closed = session.get(DataExport, export_id)
    assert closed.content is None and closed.prepared_at is None


DRAFT_DECISION = "BUP skickar remiss om sömnen."
CAME = "Kurator Närvarande"
STAYED_AWAY = "Lärare Frånvarande"


def test_a_meeting_s_decisions_show_neither_on_the_pages_nor_in_the_export_until_it_is_held(
    app, session, world
):
    """Decisions may be written once a meeting has started; until the outcome is
    recorded (held) they are a draft: not on the meeting page, the next steps or in
    My data, for the child or a guardian. Then all show them, and who came."""
    meeting = session.get(Meeting, world.meeting.id)
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=2)
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    came = make_person(session, CAME)
    away = make_person(session, STAYED_AWAY)
    session.add_all(
        [
            MeetingAttendee(meeting_id=meeting.id, person_id=came.id),
            MeetingAttendee(meeting_id=meeting.id, person_id=away.id),
            Decision(
                meeting_id=meeting.id,
                what=DRAFT_DECISION,
                child_what=DRAFT_DECISION,
                by_date=date.today() + timedelta(days=20),
            ),
        ]
    )
    meeting.summary = "Vi pratade om sömnen."
    meeting.child_views_used = "Vi läste upp barnets tankar först."
    meeting.child_views_used_child = "Vi läste dina tankar först av allt."
    session.commit()

    def seen(person) -> tuple[str, dict]:
        c = app.test_client()
        sign_in_as(c, person)
        pages = page_text(c, f"/meetings/{meeting.id}") + page_text(
            c, f"/plans/{world.plan.id}/next"
        )
        (shown,) = [m for m in json_export(c)["plans"][0]["meetings"] if m["id"] == meeting.id]
        return pages, shown

    for person in (world.child, world.guardians[0]):
        pages, shown = seen(person)
        assert DRAFT_DECISION not in pages
        assert "Vi pratade om sömnen." not in pages
        assert shown["decisions"] == [] and shown["summary"] is None
        assert shown["child_views_used"] is None
        assert "läste" not in pages
        assert {CAME, STAYED_AWAY} <= set(shown["attendees"])  # invited, as the page says

    meeting = session.get(Meeting, meeting.id)
    meeting.status = MeetingStatus.HELD
    for attendee in meeting.attendees:
        attendee.attended = attendee.person_id == came.id
    session.commit()
    for person in (world.child, world.guardians[0]):
        pages, shown = seen(person)
        assert DRAFT_DECISION in pages
        assert "Vi pratade om sömnen." in pages
        assert [d["what"]["text"] for d in shown["decisions"]] == [DRAFT_DECISION]
        assert shown["summary"]["text"] == "Vi pratade om sömnen."
        # How the child's views were used: the child's own words for the child.
        used = (
            "Vi läste dina tankar först av allt."
            if person is world.child
            else "Vi läste upp barnets tankar först."
        )
        assert shown["child_views_used"]["text"] == used and used in pages
        c = app.test_client()
        sign_in_as(c, person)
        assert used in export_of(c, "html").get_data(as_text=True)
        assert CAME in shown["attendees"] and STAYED_AWAY not in shown["attendees"]
        assert shown["attendees_took_part"] is True
        assert STAYED_AWAY not in pages.split("De här var med")[1]

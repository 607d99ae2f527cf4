"""Issue 10: sessions that end, accounts no insider can take, logs without a child's words.

Each finding of the issue is a test here that failed before the change.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

import pytest
from sqlalchemy import select, text

from family_app import create_app
from family_app.auth.invitations import issue_invitation, normalise_code
from family_app.extensions import db
from family_app.models import Credential, Invitation, Notification, utcnow
from tests.conftest import app_config, csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person
from tests.softauthn import SoftAuthenticator

ORIGIN = "http://localhost:5000"
HX = {"HX-Request": "true"}
MARKER = "MARKER-ALVA-7f3a"


class Browser:
    """A test client that speaks the passkey script's JSON."""

    def __init__(self, client, page: str = "/sign-in"):
        self.client = client
        self.token = csrf_token(client, page)

    def post(self, path: str, body: dict):
        return self.client.post(
            path,
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-CSRFToken": self.token},
        )

    def register(self, authn: SoftAuthenticator, invite_token: str, name: str = "Min telefon"):
        options = self.post("/passkeys/register/options", {"token": invite_token})
        if options.status_code != 200:
            return options, None
        credential = authn.register(options.get_json())
        return self.post(
            "/passkeys/register/verify", {"credential": credential, "name": name}
        ), credential

    def sign_in(self, authn: SoftAuthenticator):
        options = self.post("/passkeys/sign-in/options", {}).get_json()
        return self.post("/passkeys/sign-in/verify", {"credential": authn.sign_in(options)})


def _invite(session, person, **kwargs) -> str:
    issued = issue_invitation(session, person, None, 14, **kwargs)
    session.commit()
    return issued.token


def _copy_cookie(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    cookie = client.get_cookie("family")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("family", cookie.value)
    return thief


@pytest.fixture
def family(session):
    return make_family(session)


# --- sessions that end --------------------------------------------------------------------


def test_a_copied_cookie_is_dead_after_sign_out(app, client, family):
    sign_in_as(client, family.guardians[0])
    thief = _copy_cookie(app, client)
    assert thief.get("/account/devices").status_code == 200
    token = csrf_token(client, "/account/devices")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 303
    assert thief.get("/account/devices").status_code == 302


def test_a_copied_cookie_is_dead_after_quick_exit(app, client, family):
    sign_in_as(client, family.child)
    thief = _copy_cookie(app, client)
    token = csrf_token(client, "/account/devices")
    assert client.post("/quick-exit", headers={"X-CSRFToken": token}).status_code == 204
    assert thief.get("/account/devices").status_code == 302


def test_sign_in_gives_a_new_session_id(client, session, family):
    client.get("/sign-in")
    before = client.get_cookie("family").value
    browser = Browser(client)
    response, _cred = browser.register(
        SoftAuthenticator(ORIGIN), _invite(session, family.guardians[0])
    )
    assert response.status_code == 200
    assert client.get_cookie("family").value != before


def test_removing_a_passkey_ends_the_sessions_made_with_it(app, session, family):
    guardian = family.guardians[0]
    phone = app.test_client()
    response, _cred = Browser(phone).register(SoftAuthenticator(ORIGIN), _invite(session, guardian))
    assert response.status_code == 200
    assert phone.get("/account/devices").status_code == 200
    stored = session.scalar(select(Credential).where(Credential.person_id == guardian.id))
    laptop = app.test_client()
    sign_in_as(laptop, guardian)
    token = csrf_token(laptop, "/account/devices")
    removed = laptop.post(f"/account/devices/{stored.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert phone.get("/account/devices").status_code == 302
    assert laptop.get("/account/devices").status_code == 200


def test_agency_admin_ends_a_colleagues_sessions(app, session):
    agency = make_agency(session)
    admin = make_person(session, "Admin", is_admin=True, agency_id=agency.id)
    colleague = make_person(session, "Kollega", agency_id=agency.id)
    elsewhere = make_person(session, "Annan", agency_id=make_agency(session).id)
    session.commit()
    work_phone = app.test_client()
    sign_in_as(work_phone, colleague)
    admin_client = app.test_client()
    sign_in_as(admin_client, admin)
    token = csrf_token(admin_client, "/admin/")
    ended = admin_client.post(
        f"/admin/people/{colleague.id}/end-sessions", data={"csrf_token": token}
    )
    assert ended.status_code == 303
    assert work_phone.get("/account/devices").status_code == 302
    other = admin_client.post(
        f"/admin/people/{elsewhere.id}/end-sessions", data={"csrf_token": token}
    )
    assert other.status_code == 404


# --- accounts no insider can take ----------------------------------------------------------


def test_coordinator_cannot_redeem_a_guardians_invitation_in_her_own_browser(
    client, session, family
):
    guardian = family.guardians[0]
    sign_in_as(client, family.coordinator)
    token = csrf_token(client, f"/workspace/plans/{family.plan.id}/people")
    page = client.post(
        f"/workspace/plans/{family.plan.id}/people/{guardian.id}/invitation",
        data={"csrf_token": token},
    )
    assert page.status_code == 200
    link = session.scalar(select(Invitation).where(Invitation.person_id == guardian.id))
    assert link is not None
    invite_token = _invite(session, guardian)
    assert "inte till dig" in client.get(f"/i/{invite_token}").get_data(as_text=True)
    browser = Browser(client, f"/workspace/plans/{family.plan.id}/people")
    response, _cred = browser.register(SoftAuthenticator(ORIGIN), invite_token)
    assert response.status_code == 410
    assert session.scalar(select(Credential).where(Credential.person_id == guardian.id)) is None


def _guardian_with_passkey(app, session, family):
    guardian = family.guardians[0]
    phone = app.test_client()
    authn = SoftAuthenticator(ORIGIN)
    response, _cred = Browser(phone).register(authn, _invite(session, guardian))
    assert response.status_code == 200
    return guardian, phone


def test_reinviting_an_account_with_passkeys_needs_a_reason(app, session, family):
    guardian, _phone = _guardian_with_passkey(app, session, family)
    coordinator = app.test_client()
    sign_in_as(coordinator, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/people"
    token = csrf_token(coordinator, path)
    refused = coordinator.post(
        f"{path}/{guardian.id}/invitation", data={"csrf_token": token, "reason": "  "}
    )
    assert refused.status_code == 400
    assert 'aria-describedby="reason-' in refused.get_data(as_text=True)
    given = coordinator.post(
        f"{path}/{guardian.id}/invitation",
        data={"csrf_token": token, "reason": "Tappade telefonen"},
    )
    assert given.status_code == 200
    reasons = session.scalars(select(Invitation.reason).where(Invitation.reason.is_not(None)))
    assert list(reasons) == ["Tappade telefonen"]


def test_a_passkey_from_a_reinvitation_is_pending_until_confirmed(app, session, family):
    guardian, phone = _guardian_with_passkey(app, session, family)
    # The coordinator re-invites; someone else (the coordinator's own phone) redeems it.
    intruder = app.test_client()
    response, _cred = Browser(intruder).register(
        SoftAuthenticator(ORIGIN), _invite(session, guardian, reason="Ny telefon")
    )
    assert response.status_code == 200
    session.expire_all()
    new = session.scalar(
        select(Credential)
        .where(Credential.person_id == guardian.id)
        .order_by(Credential.id.desc())
        .limit(1)
    )
    assert new.pending_until is not None and new.is_pending(utcnow())
    kinds = set(session.scalars(select(Notification.kind)))
    assert "passkey_pending" in kinds

    # The pending session may not change consent.
    agency = family.professional_agency.id
    consent_path = f"/plans/{family.plan.id}/consent/{agency}/revoke"
    assert intruder.get(consent_path).status_code == 404
    token = csrf_token(intruder, "/account/devices")
    assert intruder.post(consent_path, data={"csrf_token": token}).status_code == 404
    # ... nor confirm itself.
    confirm = f"/account/devices/{new.id}/confirm"
    assert intruder.post(confirm, data={"csrf_token": token}).status_code == 404

    # The owner's old phone sees it, and confirms it.
    page = phone.get("/account/devices").get_data(as_text=True)
    assert "Det var inte jag" in page
    token = csrf_token(phone, "/account/devices")
    assert phone.post(confirm, data={"csrf_token": token}).status_code == 303
    assert intruder.get(consent_path).status_code == 200


def test_this_wasnt_me_removes_the_passkey_and_alerts_the_agency_admin(app, session, family):
    guardian, phone = _guardian_with_passkey(app, session, family)
    admin = make_person(session, "Admin", is_admin=True, agency_id=family.coordinator.agency_id)
    issued = issue_invitation(session, guardian, family.coordinator, 14, reason="Ny telefon")
    session.commit()
    intruder = app.test_client()
    response, _cred = Browser(intruder).register(SoftAuthenticator(ORIGIN), issued.token)
    assert response.status_code == 200
    new_id = session.scalar(select(Credential.id).where(Credential.pending_until.is_not(None)))
    token = csrf_token(phone, "/account/devices")
    reported = phone.post(f"/account/devices/{new_id}/not-me", data={"csrf_token": token})
    assert reported.status_code == 303
    session.expire_all()
    assert session.get(Credential, new_id) is None
    assert intruder.get("/account/devices").status_code == 302
    alerts = session.scalars(
        select(Notification.kind).where(Notification.person_id == admin.id)
    ).all()
    assert alerts == ["passkey_reported"]
    admin_client = app.test_client()
    sign_in_as(admin_client, admin)
    assert "Ny telefon" in admin_client.get("/admin/").get_data(as_text=True)


def test_a_pending_session_does_not_read_the_childs_answers(app, session, family):
    from family_app.models import AgendaItem, Statement, StatementAnswer

    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=family.child.id,
        status="submitted",
        submitted_at=utcnow(),
    )
    session.add(statement)
    session.flush()
    answer = StatementAnswer(statement_id=statement.id, prompt="want_help", text=MARKER)
    session.add(answer)
    session.flush()
    session.add(AgendaItem(meeting_id=family.meeting.id, source="child", answer_id=answer.id))
    session.commit()
    guardian, phone = _guardian_with_passkey(app, session, family)
    wishes = f"/meetings/{family.meeting.id}"
    assert MARKER in phone.get(wishes).get_data(as_text=True)
    intruder = app.test_client()
    Browser(intruder).register(SoftAuthenticator(ORIGIN), _invite(session, guardian))
    assert MARKER not in intruder.get(wishes).get_data(as_text=True)


def test_passkey_user_name_is_neutral(client, session, family):
    guardian = family.guardians[0]
    browser = Browser(client)
    options = browser.post(
        "/passkeys/register/options", {"token": _invite(session, guardian)}
    ).get_json()
    user = options["user"]
    for shown in (user["name"], user["displayName"]):
        assert shown.startswith("Min SIP ")
        assert guardian.first_name not in shown and guardian.display_name not in shown


def test_registering_an_existing_credential_id_is_a_clear_error(
    app, session, family, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("tests.softauthn.os.urandom", lambda n: b"\x01" * n)
    first, _cred = Browser(app.test_client()).register(
        SoftAuthenticator(ORIGIN), _invite(session, family.guardians[0])
    )
    assert first.status_code == 200
    other = make_family(session).guardians[0]
    session.commit()
    again, _cred = Browser(app.test_client()).register(
        SoftAuthenticator(ORIGIN), _invite(session, other), name=MARKER
    )
    assert again.status_code == 400
    assert "finns redan" in again.get_json()["error"]
    assert MARKER not in caplog.text


# --- input hygiene at the edge -------------------------------------------------------------


def test_nul_in_an_autosave_is_refused_plainly_and_the_text_kept(app, session, family):
    child = app.test_client()
    sign_in_as(child, family.child)
    step = f"/meetings/{family.meeting.id}/my-views/hard"
    token = csrf_token(child, step)
    response = child.post(
        step + "/autosave",
        data={"csrf_token": token, "text": f"Matten\x00{MARKER}", "audience": "everyone"},
        headers=HX,
    )
    # htmx swaps this into the status line; the field itself keeps the text.
    assert response.status_code == 400
    assert "specialtecken" in response.get_data(as_text=True)
    plain = child.post(step, data={"csrf_token": token, "text": f"a\x07{MARKER}", "go": "next"})
    assert plain.status_code == 400 and f"a{MARKER}" in plain.get_data(as_text=True)


def test_newlines_and_tabs_stay_allowed(app, session, family):
    child = app.test_client()
    sign_in_as(child, family.child)
    step = f"/meetings/{family.meeting.id}/my-views/hard"
    token = csrf_token(child, step)
    response = child.post(
        step + "/autosave",
        data={"csrf_token": token, "text": "Rad ett\r\nRad två\tslut", "audience": "everyone"},
        headers=HX,
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/plans/99999999999999999999999",
        "/plans/2147483648",
        "/meetings/18446744073709551616",
        "/account/devices/99999999999999999999/remove",
    ],
)
def test_ids_past_the_integer_range_answer_404(client, family, path):
    sign_in_as(client, family.guardians[0])
    assert client.get(path).status_code == 404


# --- logs without a child's words ----------------------------------------------------------


def test_error_paths_leave_no_marked_text_in_any_log(database_url, session, caplog):
    """Every kind of error answer, each fed the marker: not one log line holds it."""
    caplog.set_level(logging.DEBUG)
    app = create_app(app_config(database_url, PROPAGATE_EXCEPTIONS=False, RATELIMIT_ENABLED=True))

    @app.get("/__test/boom")
    def boom():  # a view that fails with the marker in its message and its SQL
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": MARKER})
        return ""

    @app.get("/__test/raise")
    def raise_marker():
        raise ValueError(MARKER)

    from family_app.access import Policy, guard

    app.view_functions["boom"] = guard(Policy.PUBLIC)(boom)
    app.view_functions["raise_marker"] = guard(Policy.PUBLIC)(raise_marker)

    family = make_family(session)
    session.commit()
    client = app.test_client()
    sign_in_as(client, family.child)
    token = csrf_token(client, "/account/devices")
    step = f"/meetings/{family.meeting.id}/my-views/hard"
    responses = [
        client.get(f"/__test/boom?q={MARKER}"),
        client.get(f"/__test/raise?q={MARKER}"),
        client.get(f"/plans/{MARKER}"),
        client.get(f"/i/{MARKER}"),
        client.post(step, data={"text": MARKER}),  # no CSRF token
        client.post(step + "/autosave", data={"csrf_token": token, "text": f"\x00{MARKER}"}),
        client.post("/invitation/code", data={"csrf_token": token, "code": MARKER}),
        client.post(
            "/passkeys/register/verify",
            json={"credential": {"id": MARKER}, "name": MARKER},
            headers={"X-CSRFToken": token},
        ),
        client.put(f"/plans/{family.plan.id}?{MARKER}=1"),
        client.post(step, data={"csrf_token": token, "text": MARKER * 200_000}),  # 413
    ]
    responses += [
        client.post(
            "/passkeys/sign-in/verify",
            json={"credential": {"rawId": MARKER}},
            headers={"X-CSRFToken": token},
        )
        for _ in range(12)
    ]
    assert responses[-1].status_code == 429 and 413 in [r.status_code for r in responses]
    assert [r.status_code for r in responses[:2]] == [500, 500]
    assert all(r.status_code < 500 for r in responses[2:])
    assert "Felkod" in responses[1].get_data(as_text=True)
    logged = "\n".join([caplog.text] + [str(r.exc_info) for r in caplog.records if r.exc_info])
    assert "request failed" in logged and "ValueError" in logged
    assert MARKER not in logged


# --- invitations and rate limits -----------------------------------------------------------


def test_invitation_codes_have_60_bits_and_a_keyed_hash(session, family):
    issued = issue_invitation(session, family.guardians[0], None, 14)
    session.commit()
    raw = normalise_code(issued.code)
    assert len(raw) == 12  # 12 characters of a 32-letter alphabet: 60 bits
    stored = session.get(Invitation, issued.invitation.id)
    assert stored.code_hash != hashlib.sha256(raw.encode()).hexdigest()
    assert stored.token_hash != hashlib.sha256(issued.token.encode()).hexdigest()


def test_a_stolen_database_alone_does_not_open_an_invitation(database_url, session, family):
    issued = issue_invitation(session, family.guardians[0], None, 14)
    session.commit()
    other_key = create_app(app_config(database_url, INVITATION_KEY="another-key-" + "x" * 30))
    response = other_key.test_client().get(f"/i/{issued.token}")
    assert response.status_code == 410
    create_app(app_config(database_url))  # the test key again, for the tests that follow


def test_guesses_per_invitation_are_limited_across_addresses(database_url):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True))
    codes = []
    for n in range(12):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        token = csrf_token(client, "/sign-in")
        codes.append(
            client.post(
                "/invitation/code", data={"code": "ABCD-EFGH-JKLM", "csrf_token": token}
            ).status_code
        )
    assert codes[:10] == [400] * 10 and codes[-1] == 429


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_configured(database_url):
    def attempts(app, spoof: bool) -> list[int]:
        client = app.test_client()
        token = csrf_token(client, "/sign-in")
        return [
            client.post(
                "/passkeys/sign-in/verify",
                json={"credential": {}},
                headers={
                    "X-CSRFToken": token,
                    **({"X-Forwarded-For": f"192.0.2.{n}"} if spoof else {}),
                },
            ).status_code
            for n in range(11)
        ]

    direct = create_app(app_config(database_url, RATELIMIT_ENABLED=True))
    assert attempts(direct, spoof=True)[-1] == 429  # a forged header changes nothing
    proxied = create_app(app_config(database_url, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1))
    assert 429 not in attempts(proxied, spoof=True)  # behind our proxy: the real client


def test_calendar_feed_is_rate_limited(database_url, session, family):
    from family_app.account.feeds import new_feed

    feed = new_feed(session, family.guardians[0])
    session.commit()
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True))
    client = app.test_client()
    codes = [client.get(f"/feeds/{feed}/calendar.ics").status_code for _ in range(31)]
    assert codes[0] == 200 and codes[-1] == 429


def test_sessions_live_on_the_server(client, family):
    sign_in_as(client, family.guardians[0])
    cookie = client.get_cookie("family").value
    assert "." not in cookie and len(cookie) < 64  # an id, not a signed payload
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT COUNT(*) FROM web_sessions")).scalar()
    assert rows >= 1


def test_the_daily_job_removes_expired_sessions_and_only_those(app, client, family):
    """Requests never clean the table (each costs the same); the daily job does."""
    sign_in_as(client, family.guardians[0])
    with db.engine.begin() as connection:
        live = connection.execute(text("SELECT COUNT(*) FROM web_sessions")).scalar()
        connection.execute(
            text(
                "INSERT INTO web_sessions (session_id, data, expiry) "
                "VALUES ('family:session:old', :data, :expiry)"
            ),
            {"data": b"\x80", "expiry": datetime(2020, 1, 1)},
        )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["reminders"])
    assert result.exit_code == 0, result.output
    assert "1 expired session(s) removed." in result.output
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM web_sessions")).scalar() == live
    assert client.get("/account/devices").status_code == 200


def test_the_command_line_never_silently_reinvites_an_account_with_passkeys(app, session, family):
    guardian, phone = _guardian_with_passkey(app, session, family)
    runner = app.test_cli_runner()

    def invite(*extra: str):
        with app.app_context():
            return runner.invoke(args=["invite", str(guardian.id), *extra])

    refused = invite()
    assert refused.exit_code != 0
    assert "--reason" in refused.output + str(refused.exception or "")
    pending = invite("--reason", "Ny telefon")
    assert pending.exit_code == 0 and "Code: " in pending.output
    replaced = invite("--replace-passkeys")
    assert replaced.exit_code == 0
    assert session.scalar(select(Credential.id).where(Credential.person_id == guardian.id)) is None
    assert phone.get("/account/devices").status_code == 302  # its passkey is gone


# --- fresh proof for sensitive acts ----------------------------------------------------------


def _age_proof(client, minutes: int = 10) -> None:
    import time

    with client.session_transaction() as sess:
        sess["proof"] = time.time() - minutes * 60


def test_sensitive_acts_in_an_old_session_ask_for_the_passkey_first(app, session, family):
    guardian = family.guardians[0]
    phone = app.test_client()
    authn = SoftAuthenticator(ORIGIN)
    response, _cred = Browser(phone).register(authn, _invite(session, guardian))
    assert response.status_code == 200
    stored = session.scalar(select(Credential).where(Credential.person_id == guardian.id))
    _age_proof(phone)
    token = csrf_token(phone, "/account/devices")
    agency = family.professional_agency.id
    revoke = f"/plans/{family.plan.id}/consent/{agency}/revoke"

    asked = phone.post(revoke, data={"csrf_token": token})
    assert asked.status_code == 303 and "/account/confirm" in asked.headers["Location"]
    assert phone.get(f"/account/devices/{stored.id}/remove").status_code == 303
    removed = phone.post(f"/account/devices/{stored.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303 and "/account/confirm" in removed.headers["Location"]
    adding = Browser(phone, "/account/devices").post("/passkeys/register/options", {})
    assert adding.status_code == 403
    assert "/account/devices" in phone.get("/account/devices").get_data(as_text=True)

    # One tap on the passkey, then the same acts go through.
    proof = Browser(phone, "/account/devices")
    options = proof.post("/passkeys/proof/options", {}).get_json()
    assert [c["id"] for c in options["allowCredentials"]]  # only this person's passkeys
    verified = proof.post(
        "/passkeys/proof/verify", {"credential": authn.sign_in(options), "next": revoke}
    )
    assert verified.status_code == 200 and verified.get_json()["redirect"] == revoke
    assert phone.post(revoke, data={"csrf_token": token}).status_code == 303
    assert phone.get(f"/account/devices/{stored.id}/remove").status_code == 200
    again = Browser(phone, "/account/devices").post("/passkeys/register/options", {})
    assert again.status_code == 200


def test_a_fresh_proof_needs_ones_own_passkey(app, session, family):
    guardian, other = family.guardians
    phone = app.test_client()
    Browser(phone).register(SoftAuthenticator(ORIGIN), _invite(session, guardian))
    stranger_key = SoftAuthenticator(ORIGIN)
    Browser(app.test_client()).register(stranger_key, _invite(session, other))
    _age_proof(phone)
    proof = Browser(phone, "/account/devices")
    options = proof.post("/passkeys/proof/options", {}).get_json()
    refused = proof.post("/passkeys/proof/verify", {"credential": stranger_key.sign_in(options)})
    assert refused.status_code == 400
    token = csrf_token(phone, "/account/devices")
    revoke = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/revoke"
    still_asked = phone.post(revoke, data={"csrf_token": token})
    assert still_asked.status_code == 303 and "/account/confirm" in still_asked.headers["Location"]


def test_a_request_in_flight_at_sign_out_cannot_bring_the_session_back(app, session, family):
    phone = app.test_client()
    response, _cred = Browser(phone).register(
        SoftAuthenticator(ORIGIN), _invite(session, family.guardians[0])
    )
    assert response.status_code == 200
    store = app.config["SESSION_CACHELIB"]
    key = app.config["SESSION_KEY_PREFIX"] + phone.get_cookie("family").value
    with app.app_context():
        in_flight = store.get(key)  # what a slow request read before the sign-out
    thief = _copy_cookie(app, phone)
    token = csrf_token(phone, "/account/devices")
    assert phone.post("/sign-out", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        store.set(key, in_flight)  # ... and saved after it
    assert thief.get("/account/devices").status_code == 302


def test_a_pending_passkey_may_do_everything_once_its_time_has_passed(app, session, family):
    from datetime import timedelta

    guardian, _phone = _guardian_with_passkey(app, session, family)
    intruder = app.test_client()
    Browser(intruder).register(SoftAuthenticator(ORIGIN), _invite(session, guardian))
    consent_path = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/revoke"
    assert intruder.get(consent_path).status_code == 404
    pending = session.scalar(select(Credential).where(Credential.pending_until.is_not(None)))
    pending.pending_until = utcnow() - timedelta(minutes=1)  # 72 hours have passed
    session.commit()
    assert intruder.get(consent_path).status_code == 200

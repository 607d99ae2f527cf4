"""Passkey ceremonies over HTTP with a software authenticator: what must succeed,
and everything that must be refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from family_app.auth.invitations import issue_invitation
from family_app.models import AuditEvent, Credential, utcnow
from tests.conftest import csrf_token
from tests.factories import make_family
from tests.softauthn import SoftAuthenticator

ORIGIN = "http://localhost:5000"


class Browser:
    """A test client that speaks the JSON the passkey script speaks."""

    def __init__(self, client):
        self.client = client
        self.token = csrf_token(client, "/sign-in")

    def post(self, path: str, body: dict):
        return self.client.post(
            path,
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-CSRFToken": self.token},
        )

    def register(self, authn: SoftAuthenticator, invite_token: str, **bend) -> tuple:
        options = self.post("/passkeys/register/options", {"token": invite_token})
        assert options.status_code == 200, options.get_data(as_text=True)
        credential = authn.register(options.get_json(), **bend)
        return self.post(
            "/passkeys/register/verify",
            {"credential": credential, "name": "Min telefon", "token": invite_token},
        ), credential

    def sign_in(self, authn: SoftAuthenticator, **bend):
        options = self.post("/passkeys/sign-in/options", {}).get_json()
        return self.post("/passkeys/sign-in/verify", {"credential": authn.sign_in(options, **bend)})


@pytest.fixture
def family(session):
    return make_family(session)


def _invite(session, person) -> str:
    issued = issue_invitation(session, person, None, 14)
    session.commit()
    return issued.token


def test_register_from_invitation_then_sign_in_without_a_name(client, session, family):
    guardian = family.guardians[0]
    browser = Browser(client)
    authn = SoftAuthenticator(ORIGIN)
    response, _credential = browser.register(authn, _invite(session, guardian))
    assert response.status_code == 200 and response.get_json()["redirect"] == "/"
    stored = session.scalars(select(Credential).where(Credential.person_id == guardian.id)).all()
    assert len(stored) == 1 and stored[0].name == "Min telefon"
    assert client.get(f"/plans/{family.plan.id}").status_code == 200
    # Signing in rotates the session, so the page gives a new CSRF token.
    signed_out = client.post(
        "/sign-out", data={"csrf_token": csrf_token(client, "/account/devices")}
    )
    assert signed_out.status_code == 303
    assert client.get(f"/plans/{family.plan.id}").status_code == 302

    again = Browser(client).sign_in(authn)
    assert again.status_code == 200
    assert client.get(f"/plans/{family.plan.id}").status_code == 200
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"register", "sign_in", "sign_out"} <= actions


def test_invitation_cannot_register_twice(client, session, family):
    token = _invite(session, family.guardians[0])
    browser = Browser(client)
    first, _ = browser.register(SoftAuthenticator(ORIGIN), token)
    assert first.status_code == 200
    second = Browser(client.application.test_client())
    options = second.post("/passkeys/register/options", {"token": token})
    assert options.status_code == 410
    assert "redan använts" in options.get_json()["error"]


def test_expired_invitation_is_refused_with_a_plain_message(client, session, family):
    issued = issue_invitation(session, family.guardians[0], None, 14)
    issued.invitation.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    options = Browser(client).post("/passkeys/register/options", {"token": issued.token})
    assert options.status_code == 410
    assert "gått ut" in options.get_json()["error"]
    page = client.get(f"/i/{issued.token}")
    assert page.status_code == 410 and "gått ut" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "bend",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://localhost:5001"},
        {"rp_id": "evil.example"},
    ],
)
def test_registration_from_wrong_origin_or_rp_is_refused(client, session, family, bend):
    response, _ = Browser(client).register(
        SoftAuthenticator(ORIGIN), _invite(session, family.guardians[0]), **bend
    )
    assert response.status_code == 400
    assert session.scalars(select(Credential)).all() == []


@pytest.mark.parametrize("bend", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}])
def test_sign_in_from_wrong_origin_or_rp_is_refused(client, session, family, bend):
    authn = SoftAuthenticator(ORIGIN)
    Browser(client).register(authn, _invite(session, family.guardians[0]))
    fresh = client.application.test_client()
    response = Browser(fresh).sign_in(authn, **bend)
    assert response.status_code == 400
    assert fresh.get(f"/plans/{family.plan.id}").status_code == 302


def test_replayed_challenge_is_refused(client, session, family):
    authn = SoftAuthenticator(ORIGIN)
    Browser(client).register(authn, _invite(session, family.guardians[0]))
    fresh = client.application.test_client()
    browser = Browser(fresh)
    options = browser.post("/passkeys/sign-in/options", {}).get_json()
    assertion = authn.sign_in(options)
    assert browser.post("/passkeys/sign-in/verify", {"credential": assertion}).status_code == 200
    replay = Browser(client.application.test_client())
    assert replay.post("/passkeys/sign-in/verify", {"credential": assertion}).status_code == 400


def test_sign_count_regression_is_refused_and_audited(client, session, family):
    authn = SoftAuthenticator(ORIGIN)
    Browser(client).register(authn, _invite(session, family.guardians[0]))
    assert Browser(client.application.test_client()).sign_in(authn, count=5).status_code == 200
    cloned = Browser(client.application.test_client()).sign_in(authn, count=3)
    assert cloned.status_code == 400
    assert "inte lita på" in cloned.get_json()["error"]
    details = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "sign_in_failed")
    )
    assert "counter_regression" in set(details)


def test_unknown_passkey_is_refused(client, session, family):
    authn = SoftAuthenticator(ORIGIN)
    Browser(client).register(authn, _invite(session, family.guardians[0]))
    session.execute(Credential.__table__.delete())
    session.commit()
    response = Browser(client.application.test_client()).sign_in(authn)
    assert response.status_code == 400 and "känner inte igen" in response.get_json()["error"]


def test_user_handle_must_match_the_credential_owner(client, session, family):
    authn = SoftAuthenticator(ORIGIN)
    Browser(client).register(authn, _invite(session, family.guardians[0]))
    authn.credentials[-1].user_handle = b"someone else"
    response = Browser(client.application.test_client()).sign_in(authn)
    assert response.status_code == 400


def test_passkey_endpoints_need_csrf(client):
    response = client.post("/passkeys/sign-in/options", json={})
    assert response.status_code == 400


def test_malformed_bodies_are_clear_400s_not_500s(client):
    browser = Browser(client)
    for path in ("/passkeys/sign-in/verify", "/passkeys/register/verify"):
        for body in (
            {},
            {"credential": "x"},
            {"credential": {"response": {}}},
            {"credential": {"response": {"clientDataJSON": "!!"}}},
        ):
            response = browser.post(path, body)
            assert response.status_code == 400, (path, body)
            assert response.get_json()["error"]


def test_signed_in_person_can_add_a_second_passkey(client, session, family):
    guardian = family.guardians[0]
    authn = SoftAuthenticator(ORIGIN)
    browser = Browser(client)
    browser.register(authn, _invite(session, guardian))
    browser.token = csrf_token(client, "/account/devices")  # the session was rotated
    options = browser.post("/passkeys/register/options", {}).get_json()
    assert [c["id"] for c in options["excludeCredentials"]]  # never the same one twice
    second = SoftAuthenticator(ORIGIN)
    response = browser.post(
        "/passkeys/register/verify", {"credential": second.register(options), "name": "Surfplatta"}
    )
    assert response.status_code == 200
    names = set(session.scalars(select(Credential.name).where(Credential.person_id == guardian.id)))
    assert names == {"Min telefon", "Surfplatta"}


def test_signed_out_person_cannot_add_a_passkey_without_invitation(client):
    response = Browser(client).post("/passkeys/register/options", {})
    assert response.status_code == 410


def test_typed_code_from_a_printed_invitation_registers_a_passkey(client, session, family):
    guardian = family.guardians[0]
    issued = issue_invitation(session, guardian, None, 14)
    session.commit()
    browser = Browser(client)
    typed = issued.code.lower().replace("-", " ")  # as a person might type it
    options = browser.post("/passkeys/register/options", {"code": typed})
    assert options.status_code == 200
    authn = SoftAuthenticator(ORIGIN)
    response = browser.post(
        "/passkeys/register/verify",
        {"credential": authn.register(options.get_json()), "name": "Telefon", "code": typed},
    )
    assert response.status_code == 200
    assert client.get(f"/plans/{family.plan.id}").status_code == 200
    again = Browser(client.application.test_client()).post(
        "/passkeys/register/options", {"code": typed}
    )
    assert again.status_code == 410


def test_an_invitation_for_someone_else_is_refused_while_signed_in(client, session, family):
    """A phone handed over while Sara is still signed in: Johan's invitation says to
    sign out first, and offers no way to add a passkey to either account."""
    from tests.conftest import sign_in_as

    issued = issue_invitation(session, family.guardians[1], None, 14)
    session.commit()
    sign_in_as(client, family.guardians[0])
    page = client.get(f"/i/{issued.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "Logga ut först" in html
    assert 'id="device-name"' not in html
    options = Browser(client).post("/passkeys/register/options", {"token": issued.token})
    assert options.status_code >= 400
    assert "Logga ut först" in options.get_json()["error"]
    assert issued.invitation.used_at is None

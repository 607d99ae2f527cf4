"""Every route with the Flask test client, with and without HX-Request."""

import re

import pytest
from sqlalchemy import select

from family_app.auth.invitations import issue_invitation
from family_app.models import AuditEvent
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("headers", [{}, HX])
def test_welcome_page_for_visitors(client, headers):
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    assert "Välkommen till Min SIP" in response.get_data(as_text=True)
    assert "HX-Request" in response.headers.get("Vary", "")


def test_healthz_answers_json_when_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_database_is_unreachable():
    from family_app import create_app
    from tests.conftest import app_config

    broken = create_app(app_config("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers_and_nonce(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts)
    assert "publickey-credentials-get=(self)" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers or "HttpOnly" in response.headers["Set-Cookie"]
    assert client.get("/sign-in").headers["Content-Security-Policy"] != csp  # fresh nonce


def test_html_lang_and_dir_follow_the_locale(client):
    html = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in html


def test_language_choice_is_remembered_and_needs_csrf(client):
    assert client.post("/language", data={"lang": "ar"}).status_code == 400
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"lang": "ar", "csrf_token": token, "next": "/sign-in"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    assert 'dir="rtl"' in client.get("/").get_data(as_text=True)


def test_language_next_never_leaves_the_site(client):
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"lang": "en", "csrf_token": token, "next": "//evil.example/x"}
    )
    assert response.headers["Location"] == "/"


def test_language_of_signed_in_person_is_saved(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    token = csrf_token(client, "/")
    response = client.post("/language", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    session.refresh(family.guardians[0])
    assert family.guardians[0].preferred_language == "en"


@pytest.mark.parametrize("headers", [{}, HX])
def test_sign_in_page(client, headers):
    response = client.get("/sign-in", headers=headers)
    assert response.status_code == 200
    assert "Kod från inbjudan" in response.get_data(as_text=True)


def test_unknown_invitation_link_says_so_plainly(client):
    response = client.get("/i/not-a-real-token")
    assert response.status_code == 410
    assert "Vi hittar inte den här inbjudan" in response.get_data(as_text=True)


def test_invitation_code_form_keeps_what_was_typed_on_error(client):
    token = csrf_token(client, "/sign-in")
    response = client.post("/invitation/code", data={"code": "WXYZ-2345", "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="WXYZ-2345"' in html and 'aria-invalid="true"' in html
    empty = client.post("/invitation/code", data={"code": " ", "csrf_token": token})
    assert empty.status_code == 400 and "Skriv koden" in empty.get_data(as_text=True)


def test_invitation_code_leads_to_the_invitation(client, session):
    family = make_family(session)
    issued = issue_invitation(session, family.guardians[0], None, 14)
    session.commit()
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/invitation/code", data={"code": issued.code.lower(), "csrf_token": token}
    )
    assert response.status_code == 200
    assert family.guardians[0].first_name in response.get_data(as_text=True)


def test_dev_sign_in_is_off_unless_configured(client, session):
    family = make_family(session)
    issued = issue_invitation(session, family.guardians[0], None, 14)
    session.commit()
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/invitation/dev-sign-in", data={"token": issued.token, "csrf_token": token}
    )
    assert response.status_code == 404


def test_dev_sign_in_uses_the_invitation_once(app, session):
    app.config["DEV_SIGN_IN"] = True
    client = app.test_client()
    family = make_family(session)
    issued = issue_invitation(session, family.guardians[0], None, 14)
    session.commit()
    page = client.get(f"/i/{issued.token}")
    assert page.status_code == 200
    token = csrf_token(client, f"/i/{issued.token}")
    first = client.post(
        "/invitation/dev-sign-in", data={"token": issued.token, "csrf_token": token}
    )
    assert first.status_code == 303
    plan_page = client.get("/", follow_redirects=True)
    assert family.child.display_name in plan_page.get_data(as_text=True)
    second = app.test_client()
    token = csrf_token(second, "/sign-in")
    again = second.post(
        "/invitation/dev-sign-in", data={"token": issued.token, "csrf_token": token}
    )
    assert again.status_code == 410
    assert "redan använts" in again.get_data(as_text=True)
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "sign_in" in actions


def test_sign_out_ends_the_session(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get(f"/plans/{family.plan.id}").status_code == 302


def test_sign_out_needs_a_session(client):
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("headers", [{}, HX])
def test_guardian_sees_plan_with_late_action_and_next_meeting(client, session, headers):
    from datetime import date, timedelta

    family = make_family(session)
    family.action.planned_start = date.today() - timedelta(days=5)
    session.commit()
    sign_in_as(client, family.guardians[0])
    response = client.get(f"/plans/{family.plan.id}", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert family.child.display_name in html
    assert "Hjälp som inte har börjat" in html
    assert "Det här händer härnäst" in html and "timeline__item--meeting" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_child_sees_the_child_version(client, session):
    family = make_family(session, child_age=10)
    sign_in_as(client, family.child)
    html = client.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert "Min plan" in html and "Hjälpen du får" in html


def test_plan_read_is_audited(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    client.get(f"/plans/{family.plan.id}")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "read"))
    assert event.plan_id == family.plan.id and event.actor_id == family.guardians[0].id
    assert event.child_id == family.child.id


def test_signed_out_plan_request_goes_to_sign_in_and_comes_back(client, session):
    family = make_family(session)
    response = client.get(f"/plans/{family.plan.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next=/plans/{family.plan.id}"


def test_other_familys_plan_is_404(client, session):
    mine = make_family(session)
    theirs = make_family(session)
    sign_in_as(client, mine.guardians[0])
    assert client.get(f"/plans/{theirs.plan.id}").status_code == 404
    assert client.get("/plans/999999").status_code == 404


def test_request_log_has_route_patterns_never_tokens_or_ids(app, session, caplog):
    import logging

    from family_app.request_log import log

    family = make_family(session)
    issued = issue_invitation(session, family.guardians[0], None, 14)
    session.commit()
    app.testing = False
    log.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="family_app.requests"):
            client = app.test_client()
            client.get(f"/i/{issued.token}")
            client.get(f"/plans/{family.plan.id}")
    finally:
        app.testing = True
        log.propagate = False
    text = caplog.text
    assert "GET /i/<token> 200" in text
    assert "GET /plans/<int:plan_id> 302" in text
    assert issued.token not in text and f"/plans/{family.plan.id}" not in text


def test_service_worker_caches_only_static_files_and_the_offline_page(client):
    import json
    import re

    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", body).group(1))
    assert assets and all(a.startswith("/static/") for a in assets)
    assert '"/offline"' in body
    offline = client.get("/offline").get_data(as_text=True)
    assert "Ingen anslutning" in offline and "csrf" not in offline.lower()


def test_https_deployments_get_hsts_and_secure_cookies(database_url):
    from family_app import create_app
    from tests.conftest import app_config

    app = create_app(app_config(database_url, WEBAUTHN_ORIGIN="https://sip.example.se"))
    response = app.test_client().get("/sign-in", base_url="https://sip.example.se")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-family=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

"""Sessions: idle and absolute timeouts, sign out everywhere, rate limits."""

import time

from family_app import create_app
from tests.conftest import app_config, csrf_token, sign_in_as
from tests.factories import make_family


def test_idle_session_ends_and_says_so_plainly(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    assert client.get(f"/plans/{family.plan.id}").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] = time.time() - 31 * 60  # default idle limit: 30 minutes
    response = client.get(f"/plans/{family.plan.id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du var borta en stund" in page


def test_absolute_limit_ends_even_a_busy_session(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    with client.session_transaction() as sess:
        sess["since"] = time.time() - 13 * 3600  # default absolute limit: 12 hours
    assert client.get(f"/plans/{family.plan.id}").status_code == 302


def test_sign_out_everywhere_ends_every_other_session(app, session):
    family = make_family(session)
    phone, laptop = app.test_client(), app.test_client()
    sign_in_as(phone, family.guardians[0])
    sign_in_as(laptop, family.guardians[0])
    token = csrf_token(phone, "/account/devices")
    assert phone.post("/account/sign-out-everywhere", data={"csrf_token": token}).status_code == 303
    assert laptop.get(f"/plans/{family.plan.id}").status_code == 302
    assert phone.get(f"/plans/{family.plan.id}").status_code == 302


def test_sign_in_attempts_are_rate_limited(database_url):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True))
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    codes = [
        client.post(
            "/passkeys/sign-in/verify", json={"credential": {}}, headers={"X-CSRFToken": token}
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [400] * 10
    assert codes[-1] == 429
    invitation = [
        client.post("/invitation/code", data={"code": "AAAA-BBBB", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert invitation[-1] == 429

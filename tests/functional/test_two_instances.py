"""Two instances, one truth: two app servers on one PostgreSQL and one Redis.

A sign-out, a revoked consent and a rate limit in one instance bind the very next
request in the other. Runs when FAMILY_APP_TEST_DATABASE_URL is PostgreSQL and
Redis answers (CI: .ci/run starts Redis); skipped otherwise.
"""

from __future__ import annotations

import copy
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar

import pytest

from family_app.auth.invitations import issue_invitation
from tests.conftest import TEST_SECRET
from tests.factories import make_family

DATABASE_URL = os.environ.get("FAMILY_APP_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("FAMILY_APP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "no Redis here"
        return False


pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres") or not _redis_answers(),
    reason="needs PostgreSQL (FAMILY_APP_TEST_DATABASE_URL) and Redis",
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


class Browser:
    """A tiny cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, url: str, data: dict | None = None, json_body: str | None = None) -> tuple:
        headers = {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        if json_body is not None:
            body = json_body.encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.csrf
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, url: str) -> str:
        _status, page = self.request(url)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, url
        self.csrf = match.group(1)
        return self.csrf

    def copy(self) -> Browser:
        other = Browser()
        for cookie in self.jar:
            other.jar.set_cookie(copy.copy(cookie))
        return other


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_APP_")}
    env.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "FAMILY_APP_SECRET_KEY": TEST_SECRET,
            "FAMILY_APP_REDIS_URL": REDIS_URL,
            "FAMILY_APP_DEV_SIGN_IN": "1",
            "FAMILY_APP_ORIGIN": f"http://localhost:{port}",
        }
    )
    code = (
        "from werkzeug.serving import run_simple; from family_app import create_app; "
        f"run_simple('127.0.0.1', {port}, create_app(), threaded=True)"
    )
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the instance stopped"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)  # waiting for a process to start, not for timing
    raise AssertionError("instance did not start")


@pytest.fixture
def instances(app) -> Iterator[tuple[str, str]]:
    ports = [_free_port(), _free_port()]
    processes = [_start(port) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes, strict=True):
            _wait_until_up(base, process)
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def _signed_in(base: str, token: str) -> Browser:
    browser = Browser()
    csrf = browser.token(base + "/sign-in")
    status, _page = browser.request(
        base + "/invitation/dev-sign-in", {"token": token, "csrf_token": csrf}
    )
    assert status == 303
    return browser


def test_sign_out_consent_and_rate_limits_bind_the_other_instance(instances, session):
    a, b = instances
    family = make_family(session)
    guardian, other_guardian = family.guardians
    tokens = {
        p.id: issue_invitation(session, p, None, 14).token
        for p in (guardian, other_guardian, family.professional)
    }
    session.commit()

    # A sign-out in B ends the session in A, even for a copy of the cookie.
    phone = _signed_in(a, tokens[guardian.id])
    assert phone.request(b + "/account/devices")[0] == 200  # one session, both instances
    stolen = phone.copy()
    csrf = phone.token(b + "/account/devices")
    assert phone.request(b + "/sign-out", {"csrf_token": csrf})[0] == 303
    assert stolen.request(a + "/account/devices")[0] == 302

    # A revocation in B stops the professional's next read in A.
    professional = _signed_in(a, tokens[family.professional.id])
    plan = f"/plans/{family.plan.id}"
    assert professional.request(a + plan)[0] == 200
    parent = _signed_in(b, tokens[other_guardian.id])
    csrf = parent.token(b + f"/plans/{family.plan.id}/consent")
    revoke = f"{plan}/consent/{family.professional_agency.id}/revoke"
    assert parent.request(b + revoke, {"csrf_token": csrf})[0] == 303
    assert professional.request(a + plan)[0] == 404

    # A rate limit reached in A holds in B.
    guesser = Browser()
    guesser.token(a + "/sign-in")
    empty = '{"credential": {}}'
    codes = []
    for _ in range(20):
        codes.append(guesser.request(a + "/passkeys/sign-in/verify", json_body=empty)[0])
        if codes[-1] == 429:
            break
    assert codes[-1] == 429
    guesser.token(b + "/sign-in")
    assert guesser.request(b + "/passkeys/sign-in/verify", json_body=empty)[0] == 429

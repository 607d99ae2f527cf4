"""Fresh proof end to end: an old session taps its passkey once, then goes on."""

import time

import msgspec
from sqlalchemy import create_engine, text

from family_app.config import normalise_database_url
from tests.browser.conftest import axe_violations, register_passkey


def _age_session(live_server, cookie: str, minutes: int = 10) -> None:
    """Make the session's last passkey proof lie in the past (as if it had been
    open a while), straight in the server-side session store."""
    engine = create_engine(normalise_database_url(live_server.database_url))
    key = "family:session:" + cookie
    with engine.begin() as conn:
        raw = conn.execute(
            text("SELECT data FROM web_sessions WHERE session_id = :k"), {"k": key}
        ).scalar_one()
        data = msgspec.msgpack.decode(raw)
        data["proof"] = time.time() - minutes * 60
        conn.execute(
            text("UPDATE web_sessions SET data = :d WHERE session_id = :k"),
            {"d": msgspec.msgpack.encode(data), "k": key},
        )
    engine.dispose()


def test_an_old_session_taps_its_passkey_before_adding_another(phone, live_server):
    page = phone()
    register_passkey(page, live_server.invite("johan"))
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "family")
    _age_session(live_server, cookie)

    page.goto("/account/devices")
    assert page.locator("#device-name").count() == 0  # not before a fresh proof
    page.get_by_role("link", name="Använd din inloggningsnyckel igen").click()
    page.wait_for_url("**/account/confirm**")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Använd min inloggningsnyckel").click()
    page.wait_for_url(lambda url: "/confirm" not in url)
    assert page.locator("#device-name").is_visible()

"""Web Push, the second channel of issue 13, end to end against a push service
started here.

The test acts as the browser and its push service: it makes a subscription the
way a browser does (a P-256 key pair and a 16-byte auth secret), hands it to the
app through the subscribe route, and runs an HTTP server on 127.0.0.1 that takes
the app's push requests. What arrives is decrypted with http_ece (RFC 8291,
aes128gcm) using the subscription's private key, and the VAPID signature is
checked against the app's public key (RFC 8292).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from family_app import create_app
from family_app.extensions import db
from family_app.models import (
    DeliveryStatus,
    Notification,
    PushSubscription,
)
from family_app.notifications import PUSH, TEXTS
from family_app.push import generate_keys, public_key_of, vapid_from_text
from family_app.queue import MAX_ATTEMPTS, send_due
from tests.conftest import app_config, csrf_token, sign_in_as
from tests.factories import make_family
from tests.functional.test_notify import (
    _consume,
    _deliveries,
    _free_port,
    _revoke,
    revoked_by_first_guardian,
)

SETTINGS = "/account/notifications/settings"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    """A push service on 127.0.0.1: records each request, answers 201 unless a
    path is told otherwise."""

    port: int
    received: list[Received] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def to(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path == f"/push/{name}"]


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            service.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            self.send_response(service.answers.get(self.path, 201))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service
    server.shutdown()
    server.server_close()


@dataclass
class Browser:
    """A browser's side of one subscription: its keys, and the JSON it sends."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def to_json(self) -> dict:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)},
        }

    def read(self, received: Received) -> dict:
        plain = http_ece.decrypt(
            received.body,
            private_key=self.private_key,
            auth_secret=self.auth,
            version="aes128gcm",
        )
        return json.loads(plain)


@pytest.fixture
def vapid_pem() -> str:
    return generate_keys()[0]


@pytest.fixture
def push_app(database_url: str, tmp_path, vapid_pem: str) -> Iterator[Flask]:
    """The app with a VAPID key, no SMTP (so only push is sent), the queue in real
    SQLite."""
    from tests.conftest import _empty_all_tables

    _empty_all_tables(database_url)
    app = create_app(
        app_config(
            database_url,
            VAPID_PRIVATE_KEY=vapid_pem,
            VAPID_SUBJECT="mailto:drift@example.org",
            QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        )
    )
    yield app
    db.engine.dispose()
    _empty_all_tables(database_url)


def subscribe(app: Flask, person, browser: Browser, client=None):
    """What static/js/push.js does after the browser subscribed."""
    client = client or app.test_client()
    sign_in_as(client, person)
    token = csrf_token(client, SETTINGS)
    return client.post(
        "/account/push/subscribe", json=browser.to_json(), headers={"X-CSRFToken": token}
    )


def check_vapid(received: Received, app_public: str, audience: str) -> dict:
    """The Authorization header: ``vapid t=JWT, k=key``; the JWT is ES256-signed
    by the app's key and its claims name the push service's origin."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"] == app_public
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature_b64)
    signature = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(app_public))
    key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        key.verify(signature, f"{header_b64}.{claims_b64}x".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience
    assert claims["sub"] == "mailto:drift@example.org"
    now = datetime.now(UTC).timestamp()
    assert now < claims["exp"] <= now + 24 * 3600
    return claims


def test_a_revoke_reaches_the_other_guardians_phone_encrypted_signed_and_safe(
    push_app, session, push_service, vapid_pem
):
    """The other guardian (English) and the coordinator (Swedish) have each turned
    notices on for a phone; the guardian who revokes has too, and gets nothing.
    The consumer sends; each phone decrypts a notice in its reader's language that
    says only that something changed and opens the consent page; the request is
    signed for that push service's origin and waits a day for a phone that is off."""
    family = make_family(session, child_age=10)
    family.guardians[1].preferred_language = "en"
    session.commit()
    phones = {
        "guardian1": Browser(f"{push_service.origin}/push/guardian1"),
        "coordinator": Browser(f"{push_service.origin}/push/coordinator"),
        "guardian0": Browser(f"{push_service.origin}/push/guardian0"),
    }
    for name, person in (
        ("guardian1", family.guardians[1]),
        ("coordinator", family.coordinator),
        ("guardian0", family.guardians[0]),
    ):
        answer = subscribe(push_app, person, phones[name])
        assert answer.status_code == 201, answer.get_data(as_text=True)
        assert answer.json["devices"] == 1

    _revoke(push_app, family)
    deliveries = _deliveries(session)
    assert [d.channel for d in deliveries] == [PUSH, PUSH]
    _consume(push_app)

    assert [d.status for d in _deliveries(session)] == [DeliveryStatus.SENT] * 2
    assert push_service.to("guardian0") == []
    app_public = public_key_of(vapid_from_text(vapid_pem))
    with push_app.app_context(), force_locale("en"):
        english = str(TEXTS["consent_changed"])
    with push_app.app_context(), force_locale("sv"):
        swedish = str(TEXTS["consent_changed"])
    consent_page = f"/plans/{family.plan.id}/consent"
    expected = {"guardian1": ("en", english), "coordinator": ("sv", swedish)}
    for name, (lang, words) in expected.items():
        (received,) = push_service.to(name)
        assert received.headers["content-encoding"] == "aes128gcm"
        assert received.headers["ttl"] == str(24 * 3600)
        assert received.headers["topic"].startswith("n")
        check_vapid(received, app_public, push_service.origin)
        notice = phones[name].read(received)
        assert notice["lang"] == lang and notice["body"] == words
        assert notice["title"] == "Min SIP"
        assert notice["url"] == consent_page  # a path on our origin, no host
        assert notice["tag"].startswith("min-sip-")
        text = json.dumps(notice, ensure_ascii=False)
        for secret in (
            family.professional_agency.name,
            family.guardians[0].first_name,
            family.child.first_name,
        ):
            assert secret not in text
    assert all(
        s.last_used_at is not None
        for s in session.scalars(
            select(PushSubscription).where(PushSubscription.endpoint.not_like("%guardian0"))
        )
    )


def test_a_phone_that_has_unsubscribed_410_is_removed_and_nothing_fails(
    push_app, session, push_service
):
    """410 Gone (or 404) from the push service: that browser is forgotten at once;
    with no browser left the delivery is skipped, never failed or retried."""
    family = make_family(session, guardians=1)
    phone = Browser(f"{push_service.origin}/push/gone")
    assert subscribe(push_app, family.coordinator, phone).status_code == 201
    push_service.answers["/push/gone"] = 410
    _revoke(push_app, family)
    with push_app.app_context():
        assert send_due(db.session, datetime.now(UTC)) == {DeliveryStatus.SKIPPED: 1}
    assert len(push_service.to("gone")) == 1
    session.expire_all()
    assert session.scalars(select(PushSubscription)).all() == []
    # The next notice writes no push delivery: nothing is subscribed.
    with push_app.app_context():
        from family_app.models import Person
        from family_app.notifications import notify

        notify(db.session, [db.session.get(Person, family.coordinator.id)], None, "plan_changed")
        db.session.commit()
    assert [d.status for d in _deliveries(session)] == [DeliveryStatus.SKIPPED]


def test_a_push_service_that_fails_or_is_down_is_retried_then_failed_and_the_coordinator_sees_it(
    push_app, session, push_service
):
    """500 from one push service, nothing listening for the other: retried with
    growing pauses; after the last attempt failed (error class and status, no
    address), the revocation stands, and My plans tells the coordinator."""
    family = make_family(session)
    assert (
        subscribe(
            push_app, family.guardians[1], Browser(f"{push_service.origin}/push/broken")
        ).status_code
        == 201
    )
    down = f"http://127.0.0.1:{_free_port()}/push/down"
    assert subscribe(push_app, family.coordinator, Browser(down)).status_code == 201
    push_service.answers["/push/broken"] = 500
    _revoke(push_app, family)
    now = datetime.now(UTC)
    with push_app.app_context():
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert sum(send_due(db.session, now).values()) == 2, attempt
            assert send_due(db.session, now) == {}, "not again before the pause"
            now += timedelta(hours=3)
    deliveries = _deliveries(session)
    assert [d.status for d in deliveries] == [DeliveryStatus.FAILED] * 2
    assert sorted(d.last_error for d in deliveries) == ["ConnectionError", "PushRefused 500"]
    assert len(push_service.to("broken")) == MAX_ATTEMPTS
    assert session.scalars(select(PushSubscription)).all(), "a failing phone is not removed"
    client = push_app.test_client()
    sign_in_as(client, family.coordinator)
    assert "2 meddelanden kunde inte skickas." in client.get("/workspace/").get_data(as_text=True)
    assert revoked_by_first_guardian(session, family)  # the change was never rolled back


def test_when_one_of_two_phones_fails_the_retry_carries_the_same_tag_and_topic(
    push_app, session, push_service
):
    """One delivery covers all of a person's browsers: a failure of one retries
    all, and the repeat to the phone that had it replaces the notice in place
    (same tag for the service worker, same Topic for the push service)."""
    family = make_family(session, guardians=1)
    good, bad = (Browser(f"{push_service.origin}/push/{n}") for n in ("good", "bad"))
    client = push_app.test_client()
    for phone in (good, bad):
        assert subscribe(push_app, family.coordinator, phone, client).status_code == 201
    push_service.answers["/push/bad"] = 503
    _revoke(push_app, family)
    now = datetime.now(UTC)
    with push_app.app_context():
        assert send_due(db.session, now) == {DeliveryStatus.PENDING: 1}
        push_service.answers["/push/bad"] = 201
        assert send_due(db.session, now + timedelta(minutes=2)) == {DeliveryStatus.SENT: 1}
    first, again = push_service.to("good")
    assert good.read(first)["tag"] == good.read(again)["tag"]
    assert first.headers["topic"] == again.headers["topic"]
    assert bad.read(push_service.to("bad")[-1])["tag"] == good.read(first)["tag"]


def test_no_push_delivery_for_a_topic_turned_off_or_without_a_phone(
    push_app, session, push_service
):
    """The settings form (no JavaScript) turns push off per topic; someone with no
    subscribed phone gets no push delivery at all."""
    family = make_family(session)
    client = push_app.test_client()
    assert (
        subscribe(
            push_app, family.guardians[1], Browser(f"{push_service.origin}/push/g1"), client
        ).status_code
        == 201
    )
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'name="push" value="consent" checked' in page  # on by default with a phone
    assert "1 telefon eller dator får dina notiser." in page
    token = csrf_token(client, SETTINGS)
    saved = client.post(SETTINGS, data={"csrf_token": token, "push": ["meetings", "plan"]})
    assert saved.status_code == 303
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'name="push" value="consent">' in page
    _revoke(push_app, family)
    assert _deliveries(session) == []  # guardian: consent off; coordinator: no phone


def test_without_a_vapid_key_push_is_not_offered(app, session):
    """No key configured: the page says so, no button or push boxes, the
    subscribe route does not exist for anyone (404), and no push delivery is
    written."""
    family = make_family(session)
    client = app.test_client()
    sign_in_as(client, family.guardians[1])
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "Notiser till telefonen finns inte på den här servern än." in page
    assert "data-push" not in page and 'name="push"' not in page
    token = csrf_token(client, SETTINGS)
    answer = client.post(
        "/account/push/subscribe",
        json=Browser("https://fcm.googleapis.com/fcm/send/x").to_json(),
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 404
    _revoke(app, family)
    assert all(d.channel != PUSH for d in _deliveries(session))


def test_the_subscribe_route_refuses_bad_input_with_a_clear_400(push_app, session):
    """Whatever the body, a 400 naming the bad part, never a 500; the endpoint
    must be https to a known push service (the server will post there), or
    loopback http in a test or debug server only; CSRF is required."""
    family = make_family(session, guardians=1)
    client = push_app.test_client()
    sign_in_as(client, family.guardians[0])
    token = csrf_token(client, SETTINGS)
    good = Browser("https://fcm.googleapis.com/fcm/send/abc").to_json()
    keys = good["keys"]

    def post(body, headers=None):
        return client.post(
            "/account/push/subscribe",
            data=body if isinstance(body, str | bytes) else json.dumps(body),
            content_type="application/json",
            headers={"X-CSRFToken": token} if headers is None else headers,
        )

    assert post(good, headers={}).status_code == 400  # no CSRF token
    cases = {
        "subscription": [b"not json", "[]", "null", '"x"'],
        "endpoint": [
            {"keys": keys},
            {"endpoint": 5, "keys": keys},
            {"endpoint": "http://fcm.googleapis.com/fcm/send/x", "keys": keys},
            {"endpoint": "https://push.example.org/x", "keys": keys},
            {"endpoint": "https://10.0.0.5/x", "keys": keys},
            {"endpoint": "https://fcm.googleapis.com.evil.example/x", "keys": keys},
            {"endpoint": "https://user:pw@fcm.googleapis.com/x", "keys": keys},
            {"endpoint": "https://fcm.googleapis.com:99999/x", "keys": keys},
            {"endpoint": "javascript:alert(1)", "keys": keys},
            {"endpoint": "https://fcm.googleapis.com/" + "x" * 1000, "keys": keys},
        ],
        "keys": [
            {"endpoint": good["endpoint"]},
            {"endpoint": good["endpoint"], "keys": {"p256dh": keys["p256dh"]}},
            {"endpoint": good["endpoint"], "keys": {"p256dh": "AAAA", "auth": keys["auth"]}},
            {"endpoint": good["endpoint"], "keys": {"p256dh": keys["p256dh"], "auth": "AAAA"}},
            {
                "endpoint": good["endpoint"],
                "keys": {"p256dh": "B" + "A" * 86, "auth": keys["auth"]},
            },
            {"endpoint": good["endpoint"], "keys": {"p256dh": keys["p256dh"], "auth": "!!"}},
        ],
    }
    for code, bodies in cases.items():
        for body in bodies:
            answer = post(body)
            assert answer.status_code == 400, body
            assert answer.json == {"error": code}, body
    assert session.scalars(select(PushSubscription)).all() == []
    assert post(good).status_code == 201
    assert post(good).status_code == 201  # the same browser again: still one
    session.expire_all()
    assert len(session.scalars(select(PushSubscription)).all()) == 1


def test_only_ones_own_phone_can_be_turned_off_and_a_shared_phone_moves(push_app, session):
    """Unsubscribing names the browser by its endpoint: someone else's is a 404.
    A phone someone else turns notices on for moves to them (one person per
    browser). Signing out everywhere forgets every phone of that person."""
    family = make_family(session)
    shared = Browser("https://fcm.googleapis.com/fcm/send/shared")
    own = Browser("https://updates.push.services.mozilla.com/wpush/v2/own")
    guardian, other = family.guardians
    assert subscribe(push_app, guardian, shared).status_code == 201
    assert subscribe(push_app, guardian, own).status_code == 201
    stranger = push_app.test_client()
    sign_in_as(stranger, other)
    token = csrf_token(stranger, SETTINGS)
    refused = stranger.post(
        "/account/push/unsubscribe", json={"endpoint": own.endpoint}, headers={"X-CSRFToken": token}
    )
    assert refused.status_code == 404
    assert subscribe(push_app, other, shared).status_code == 201
    session.expire_all()
    owners = {s.endpoint: s.person_id for s in session.scalars(select(PushSubscription))}
    assert owners == {shared.endpoint: other.id, own.endpoint: guardian.id}
    client = push_app.test_client()
    sign_in_as(client, guardian)
    assert "1 telefon eller dator får dina notiser." in client.get(SETTINGS).get_data(as_text=True)
    out = client.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf_token(client, SETTINGS)}
    )
    assert out.status_code == 303
    session.expire_all()
    assert [s.endpoint for s in session.scalars(select(PushSubscription))] == [shared.endpoint]
    done = stranger.post(
        "/account/push/unsubscribe",
        json={"endpoint": shared.endpoint},
        headers={"X-CSRFToken": csrf_token(stranger, SETTINGS)},
    )
    assert done.status_code == 200 and done.json["devices"] == 0
    session.expire_all()
    assert session.scalars(select(PushSubscription)).all() == []


def test_the_service_worker_shows_notices_and_opens_only_our_own_pages(push_app):
    """/sw.js handles push (with general words for an unreadable payload, in the
    reader's language) and notificationclick (same-origin paths only)."""
    body = push_app.test_client().get("/sw.js").get_data(as_text=True)
    assert 'addEventListener("push"' in body and 'addEventListener("notificationclick"' in body
    assert '"Det finns nytt i Min SIP."' in body
    assert "url.origin === self.location.origin" in body


def test_notices_never_carry_what_happened(push_app, session):
    """Every kind that may leave the app is pushed with its general words only."""
    from family_app.notifications import TOPIC_OF
    from family_app.push import payload

    family = make_family(session)
    with push_app.app_context():
        person = db.session.get(type(family.coordinator), family.coordinator.id)
        for kind in TOPIC_OF:
            notice = Notification(id=1000, person_id=person.id, plan_id=family.plan.id, kind=kind)
            made = payload(notice, person)
            with force_locale("sv"):
                assert made["body"] == str(TEXTS[kind])
            assert made["url"].startswith("/") and not made["url"].startswith("//")
            assert family.child.first_name not in json.dumps(made, ensure_ascii=False)

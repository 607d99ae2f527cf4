"""Web Push notices to the installed app (issue 13): VAPID keys, the browsers a
person has turned notices on for, and sending one notice to them.

A notice says *that* something happened and where to look, in the person's
language: the words come only from the notice's kind (``notifications.safe_text``),
never a name, an agency, a diagnosis or anything a person wrote (DESIGN.md §10).
It is encrypted for each browser (RFC 8291, aes128gcm) and signed with the
server's VAPID key (RFC 8292). An endpoint identifies a device, so it is never
logged, nor is the server's answer (it may echo it).

One delivery covers all of a person's browsers. When some take the notice and
one fails, the delivery is retried and goes to every browser again: we keep no
record per browser. That is harmless by design: each notice carries its own tag
(the service worker then replaces it in place, silently) and its own push
``Topic`` (a push service replaces a message still waiting for the phone), so a
browser that already had it shows it once.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import Notification, Person, PushSubscription, utcnow

log = logging.getLogger(__name__)

# A phone that is off gets the notice when it comes back within a day; after that
# the in-app list still has it.
TTL_SECONDS = 24 * 60 * 60
TIMEOUT_SECONDS = 20
# Enough for a phone, a tablet and a computer or two; the oldest goes first.
MAX_DEVICES = 10
MAX_ENDPOINT = 1000
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class InvalidSubscription(ValueError):
    """What the browser sent is no usable push subscription; ``code`` says which
    part (``subscription``, ``endpoint`` or ``keys``) for the 400 answer."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PushRefused(RuntimeError):
    """A push service answered neither success nor "gone" (5xx, 429, 400, 403 …):
    the delivery is retried. ``status`` is the HTTP status, all that is kept."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"push service answered {status}")
        self.status = status


# --- keys ------------------------------------------------------------------------------------


def b64url_decode(value: str) -> bytes:
    """Strict base64url (padding optional); ValueError for anything else."""
    if not isinstance(value, str) or not _B64URL.match(value):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_from_text(text: str) -> ec.EllipticCurvePrivateKey:
    """The VAPID private key from PEM, a base64url 32-byte raw key or base64url
    DER. ValueError (never showing the key) when it is not a P-256 private key."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key: Any = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except Exception as exc:  # noqa: BLE001 - every parse failure is "not a key"
        raise ValueError("not a P-256 private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 private key")
    return key


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    """The public key as browsers take it (``applicationServerKey``): the
    uncompressed point, base64url."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(point)


def application_server_key() -> str | None:
    """This server's public VAPID key for the page, or None without push."""
    text = current_app.config.get("VAPID_PRIVATE_KEY")
    return public_key_of(vapid_from_text(text)) if text else None


def generate_keys() -> tuple[str, str]:
    """A new key pair: (private key as PEM, public key base64url)."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, public_key_of(key)


# --- subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    if "*" in allowed:
        return True
    return any(host == name or host.endswith("." + name) for name in allowed)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_subscription(data: Any) -> Subscription:
    """A browser's ``PushSubscription.toJSON()``, checked. The server will post
    to the endpoint, so it must be https to a known push service
    (FAMILY_APP_PUSH_SERVICE_HOSTS), never an address inside our network; only a
    test or debug server also accepts http on this machine (the test's receiver).
    The keys must be a P-256 point (65 bytes) and a 16-byte secret."""
    if not isinstance(data, dict):
        raise InvalidSubscription("subscription")
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise InvalidSubscription("endpoint")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        port = parts.port  # ValueError for a bad port
    except ValueError as exc:
        raise InvalidSubscription("endpoint") from exc
    local_ok = bool(current_app.testing or current_app.debug) and host in LOOPBACK
    if (
        not host
        or parts.username
        or parts.password
        or parts.fragment
        or not endpoint.isascii()
        or any(c.isspace() for c in endpoint)
    ):
        raise InvalidSubscription("endpoint")
    if parts.scheme == "https":
        allowed = local_ok or (
            not _is_ip(host) and _host_allowed(host, current_app.config["PUSH_SERVICE_HOSTS"])
        )
    else:
        allowed = parts.scheme == "http" and local_ok
    if not allowed or (port is not None and not 0 < port < 65536):
        raise InvalidSubscription("endpoint")
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise InvalidSubscription("keys")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    try:
        point = b64url_decode(p256dh)
        secret = b64url_decode(auth)
        if len(point) != 65 or len(secret) != 16:
            raise ValueError("wrong length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise InvalidSubscription("keys") from exc
    return Subscription(endpoint=endpoint, p256dh=b64url_encode(point), auth=b64url_encode(secret))


def save_subscription(session: Session, person: Person, found: Subscription) -> PushSubscription:
    """Keep a browser for this person. A browser already known (a shared phone
    someone else had turned on) now belongs to this person alone: it gets the
    notices of whoever last asked for them there. Beyond MAX_DEVICES the least
    recently used goes."""
    row = session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == found.endpoint)
    )
    if row is None:
        row = PushSubscription(person_id=person.id, endpoint=found.endpoint)
        session.add(row)
    row.person_id = person.id
    row.p256dh = found.p256dh
    row.auth = found.auth
    row.created_at = utcnow()
    session.flush()
    keep = select(PushSubscription.id).where(PushSubscription.person_id == person.id)
    keep = keep.order_by(
        func.coalesce(PushSubscription.last_used_at, PushSubscription.created_at).desc(),
        PushSubscription.id.desc(),
    ).limit(MAX_DEVICES)
    session.execute(
        delete(PushSubscription)
        .where(PushSubscription.person_id == person.id, PushSubscription.id.not_in(keep))
        .execution_options(synchronize_session=False)
    )
    return row


def device_count(session: Session, person: Person) -> int:
    """How many browsers get this person's notices."""
    return session.scalar(
        select(func.count())
        .select_from(PushSubscription)
        .where(PushSubscription.person_id == person.id)
    )


def forget_devices(session: Session, person: Person) -> None:
    """No browser gets this person's notices any more (sign out everywhere: a
    lost phone must not keep receiving them)."""
    session.execute(
        delete(PushSubscription)
        .where(PushSubscription.person_id == person.id)
        .execution_options(synchronize_session=False)
    )


# --- sending ---------------------------------------------------------------------------------


def payload(notification: Notification, person: Person) -> dict[str, str]:
    """What the service worker shows, in the person's language: the app's name,
    the general words of the kind, the page to open (a path on our origin), a tag
    of its own and the language. Nothing from the database but ids in the path."""
    from .links import path_for
    from .mail import content_language
    from .notifications import safe_text, target

    languages = current_app.config["LANGUAGES"]
    language = person.preferred_language if person.preferred_language in languages else "sv"
    with force_locale(language):
        title = _("Min SIP")
        body = safe_text(notification, person)
    return {
        "title": title,
        "body": body,
        "url": target(notification, person) or path_for("account.notifications"),
        "tag": f"min-sip-{notification.id}",
        "lang": content_language(language),
        "dir": languages[language]["dir"],
        "icon": path_for("static", filename="icons/app-192.png"),
    }


@dataclass
class Outcome:
    """What became of one notice: how many browsers took it, how many were gone
    (and are removed), and the first other failure, if any."""

    delivered: int = 0
    removed: int = 0
    failure: BaseException | None = field(default=None)


def send_notice(session: Session, notification: Notification, person: Person) -> Outcome:
    """Encrypt and send one notice to each of the person's browsers. A push
    service answering 404 or 410 means that browser has unsubscribed: its row is
    deleted (in the caller's transaction). Any other failure is kept in the
    outcome, after trying the remaining browsers, for the caller to retry."""
    import requests
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush

    vapid = Vapid(private_key=vapid_from_text(current_app.config["VAPID_PRIVATE_KEY"]))
    data = json.dumps(payload(notification, person), ensure_ascii=False)
    outcome = Outcome()
    rows = session.scalars(
        select(PushSubscription)
        .where(PushSubscription.person_id == person.id)
        .order_by(PushSubscription.id)
    ).all()
    for row in rows:
        try:
            webpush(
                {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}},
                data=data,
                vapid_private_key=vapid,
                # A fresh dict each time: pywebpush writes aud (from this endpoint)
                # and exp into it.
                vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},
                content_encoding="aes128gcm",
                ttl=TTL_SECONDS,
                timeout=TIMEOUT_SECONDS,
                headers={"Topic": f"n{notification.id}", "Urgency": "normal"},
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                session.delete(row)
                outcome.removed += 1
            elif outcome.failure is None:
                outcome.failure = PushRefused(status)
            continue
        except requests.RequestException as exc:
            if outcome.failure is None:
                outcome.failure = exc
            continue
        row.last_used_at = utcnow()
        outcome.delivered += 1
    return outcome

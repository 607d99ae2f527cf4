"""Settings from environment variables (prefix FAMILY_APP_).

Everything a deployment may change lives here, so the rest of the code reads
``current_app.config`` and never the environment directly.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LANGUAGES: dict[str, dict[str, str]] = {
    # code: native name (in its own script) and writing direction. Swedish is the
    # source language; how far each catalogue is reviewed is in its own header.
    "sv": {"name": "Svenska", "dir": "ltr"},
    "en": {"name": "English", "dir": "ltr"},
    "ar": {"name": "العربية", "dir": "rtl"},
    "so": {"name": "Soomaali", "dir": "ltr"},
    "fa": {"name": "فارسی", "dir": "rtl"},
    "fa_AF": {"name": "دری", "dir": "rtl"},
    "ti": {"name": "ትግርኛ", "dir": "ltr"},
    "uk": {"name": "Українська", "dir": "ltr"},
    "pl": {"name": "Polski", "dir": "ltr"},
    "fi": {"name": "Suomi", "dir": "ltr"},
    "se": {"name": "Davvisámegiella", "dir": "ltr"},
    "ckb": {"name": "کوردیی ناوەندی", "dir": "rtl"},
    "bs": {"name": "Bosanski", "dir": "ltr"},
}


class ConfigError(RuntimeError):
    """Raised for a setting that would make the app unsafe or unable to run."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"FAMILY_APP_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"FAMILY_APP_{name} must be a whole number, not {raw!r}.") from exc


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = _env(name)
    if raw is None or not raw.strip():
        return default
    return tuple(part.strip().lower() for part in raw.split(",") if part.strip())


# The push services of the browsers people use (Chrome and Edge on Android via FCM,
# Firefox, Safari and iOS home-screen apps, Windows).
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(instance: Path) -> str:
    """A random key kept in the instance folder, shared by every worker; never in production."""
    import secrets

    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def derived_key(secret: str, purpose: str) -> str:
    """A key for one purpose derived from the secret key (development only)."""
    import hashlib
    import hmac

    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the config dict from the environment, then apply overrides (tests)."""
    env = _env("ENV", "development") or "development"
    database_url = os.environ.get("DATABASE_URL") or _env("DATABASE_URL")
    if not database_url:
        database_url = "sqlite:///" + str(Path(instance_path) / "family_app.db")

    port = _env_int("PORT", 5000)
    origin = _env("ORIGIN", f"http://localhost:{port}")
    production = env == "production"

    config: dict[str, Any] = {
        "ENV_NAME": env,
        "SECRET_KEY": _env("SECRET_KEY"),
        "DATABASE_URL": database_url,
        "PORT": port,
        # WebAuthn: the origin must match the browser's address exactly, port included.
        "WEBAUTHN_ORIGIN": origin,
        "WEBAUTHN_RP_ID": _env("RP_ID", "localhost"),
        "WEBAUTHN_RP_NAME": _env("RP_NAME", "Min SIP"),
        "INVITATION_DAYS": _env_int("INVITATION_DAYS", 14),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _env_int("SESSION_ABSOLUTE_HOURS", 12),
        # Child's say by age (DESIGN.md rule 3) and guardian access by age (rule 6).
        "CHILD_ASKED_FROM_AGE": _env_int("CHILD_ASKED_FROM_AGE", 6),
        "CHILD_ASSENT_FROM_AGE": _env_int("CHILD_ASSENT_FROM_AGE", 12),
        "CHILD_CONSENT_FROM_AGE": _env_int("CHILD_CONSENT_FROM_AGE", 15),
        "GUARDIAN_FULL_PROXY_UNDER_AGE": _env_int("GUARDIAN_FULL_PROXY_UNDER_AGE", 13),
        # From this birthday guardians lose access and the young person alone consents.
        "ADULT_FROM_AGE": _env_int("ADULT_FROM_AGE", 18),
        "CONSENT_MONTHS": _env_int("CONSENT_MONTHS", 12),
        # One Redis for every worker and instance: sessions and rate limits. Without
        # it, sessions live in the database and rate limits in each worker's memory
        # (fine for the embedded demo, not for production).
        "REDIS_URL": _env("REDIS_URL") or None,
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI"),
        # How many reverse proxies in front set X-Forwarded-For/-Proto; 0 = none,
        # trust nothing a client sends in those headers.
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        # Key for hashing invitation tokens and codes (HMAC): the database alone
        # then reveals nothing usable.
        "INVITATION_KEY": _env("INVITATION_KEY"),
        # Adding or removing a passkey and changing consent ask for the passkey again
        # when the session last proved itself longer ago than this.
        "FRESH_PROOF_MINUTES": _env_int("FRESH_PROOF_MINUTES", 5),
        # A passkey added to an account that already had one waits this long
        # (or for a confirmation from an existing device) before it may do everything.
        "PENDING_PASSKEY_HOURS": _env_int("PENDING_PASSKEY_HOURS", 72),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        # Notifications that leave the app (issue 13). The task queue: SQLite in the
        # instance folder when unset (no extra service for the demo), redis://… for
        # production. E-mail: smtp://host:port or smtps://user:password@host:port;
        # unset, deliveries wait in the outbox and nothing is sent.
        "QUEUE_URL": _env("QUEUE_URL") or None,
        # A claimed delivery whose consumer has not finished within this many
        # seconds is taken for dead and claimed again. Keep it well above the
        # longest send (the SMTP timeout is 20 s), or a slow send goes out twice;
        # the tests lower it to kill a real consumer.
        "QUEUE_CLAIM_TIMEOUT_SECONDS": _env_int("QUEUE_CLAIM_TIMEOUT_SECONDS", 600),
        "SMTP_URL": _env("SMTP_URL") or None,
        "MAIL_FROM": _env("MAIL_FROM", "Min SIP <no-reply@localhost>"),
        # Web Push (the installed app's notices): a P-256 private key (PEM, or the
        # 32-byte key in base64url as `family-app push keys` prints it), or a file
        # holding one; unset, push is not offered. The subject tells push services
        # whom to contact (mailto: or https:).
        "VAPID_PRIVATE_KEY": _env("VAPID_PRIVATE_KEY") or None,
        "VAPID_PRIVATE_KEY_FILE": _env("VAPID_PRIVATE_KEY_FILE") or None,
        "VAPID_SUBJECT": _env("VAPID_SUBJECT") or None,
        # The push services a browser's subscription may point at (host names or
        # their parent domains, comma-separated): the server posts to that address,
        # so anything else is refused. "*" allows any https host.
        "PUSH_SERVICE_HOSTS": _env_list("PUSH_SERVICE_HOSTS", PUSH_SERVICE_HOSTS),
        # A child gets no e-mail below this age (a guardian with custody and the
        # child would both have to turn it on; not offered yet).
        "CHILD_EMAIL_FROM_AGE": _env_int("CHILD_EMAIL_FROM_AGE", 13),
        # Lets the demo be used before passkeys exist on a device; never in production.
        "DEV_SIGN_IN": _env_bool("DEV_SIGN_IN", False),
        "EXIT_URL": _env("EXIT_URL", "https://www.google.com/"),
        # For translators and the browser tests: an interface string the reader's
        # catalogue lacks is shown between ⟦ and ⟧ instead of silently in Swedish.
        "MARK_UNTRANSLATED": _env_bool("MARK_UNTRANSLATED", False),
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "WTF_CSRF_TIME_LIMIT": None,  # the session bounds the token's life
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=0),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12)),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "TESTING": False,
    }
    if overrides:
        config.update(overrides)
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    # Served over https: the session cookie is Secure and host-only (__Host- prefix).
    https = str(config["WEBAUTHN_ORIGIN"]).startswith("https://")
    config.setdefault("SESSION_COOKIE_SECURE", https)
    config.setdefault("SESSION_COOKIE_NAME", "__Host-family" if https else "family")

    if not config["SECRET_KEY"]:
        if production:
            raise ConfigError(
                "FAMILY_APP_SECRET_KEY is not set: production needs a long random secret "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        config["SECRET_KEY"] = _development_secret(Path(instance_path))
    elif production and len(str(config["SECRET_KEY"])) < 32:
        raise ConfigError("FAMILY_APP_SECRET_KEY is too short for production: use 32+ characters.")
    if not config["RATELIMIT_STORAGE_URI"]:
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    if config["QUEUE_CLAIM_TIMEOUT_SECONDS"] < 1:
        raise ConfigError("FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS must be 1 or more.")
    if config["TRUSTED_PROXIES"] < 0:
        raise ConfigError("FAMILY_APP_TRUSTED_PROXIES must be 0 or more.")
    if production and config["DEV_SIGN_IN"]:
        raise ConfigError("FAMILY_APP_DEV_SIGN_IN cannot be on in production.")
    _load_vapid(config)
    if not config["INVITATION_KEY"]:
        if production:
            raise ConfigError(
                "FAMILY_APP_INVITATION_KEY is not set: production needs its own long random "
                "key for invitation codes, kept apart from the database."
            )
        config["INVITATION_KEY"] = derived_key(str(config["SECRET_KEY"]), "invitations")
    return config


def _load_vapid(config: dict[str, Any]) -> None:
    """The VAPID key from the setting or its file, checked now so that a bad key
    stops the app at start (the message never shows the key)."""
    key_file = config.get("VAPID_PRIVATE_KEY_FILE")
    if not config.get("VAPID_PRIVATE_KEY") and key_file:
        try:
            config["VAPID_PRIVATE_KEY"] = Path(key_file).read_text().strip()
        except OSError as exc:
            raise ConfigError(
                f"FAMILY_APP_VAPID_PRIVATE_KEY_FILE cannot be read: {type(exc).__name__}."
            ) from exc
    if not config.get("VAPID_PRIVATE_KEY"):
        config["VAPID_PRIVATE_KEY"] = None
        return
    from .push import vapid_from_text

    try:
        vapid_from_text(str(config["VAPID_PRIVATE_KEY"]))
    except ValueError as exc:
        raise ConfigError(
            "FAMILY_APP_VAPID_PRIVATE_KEY is not a P-256 private key "
            "(make one with: family-app push keys)."
        ) from exc
    if not config.get("VAPID_SUBJECT"):
        from email.utils import parseaddr

        address = parseaddr(str(config.get("MAIL_FROM") or ""))[1] or "no-reply@localhost"
        config["VAPID_SUBJECT"] = f"mailto:{address}"
    if not str(config["VAPID_SUBJECT"]).startswith(("mailto:", "https://")):
        raise ConfigError("FAMILY_APP_VAPID_SUBJECT must start with mailto: or https://.")

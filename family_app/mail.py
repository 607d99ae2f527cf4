"""E-mail notices: lock-screen-safe words, the recipient's language, one-link
unsubscribe, sent with smtplib to FAMILY_APP_SMTP_URL.

A message says *that* something happened and where to look, with a deep link;
never a name, a diagnosis, an agency or anything a person wrote (DESIGN.md §10,
rule 5). Its words come only from the notice's kind, never from the database.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .links import external_url, path_for, public_origin
from .models import Notification, Person
from .notifications import TOPIC_OF, safe_text, unsubscribe_token


class MailNotConfigured(RuntimeError):
    """FAMILY_APP_SMTP_URL is not set: deliveries wait in the outbox."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://host:port or smtps://user:password@host:port (user and password
    percent-encoded)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("FAMILY_APP_SMTP_URL must be smtp://host:port or smtps://…")
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        tls=tls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def deep_link(notification: Notification, person: Person) -> str:
    """The page the notice is about (``notifications.target``, asked for this
    reader), else the notices page."""
    from .notifications import target

    return public_origin() + (target(notification, person) or path_for("account.notifications"))


def content_language(code: str) -> str:
    """A catalogue code as a language tag: fa_AF -> fa-AF."""
    return code.replace("_", "-")


def message_id(delivery_id: int) -> str:
    """The same Message-ID for every attempt of one delivery. A consumer that dies
    after the mail server took a message but before it marked it sent sends it
    again once the claim is stale (no SMTP client can know otherwise); mail
    servers and programs that drop a repeated Message-ID then show it once."""
    host = urlsplit(public_origin()).hostname or "min-sip"
    return f"<delivery-{delivery_id}@{host}>"


def build_message(
    notification: Notification, person: Person, delivery_id: int | None = None
) -> EmailMessage:
    """The e-mail for one notice to one person, in that person's language."""
    language = person.preferred_language
    if language not in current_app.config["LANGUAGES"]:
        language = "sv"
    topic = TOPIC_OF[notification.kind]
    unsubscribe = external_url("account.unsubscribe", token=unsubscribe_token(person, topic))
    with force_locale(language):
        subject = safe_text(notification, person)
        body = "\n\n".join(
            [
                subject,
                _("Läs mer i Min SIP: %(link)s", link=deep_link(notification, person)),
                _(
                    "Vill du inte få e-post om det här? Stäng av det här: %(link)s",
                    link=unsubscribe,
                ),
            ]
        )
    message = EmailMessage()
    # Content first: set_content() clears every Content-* header set before it.
    message.set_content(body + "\n")
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = person.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = (
        message_id(delivery_id) if delivery_id is not None else make_msgid(domain="min-sip")
    )
    message["Content-Language"] = content_language(language)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    return message


def send(message: EmailMessage, timeout: float = 20.0) -> None:
    """Hand one message to the configured SMTP server; raises on any failure."""
    url = current_app.config.get("SMTP_URL")
    if not url:
        raise MailNotConfigured("FAMILY_APP_SMTP_URL is not set")
    target = parse_smtp_url(url)
    if target.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
    with client:
        if not target.tls and target.user and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if target.user:
            client.login(target.user, target.password or "")
        client.send_message(message)

"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1) and what it received,
shared by the functional e-mail tests and the browser test of issue 13."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message)."""

    messages: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]

    def wait_for(self, address: str, subject: str, timeout: float = 60) -> email.message.Message:
        """The first message to ``address`` with this subject, as another process
        sends it (the consumer: woken after a commit, its sweep every minute)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rcpt, message in list(self.messages):
                if address in rcpt and message["Subject"] == subject:
                    return message
            time.sleep(0.2)
        seen = [(r, m["Subject"]) for r, m in self.messages]
        raise AssertionError(f"no {subject!r} to {address} within {timeout}s; got {seen}")


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A started SMTP server and its port; stopped on leaving."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()

"""`smtp_sink`: a real SMTP server (aiosmtpd) that outbound mail is sent to in tests.

Imported by tests/conftest.py, so every test package can ask for it. It listens on
a free port on 127.0.0.1, points FRONTLINE_SMTP_URL at itself, and keeps every mail
it accepts. `sink.answer("451 4.3.0 Try again later")` makes it refuse the next
mail with that answer (after DATA), as a real server under load would.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    # The client's end of the connection it came over: one per SMTP session.
    peer: tuple[str, int] | None = None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Sink:
    host: str = "127.0.0.1"
    port: int = 0
    delivered: list[Delivered] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def answer(self, *answers: str) -> None:
        """Answer the next mails with these (e.g. "451 ...", "550 ..."), then accept."""
        self.answers.extend(answers)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def connections(self) -> int:
        """How many SMTP sessions the delivered mails came over."""
        return len({d.peer for d in self.delivered})

    def messages(self) -> list[EmailMessage]:
        return [d.message for d in self.delivered]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answers:
            answer = self.answers.pop(0)
            if not answer.startswith("250"):
                self.refused.append(answer)
                return answer
        self.delivered.append(Delivered(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
            raw=bytes(envelope.original_content or envelope.content),
            peer=tuple(session.peer) if session.peer else None))
        return "250 2.0.0 Ok: queued as sink"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    """A running SMTP server collecting what Frontline sends; FRONTLINE_SMTP_URL points at it.
    It does not offer SMTPUTF8 (aiosmtpd's default), as many relays still do not."""
    yield from _running(settings, smtputf8=False)


@pytest.fixture
def smtputf8_sink(settings: Any) -> Iterator[Sink]:
    """The same server offering SMTPUTF8 (RFC 6531) in its EHLO answer."""
    yield from _running(settings, smtputf8=True)


def _running(settings: Any, *, smtputf8: bool) -> Iterator[Sink]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    sink = Sink(port=_free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port,
                            enable_SMTPUTF8=smtputf8)
    controller.start()
    settings.FRONTLINE_EMAIL_BACKEND = ""
    settings.FRONTLINE_SMTP_URL = sink.url + "?timeout=10"
    try:
        yield sink
    finally:
        controller.stop()

"""Reading a ticket's own fields from user input, with errors a person can read."""

from __future__ import annotations

from frontline.core.errors import InvalidInput
from frontline.core.inputs import storable
from frontline.tickets.models import Channel, Status

MAX_SUBJECT = 300
MAX_BODY = 1_000_000


def clean_subject(subject: str) -> str:
    subject = storable(" ".join((subject or "").split()), "subject", "The subject")
    if not subject:
        raise InvalidInput("A ticket needs a subject.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"The subject is longer than {MAX_SUBJECT} characters.",
                           field="subject")
    return subject


def clean_body(body: str, field: str = "body") -> str:
    body = storable((body or "").replace("\r\n", "\n").strip("\n"), field, "The message")
    if not body.strip():
        raise InvalidInput("The message is empty.", field=field)
    if len(body) > MAX_BODY:
        raise InvalidInput(f"The message is longer than {MAX_BODY} characters.", field=field)
    return body


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        names = ", ".join(Status.values)
        raise InvalidInput(f"'{value}' is not a status ({names}).", field="status") from None


def parse_channel(value: str | None) -> Channel:
    try:
        return Channel(value or Channel.WEB)
    except ValueError:
        names = ", ".join(Channel.values)
        raise InvalidInput(f"'{value}' is not a channel ({names}).", field="channel") from None

"""Building the mails we send: headers that thread, parts that read, nothing injectable.

Every mail we send is built here from an OutboundMail row, at delivery time, the
same way on every attempt: the Message-ID and Date were fixed when it was queued,
and the thread headers only look at messages older than the one being sent.

From is the ticket's own reply address (`"Support" <support+FL-10427-sig@domain>`),
not the shared support address with a Reply-To. Many senders have found Reply-To
unreliable: some clients and most auto-responders ignore it, mailing lists rewrite
it, and people copy the From into a new mail. With the reply address in From,
every way back to us carries the signed ticket token, and the domain still matches
the support domain, so SPF/DKIM/DMARC alignment is unchanged. It is the envelope
sender too, so bounces come back to the ticket they belong to.

Header safety: every value that comes from a person (subject, names, addresses,
stored Message-IDs) passes through `header_text` or `clean_address` first, which
drop CR, LF and other control characters, so no field can start a new header.
Django's BadHeaderError would refuse them too, but a refusal would fail the mail;
cleaning first means it goes out, with one clean header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import urlize

from frontline.core import email_address
from frontline.mail import addresses
from frontline.mail.auto import DEFAULT_LOOP_HEADER
from frontline.mail.html import sanitise_html
from frontline.mail.models import OutboundMail
from frontline.tickets import access, selectors
from frontline.tickets.models import (
    Attachment,
    Event,
    Message,
    MessageKind,
    Ticket,
    format_reference,
)
from frontline.tickets.services.attachments import read_attachment

# C0 and C1 controls and the Unicode line/paragraph separators: anything a mail
# program could take for the end of a header line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|odp|ynt|fw|fwd|wg|tr|rv|rif|enc)(?:\[\d+\])?\s*[:\uff1a]\s*)+",
    re.I,
)
_MESSAGE_ID_OK = re.compile(r"^[^\s<>()\[\]\\,;\"]+@[^\s<>()\[\]\\,;\"]+$")
MAX_REFERENCES = 20

LINK_MAIL = "link"
ACKNOWLEDGEMENT = "acknowledgement"


def header_text(value: str, limit: int = 250) -> str:
    """One line of header text: control characters gone, whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def clean_address(address: str) -> str | None:
    """The address in its stored form (core.email_address: UTF-8 local parts and
    IDNA domains allowed) if it is a single valid mailbox, else None."""
    address = (address or "").strip()
    if not address or _CONTROL.search(address) or any(c in address for c in " <>,;\"'"):
        return None
    return email_address.canonical(address)


def subject_tag(ticket: Ticket) -> str:
    return f"[{format_reference(ticket.pk)}]"


def reply_subject(ticket: Ticket, subject: str | None = None) -> str:
    """`Re: [FL-10427] Cannot log in`: one tag and one Re:, however often it went round."""
    text = header_text(subject if subject is not None else ticket.subject, 900)
    tag = subject_tag(ticket)
    previous = None
    while previous != text:
        previous = text
        text = _REPLY_PREFIX.sub("", text)
        text = re.sub(r"\[\s*" + re.escape(tag[1:-1]) + r"\s*\]", "", text, flags=re.I)
        text = " ".join(text.split())
    return f"Re: {tag} {text}".strip() if text else f"Re: {tag}"


def from_address(ticket: Ticket, author_name: str = "") -> str:
    """`"Lena via Support" <support+FL-10427-sig@domain>` (RFC 2047-encoded when needed)."""
    support = header_text(settings.FRONTLINE_SUPPORT_NAME, 80) or "Support"
    name = header_text(author_name, 80)
    display = f"{name} via {support}" if name else support
    return formataddr((display, addresses.reply_address(ticket.pk)), charset="utf-8")


def thread_ids(ticket: Ticket, before: Message | None) -> tuple[str | None, list[str]]:
    """(In-Reply-To, References) for a mail on `ticket` sent with message `before`.

    In-Reply-To names the last customer message (what we answer). References
    lists the ticket's stored Message-IDs oldest first, the answered one last
    (RFC 5322 §3.6.4: the parent's id ends the list), trimmed to the first and
    the latest when long, as the RFC allows. Only of the messages the requester
    may read: after a merge across customers, another customer's Message-IDs
    (their mail host, their thread) are not theirs to see.
    """
    return Prefetched(thread=_threads([ticket.pk])).thread_ids(ticket, before)


def _thread_headers(rows: Iterable[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """thread_ids from the (kind, Message-ID) rows the requester may read, oldest first."""
    ids: list[str] = []
    last_inbound = None
    for kind, message_id in rows:
        message_id = message_id.strip().strip("<>")
        if not _MESSAGE_ID_OK.match(message_id) or message_id in ids:
            continue
        ids.append(message_id)
        if kind == MessageKind.INBOUND:
            last_inbound = message_id
    in_reply_to = last_inbound or (ids[-1] if ids else None)
    if in_reply_to is not None:
        ids.remove(in_reply_to)
        ids.append(in_reply_to)
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1):]]
    return in_reply_to, ids


@dataclass(frozen=True)
class ThreadRow:
    created_at: datetime
    pk: int
    kind: str
    message_id: str


@dataclass
class Prefetched:
    """What building mails reads from the database, read for several at once
    (`prefetch`): the thread's messages by ticket, oldest first; the attachments by
    message; the messages that are acknowledgements."""

    thread: dict[int, list[ThreadRow]] = field(default_factory=dict)
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)
    acknowledgements: set[int] = field(default_factory=set)

    def thread_ids(self, ticket: Ticket, before: Message | None) -> tuple[str | None, list[str]]:
        """`thread_ids(ticket, before)` from the rows read in advance (the messages
        before `before`, in (created_at, id) order)."""
        rows = self.thread.get(ticket.pk, [])
        if before is not None and before.pk is not None:
            rows = [row for row in rows if (row.created_at, row.pk) < (before.created_at,
                                                                       before.pk)]
        return _thread_headers((row.kind, row.message_id) for row in rows)


def _threads(ticket_ids: Sequence[int]) -> dict[int, list[ThreadRow]]:
    """The messages with a Message-ID each ticket's requester may read, by ticket,
    oldest first: one query for all of `ticket_ids`."""
    thread: dict[int, list[ThreadRow]] = {}
    rows = (selectors.requesters_messages(ticket_ids).exclude(email_message_id="")
            .order_by("ticket_id", "created_at", "pk")
            .values_list("ticket_id", "created_at", "pk", "kind", "email_message_id"))
    for ticket_id, created_at, pk, kind, message_id in rows:
        thread.setdefault(ticket_id, []).append(ThreadRow(created_at, pk, kind, message_id))
    return thread


def prefetch(outbounds: Sequence[OutboundMail]) -> Prefetched:
    """Read what `build` needs for all of `outbounds` (loaded with their ticket and
    message) in one query each: the thread's Message-IDs, the attachments, which
    messages are acknowledgements. A worker sending a batch of mails (issue 11, part
    3) paid these per mail; the thread headers are the same as `thread_ids` gives,
    from the same rule of who reads what (tickets.selectors.requesters_messages)."""
    tickets = sorted({outbound.ticket_id for outbound in outbounds})
    messages = [outbound.message for outbound in outbounds if outbound.message is not None]
    found = Prefetched()
    if tickets:
        found.thread = _threads(tickets)
    if messages:
        for attachment in (Attachment.objects.filter(message__in=messages)
                           .select_related("blob").order_by("message_id", "pk")):
            found.attachments.setdefault(attachment.message_id, []).append(attachment)
    automatic = [outbound.message for outbound in outbounds
                 if outbound.automatic and outbound.message is not None]
    if automatic:
        found.acknowledgements = set(Event.objects.filter(
            ticket_id__in={message.ticket_id for message in automatic}, kind="acknowledged",
            detail__message__in=[message.pk for message in automatic],
        ).values_list("detail__message", flat=True))
    return found


def text_to_html(text: str) -> str:
    """Plain text as HTML: every character escaped, paragraphs and line breaks kept,
    links made clickable (urlize escapes everything that is not a link)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        html = urlize(paragraph, nofollow=True, autoescape=True).replace("\n", "<br>\n")
        rendered.append(f"<p>{html}</p>")
    body = "\n".join(rendered)
    return (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family: -apple-system, Segoe UI, Roboto, Helvetica, Arial, '
        'sans-serif; font-size: 15px; line-height: 1.5; color: #1b2230;">'
        f"\n{body}\n</body></html>"
    )


def link_mail_text(ticket: Ticket) -> str:
    return (
        f"Hello,\n\nhere is a new link to your request {ticket.reference} "
        f"(\u201c{header_text(ticket.subject, 200)}\u201d). It opens the conversation, "
        "where you can read every answer and reply, with no account and no password."
        "\n\nIf you did not ask for this link, you can ignore this mail."
    )


def footer(ticket: Ticket) -> str:
    days = settings.FRONTLINE_PORTAL_LINK_DAYS
    return (
        "-- \n"
        "Reply to this email, or read and answer the conversation online "
        "(no account needed):\n"
        f"{access.ticket_url(ticket, ticket.requester)}\n"
        f"Ticket {ticket.reference}. The link is personal; it works for {days} days."
    )


def body_text(outbound: OutboundMail) -> str:
    message = outbound.message
    text = message.body if message is not None else link_mail_text(outbound.ticket)
    return f"{text.rstrip()}\n\n{footer(outbound.ticket)}\n"


def body_html(outbound: OutboundMail, text: str) -> str:
    message = outbound.message
    if message is not None and message.body_html:
        # An agent's own HTML is sanitised like a customer's before it leaves.
        own = sanitise_html(message.body_html)
        return (f'<!doctype html><html><head><meta charset="utf-8"></head><body>{own}'
                f"{text_to_html(footer(outbound.ticket))}</body></html>")
    return text_to_html(text)


def auto_submitted(outbound: OutboundMail, prefetched: Prefetched | None = None) -> str:
    """RFC 3834 §5: `auto-replied` answers a mail (the acknowledgement), `auto-generated`
    is sent on our own initiative (a reminder, a link someone asked for on a page)."""
    message = outbound.message
    if message is None:
        return "auto-generated"
    acknowledgements = (prefetched or prefetch([outbound])).acknowledgements
    return "auto-replied" if message.pk in acknowledgements else "auto-generated"


def build(outbound: OutboundMail, connection: BaseEmailBackend | None = None,
          prefetched: Prefetched | None = None) -> EmailMultiAlternatives:
    """The mail for `outbound`, ready for `connection.send_messages`. `prefetched`:
    what `prefetch` read for a batch of mails this one belongs to (else it is read
    for this mail alone)."""
    prefetched = prefetched or prefetch([outbound])
    ticket = outbound.ticket
    message = outbound.message
    author = ""
    if message is not None and message.author_user is not None:
        author = message.author_user.display_name
    text = body_text(outbound)
    headers = {
        "Message-ID": f"<{outbound.header_message_id}>",
        "Date": format_datetime(outbound.created_at),
        # Our own mail coming back (a list or a robot resending it) is a loop:
        # frontline.mail.auto recognises this header on the way in.
        DEFAULT_LOOP_HEADER: header_text(settings.FRONTLINE_MESSAGE_ID_DOMAIN, 100) or "1",
    }
    in_reply_to, references = prefetched.thread_ids(ticket, message)
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
        headers["References"] = " ".join(f"<{i}>" for i in references)
    if outbound.automatic:
        headers["Auto-Submitted"] = auto_submitted(outbound, prefetched)
        # Ask Exchange not to answer with out-of-office or other automatic replies.
        headers["X-Auto-Response-Suppress"] = "All"
    recipients = [a for a in (clean_address(x) for x in outbound.to) if a]
    copies = [a for a in (clean_address(x) for x in outbound.cc) if a]
    mail = EmailMultiAlternatives(
        subject=header_text(outbound.subject, 900),
        body=text,
        from_email=from_address(ticket, author),
        to=recipients,
        cc=copies,
        headers=headers,
        connection=connection,
    )
    mail.attach_alternative(body_html(outbound, text), "text/html")
    if message is not None:
        for attachment in prefetched.attachments.get(message.pk, []):
            mail.attach(header_text(attachment.filename, 255) or "attachment",
                        read_attachment(attachment),
                        header_text(attachment.content_type, 100) or "application/octet-stream")
    return mail

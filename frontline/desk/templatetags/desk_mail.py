"""Showing mail in the desk: sanitised HTML with inline images, dangerous files."""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from frontline.mail.formatting import linked_text
from frontline.mail.stored_html import shown_html
from frontline.tickets.models import Attachment, Message, MessageKind
from frontline.tickets.services.attachments import is_dangerous

register = template.Library()

_CID_SRC = re.compile(r'src="cid:([^"]+)"', re.I)


def with_inline_images(html: str, message: Message) -> str:
    """`cid:` image sources pointed at the message's own stored parts (same origin,
    permission-checked); unknown ones are dropped so nothing loads from elsewhere."""
    by_cid = {attachment.content_id.strip("<>").lower(): attachment
              for attachment in message.attachments.all() if attachment.content_id}

    def point(match: re.Match[str]) -> str:
        attachment = by_cid.get(match.group(1).strip("<>").lower())
        if attachment is None:
            return 'src=""'
        url = reverse("desk:attachment", args=[message.ticket_id, attachment.pk])
        # The attachment view serves it as a download; an <img> still shows it.
        return f'src="{url}"'

    return _CID_SRC.sub(point, html)


@register.filter
def mail_html(message: Message) -> SafeString:
    """The message's HTML for display: `Message.body_html`, which holds only HTML that
    frontline.mail.html.sanitise_html cleaned (no scripts, handlers, forms, escaping
    styles or remote images) and bounded when the mail was read. That is what makes
    marking it safe correct; it is not cleaned again on every view (issue 11: a hostile
    mail made that cost seconds a page). frontline.mail.stored_html says how rows from
    before the bounds are handled."""
    return mark_safe(with_inline_images(shown_html(message), message))


@register.filter
def dangerous(attachment: Attachment) -> bool:
    return is_dangerous(attachment.shown_name)


@register.filter
def shown_files(message: Message) -> list[Attachment]:
    """Attachments to list: inline images already shown in the HTML are left out."""
    html = message.body_html or ""
    return [attachment for attachment in message.attachments.all()
            if not (attachment.inline and attachment.content_id
                    and f"cid:{attachment.content_id}".lower() in html.lower())]


@register.filter
def linked(text: str | None) -> SafeString:
    """Plain text with its links clickable, escaped first (frontline.mail.formatting)."""
    return linked_text(text)


@register.filter
def written_formatted(message: Message) -> bool:
    """Staff wrote it with formatting (the composer's Markdown, or their mail's HTML):
    shown formatted in the timeline, where a customer's HTML waits behind "Show as
    formatted". Its text is the Markdown as typed, which reads worse than its HTML.
    (A note naming somebody with "@" is shown with its mentions marked instead:
    desk_mentions.note_body.)"""
    return bool(message.body_html) and message.author_user_id is not None and message.kind in (
        MessageKind.OUTBOUND, MessageKind.NOTE)

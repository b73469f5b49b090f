"""Showing mail in the desk: sanitised HTML with inline images, dangerous files."""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from frontline.mail.html import sanitise_html
from frontline.tickets.models import Attachment, Message
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
    """The message's HTML for display, sanitised with nh3 (frontline.mail.html: no
    scripts, handlers, forms, escaping styles or remote images). It was sanitised
    when the mail was read; doing it again here costs little and keeps the desk
    safe whoever stored the HTML, which is what makes marking it safe correct."""
    return mark_safe(with_inline_images(sanitise_html(message.body_html or ""), message))


@register.filter
def dangerous(attachment: Attachment) -> bool:
    return is_dangerous(attachment.filename)


@register.filter
def shown_files(message: Message) -> list[Attachment]:
    """Attachments to list: inline images already shown in the HTML are left out."""
    html = message.body_html or ""
    return [attachment for attachment in message.attachments.all()
            if not (attachment.inline and attachment.content_id
                    and f"cid:{attachment.content_id}".lower() in html.lower())]

"""A note's text with its @mentions marked: who was told, and who could not be
(they may not see the ticket), so the writer learns it on the timeline."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from frontline.notifications.mentions import mention_spans
from frontline.tickets.models import Message

register = template.Library()


@register.filter
def note_body(message: Message) -> SafeString:
    """The note's body, escaped, each stored mention in a <mark> (plain escaped
    text when it names nobody: one query, and only for notes with an "@")."""
    text = message.body or ""
    spans = mention_spans(message)
    if not spans:
        return escape(text)
    parts: list[str] = []
    position = 0
    for named, mention in spans:
        parts.append(escape(text[position:named.start]))
        who = mention.user.display_name
        if mention.notified:
            parts.append(format_html('<mark class="mention" title="{} was notified">{}</mark>',
                                     who, text[named.start:named.end]))
        else:
            parts.append(format_html(
                '<mark class="mention unreachable" title="{} cannot see this ticket and '
                'was not notified">{}</mark> <span class="mention-note">(cannot see this '
                'ticket: not notified)</span>', who, text[named.start:named.end]))
        position = named.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every part is escaped above

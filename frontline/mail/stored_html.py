"""The formatted version of a message, as the desk shows it: the stored safe HTML.

`Message.body_html` holds only what frontline.mail.html.sanitise_html returned when the
mail was read (sanitised by nh3, bounded in depth and size first). It is sanitised once,
there; showing a ticket reads it as stored and never cleans it again (issue 11: cleaning
on every view cost 12 s a page for one hostile mail and tied up the web threads).

Rows stored before the bounds existed were sanitised too, so they are safe; what they may
be is huge (an unbounded sanitiser turned 110 KB of unclosed `<font>`s into 130 MB). Such a
row is cleaned again, bounded, the first time it is shown, and saved: longer than
LEGACY_LIMIT is something today's bounds cannot have written. We chose this over a data
migration because finding those rows means reading every stored HTML body (millions of
rows, gigabytes) while the few big ones cost one bounded cleaning each, once; the rows
under the limit are served as they are, which costs no more than any other text.
"""

from __future__ import annotations

from frontline.mail.html import sanitise_html
from frontline.mail.html_bounds import MAX_HTML_CHARS
from frontline.tickets.models import Message

# Sanitising can lengthen the bounded HTML: `>` in text becomes `&gt;`, links gain a rel.
LEGACY_LIMIT = 4 * MAX_HTML_CHARS + 10_000


def shown_html(message: Message) -> str:
    """The message's safe HTML for display ("" when it has none). Bounded rows are
    returned as stored; an oversized row from before the bounds is cleaned and saved once."""
    stored = message.body_html or ""
    if len(stored) <= LEGACY_LIMIT:
        return stored
    cleaned = sanitise_html(stored)
    Message.objects.filter(pk=message.pk).update(body_html=cleaned)  # this column only
    message.body_html = cleaned
    return cleaned

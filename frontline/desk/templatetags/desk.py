"""Small presentation helpers for desk templates: times, events, authors."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from html import escape as html_escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from frontline.core import quotes
from frontline.sla import outcomes
from frontline.tickets import event_kinds
from frontline.tickets.models import Event, Message, Priority, Status, Ticket

register = template.Library()


def _ago(moment: datetime, now: datetime) -> str:
    seconds = int((now - moment).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now"
    for size, unit in ((86400 * 365, "y"), (86400 * 30, "mo"), (86400 * 7, "w"),
                       (86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            amount = round(seconds / size) if size >= 3600 else seconds // size
            return f"in {amount} {unit}" if future else f"{amount} {unit} ago"
    return "just now"


@register.filter
def reltime(moment: datetime | None) -> SafeString | str:
    """`2 h ago`, with the exact local time in the tooltip and a machine-readable datetime."""
    if moment is None:
        return "—"
    return mark_safe(_time_tag(moment, timezone.now()))


# On a timeline, "3 d ago" beside "3 d ago" tells nobody which came first on which day:
# entries older than this also show their exact local time.
EXACT_AFTER = timedelta(hours=12)


@register.filter
def entry_time(moment: datetime | None) -> SafeString | str:
    """A timeline entry's time: relative, and for older entries the exact local time
    beside it ("2 d ago · Tue 03 Mar 14:05")."""
    if moment is None:
        return "—"
    now = timezone.now()
    tag = _time_tag(moment, now)
    if now - moment < EXACT_AFTER:
        return mark_safe(tag)
    local = timezone.localtime(moment)
    return mark_safe(f'{tag} <span class="exact">· {local.strftime("%a %d %b %H:%M")}</span>')


def _time_tag(moment: datetime, now: datetime) -> str:
    # Called for every row of a queue: isoformat, strftime and _ago only ever give
    # digits, letters, spaces and ":+-,", so a plain f-string is safe and much
    # cheaper than format_html's escaping of each part.
    local = timezone.localtime(moment)
    return (f'<time datetime="{moment.isoformat()}" '
            f'title="{local.strftime("%a %d %b %Y, %H:%M %Z")}">{_ago(moment, now)}</time>')


_PRIORITY_LABELS = {value: str(label) for value, label in Priority.choices}
_STATUS_LABELS = {value: str(label) for value, label in Status.choices}


def remaining_words(seconds: int) -> str:
    """SLA time left as the desk says it: "2 h 10 min left", "late by 35 min"."""
    late = seconds < 0
    minutes = abs(seconds) // 60
    if minutes >= 2 * 1440:
        text = f"{minutes // 1440} d {minutes % 1440 // 60} h"
    elif minutes >= 60:
        text = f"{minutes // 60} h {minutes % 60} min"
    else:
        text = f"{minutes} min"
    return f"late by {text}" if late else f"{text} left"


@register.filter
def quoted_part(message: Message) -> dict[str, Any]:
    """What "Show quoted text" unfolds under a message's reply (core.quotes.left_out)."""
    text, whole = quotes.left_out(message.body)
    return {"text": text, "whole": whole}


@register.filter
def remaining(seconds: int | None) -> str:
    return "—" if seconds is None else remaining_words(seconds)


@register.filter
def seconds_until(moment: datetime | None) -> int:
    """Whole seconds from now until `moment` (0 once past): a countdown the page runs
    from when it got it, so a browser clock that is off does not matter."""
    if moment is None:
        return 0
    return max(0, math.ceil((moment - timezone.now()).total_seconds()))


def _due_cell(ticket: Ticket, now: datetime, finished: outcomes.Outcome | None = None) -> str:
    row = ticket.clock
    if row.sla_paused_at is not None:
        return '<span class="due paused" title="Waiting on the customer">paused</span>'
    due = row.sla_due
    if due is None:
        # Nothing running: the promises kept or missed (the reports' rule).
        if finished is not None and finished.missed:
            return f'<span class="due missed">{finished.text}</span>'
        if finished is not None and finished.met:
            return '<span class="due met">met</span>'
        return '<span class="due none">—</span>'
    seconds = int((due - now).total_seconds())
    state = "late" if seconds <= 0 or row.sla_breached else (
        "warned" if row.sla_warned else "")
    local = timezone.localtime(due)
    text = (outcomes.judge(due, None, None, now).text if seconds <= 0
            else remaining_words(seconds))
    return (f'<span class="due {state}" title="Due {local.strftime("%a %d %b, %H:%M %Z")}">'
            f'{text}</span>')


@register.simple_tag
def ticket_rows(tickets: list[Ticket], context_query: str = "",
                selectable: bool = False) -> SafeString:
    """The `<li>` rows of a ticket list (queues, an organization's tickets).

    Built here rather than by a template: as `{% include %}` per row with some
    fifteen variable lookups each, 50 rows were about half of the queue page's
    CPU (bench/RESULTS.md, finding 5). The tickets come with ROW_RELATED and only
    ROW_FIELDS loaded (frontline.tickets.selectors): a row that reads another
    column costs a query per ticket.

    `selectable` puts a checkbox before each row for the queue's bulk actions
    (desk/bulk.js); it is outside the row's link, which may hold no control.
    """
    esc = html_escape
    now = timezone.now()
    # Rows with no promise running say whether theirs were kept (one query, only then).
    finished = outcomes.tickets_outcomes(
        [t.pk for t in tickets if t.clock.sla_due is None and t.clock.sla_paused_at is None
         and t.clock.sla_policy_id is not None], now)
    query = f"?{esc(context_query)}" if context_query else ""
    rows = []
    for ticket in tickets:
        priority = esc(_PRIORITY_LABELS.get(ticket.priority, str(ticket.priority)))
        status = esc(str(ticket.status))
        sub = esc(ticket.requester.name or "Customer")
        if ticket.organization:
            sub += f" · {esc(ticket.organization.name)}"
        if ticket.category:
            sub += f" · {esc(ticket.category.name)}"
        team = esc(ticket.team.name) if ticket.team else ""
        team_title = f" · {team}" if team else ""
        team_tag = f' <span class="muted">{team}</span>' if team else ""
        assignee = (esc(ticket.assignee.display_name) if ticket.assignee
                    else '<span class="muted">Unassigned</span>')
        new = " is-new" if ticket.status == Status.NEW else ""
        pick = (f'<li class="pickable"><input type="checkbox" class="pick" form="bulk-form" '
                f'name="references" value="{ticket.reference}" '
                f'aria-label="Select {ticket.reference}">' if selectable else "<li>")
        rows.append(
            f'{pick}<a class="ticket-row{new}" '
            f'href="{esc(ticket.get_absolute_url())}{query}" data-row>\n'
            f'  <span class="prio p{ticket.priority}" title="Priority: {priority}">{priority}'
            '</span>\n'
            f'  <span class="ref">{ticket.reference}</span>\n'
            f'  <span class="subject"><span class="title">{esc(ticket.subject)}</span>'
            f'<span class="sub">{sub}</span></span>\n'
            f'  <span class="badge status-{status}">'
            f'{esc(_STATUS_LABELS.get(ticket.status, status))}</span>\n'
            f'  <span class="tier" title="Tier {ticket.tier}{team_title}">T{ticket.tier}{team_tag}'
            '</span>\n'
            f'  <span class="assignee">{assignee}</span>\n'
            f'  {_due_cell(ticket, now, finished.get(ticket.pk))}\n'
            f'  <span class="when">{_time_tag(ticket.updated_at, now)}</span>\n'
            '</a></li>\n')
    return mark_safe("".join(rows))


@register.simple_tag
def options(choices: list[tuple[Any, str]], selected: Any = None) -> SafeString:
    """`<option>`s for a long list (300 agents), built in one pass instead of a template loop.

    `selected` is compared with each value as a string, so a pk matches "12" and 12.
    """
    chosen = "" if selected is None else str(selected)
    parts = []
    for value, label in choices:
        text = str(value)
        mark = " selected" if text == chosen else ""
        # html.escape is what django.utils.html.escape calls, without its lazy-string wrapper.
        parts.append(f'<option value="{html_escape(text)}"{mark}>{html_escape(str(label))}'
                     '</option>')
    return mark_safe("".join(parts))


@register.filter
def navcount(count: int, capped: bool = False) -> str:
    return f"{count - 1}+" if capped else str(count)


@register.filter
def author(message: Message) -> str:
    """Who wrote it, without a query per message (contacts' addresses are not loaded)."""
    if message.author_user is not None:
        return message.author_user.display_name
    if message.author_contact is not None:
        return message.author_contact.name or "Customer"
    return "Frontline"


@register.filter
def initials(name: str) -> str:
    parts = [part for part in (name or "?").replace("@", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def event_line(event: Event) -> SafeString:
    """One compact sentence for an event: "Lena assigned to otto". The sentence is
    declared with the event's kind, by the app that records it."""
    return event_kinds.staff_sentence(event)

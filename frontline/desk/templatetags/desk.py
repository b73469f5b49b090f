"""Small presentation helpers for desk templates: times, events, authors."""

from __future__ import annotations

from datetime import datetime
from html import escape as html_escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from frontline.tickets.models import Event, Message, Priority, Status, Ticket, parse_reference

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
def remaining(seconds: int | None) -> str:
    return "—" if seconds is None else remaining_words(seconds)


def _due_cell(ticket: Ticket, now: datetime) -> str:
    if ticket.sla_paused_at is not None:
        return '<span class="due paused" title="Waiting on the customer">paused</span>'
    due = ticket.sla_due
    if due is None:
        return '<span class="due none">—</span>'
    seconds = int((due - now).total_seconds())
    state = "late" if seconds <= 0 or ticket.sla_breached else (
        "warned" if ticket.sla_warned else "")
    local = timezone.localtime(due)
    return (f'<span class="due {state}" title="Due {local.strftime("%a %d %b, %H:%M %Z")}">'
            f'{remaining_words(seconds)}</span>')


@register.simple_tag
def ticket_rows(tickets: list[Ticket], context_query: str = "") -> SafeString:
    """The `<li>` rows of a ticket list (queues, an organization's tickets).

    Built here rather than by a template: as `{% include %}` per row with some
    fifteen variable lookups each, 50 rows were about half of the queue page's
    CPU (bench/RESULTS.md, finding 5). The tickets come with TICKET_RELATED
    (requester, organization, category, team, assignee) already loaded.
    """
    esc = html_escape
    now = timezone.now()
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
        rows.append(
            f'<li><a class="ticket-row{new}" '
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
            f'  {_due_cell(ticket, now)}\n'
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


def _status_label(value: Any) -> str:
    try:
        return Status(value).label.lower()
    except ValueError:
        return str(value)


def _ticket_link(reference: Any) -> SafeString | str:
    text = str(reference or "")
    if parse_reference(text) is None:
        return text
    return format_html('<a href="/t/{}">{}</a>', text, text)


def _was(before: Any) -> SafeString | str:
    return format_html(" <span class=\"was\">(was {})</span>", before) if before not in (
        None, "") else ""


_DELIVERY_WORDS = {
    "queued": "queued for", "sent": "sent to", "failed": "could not be delivered to",
    "retrying": "will be retried for", "suppressed": "was not sent to",
}


def _delivery_line(state: Any, detail: dict[str, Any]) -> SafeString:
    """A mail's delivery step (frontline.mail.outbound), with the server's answer."""
    words = _DELIVERY_WORDS.get(str(state), str(state))
    text = format_html("Mail {} {}", words, detail.get("to", "the customer"))
    if detail.get("answer") and state in ("failed", "retrying"):
        text = format_html("{}: <span class=\"answer\">{}</span>", text, detail["answer"])
    return text


@register.filter
def event_line(event: Event) -> SafeString:
    """One compact sentence for an event: "Lena assigned to otto"."""
    actor = event.actor_name
    before, after, detail = event.before, event.after, event.detail or {}
    kind = event.kind
    if kind == "created":
        channel = (after or {}).get("channel", "") if isinstance(after, dict) else ""
        text = format_html("{} opened the ticket{}", actor, f" via {channel}" if channel else "")
    elif kind == "assigned":
        text = (format_html("{} assigned to {}{}", actor, after, _was(before)) if after
                else format_html("{} unassigned {}", actor, before or "it"))
    elif kind == "status_changed":
        text = format_html("{} set status to <b>{}</b>{}", actor, _status_label(after),
                           _was(_status_label(before) if before else ""))
    elif kind == "reopened":
        text = format_html("{} reopened the ticket", actor)
    elif kind == "priority_changed":
        text = format_html("{} set priority to <b>{}</b>{}", actor, after, _was(before))
    elif kind == "tier_changed":
        text = format_html("{} moved to <b>tier {}</b>{}", actor, after, _was(before))
    elif kind in ("category_changed", "team_changed"):
        field = kind.split("_")[0]
        text = (format_html("{} set {} to <b>{}</b>{}", actor, field, after, _was(before))
                if after else format_html("{} cleared the {}{}", actor, field, _was(before)))
    elif kind == "subject_changed":
        text = format_html("{} renamed the ticket to “{}”", actor, after)
    elif kind == "first_response":
        text = format_html("{} sent the first response", actor)
    elif kind == "merged":
        text = format_html("{} merged this ticket into {}", actor, _ticket_link(detail.get("into")))
    elif kind == "merged_from":
        text = format_html("{} merged {} into this ticket", actor,
                           _ticket_link(detail.get("source")))
    elif kind == "linked":
        text = format_html("{} linked {}", actor, _ticket_link(after))
    elif kind == "unlinked":
        text = format_html("{} unlinked {}", actor, _ticket_link(before))
    elif kind == "resolution_reminder":
        text = format_html("{} reminded the customer before closing", actor)
    elif kind == "bounce":
        recipients = ", ".join(detail.get("recipients") or []) or "an address"
        permanence = "permanently" if detail.get("permanent") else "temporarily"
        why = detail.get("diagnostic") or (f"status {detail['status']}" if detail.get("status")
                                           else "no reason given")
        text = format_html("<span class=\"bounce\">Mail to <b>{}</b> failed {}: {}</span>",
                           recipients, permanence, why)
    elif kind == "automatic_mail":
        text = format_html("{} sent an automatic reply ({}); not answered", actor,
                           detail.get("auto_kind") or "automatic")
    elif kind == "attachments_skipped":
        text = format_html("Attachments left off: {}", ", ".join(detail.get("files") or []))
    elif kind == "participant_added":
        text = format_html("{} joined the conversation (copied in)", after or actor)
    elif kind == "delivery":
        text = _delivery_line(after, detail)
    elif kind == "acknowledged":
        text = format_html("{} acknowledged the request by mail", actor)
    elif kind in ("sla_warning", "sla_breach"):
        target = str(detail.get("target", "")).replace("_", " ")
        try:
            due = timezone.localtime(datetime.fromisoformat(detail["due"]))
            when = f" (due {due:%a %d %b, %H:%M})"
        except (KeyError, TypeError, ValueError):
            when = ""
        text = (format_html('<span class="sla-warn">SLA warning: {} is close to its '
                            'target{}</span>', target, when) if kind == "sla_warning" else
                format_html('<span class="sla-breach">SLA breached: {} missed its target{}'
                            '</span>', target, when))
    elif kind == "sla_paused":
        text = format_html("SLA clock paused while waiting on the customer")
    elif kind == "sla_resumed":
        text = format_html("SLA clock resumed")
    elif kind == "plan_changed":
        text = format_html("Now served on plan <b>{}</b>{}", after or "none", _was(before))
    elif kind == "incident_premium":
        text = format_html("{} recorded a per-incident premium: <b>{}</b> ({})", actor, after,
                           detail.get("price", ""))
    elif kind == "routed":
        changes = after if isinstance(after, dict) else {}
        parts = [f"{key} {', '.join(value) if isinstance(value, list) else value}"
                 for key, value in changes.items()]
        text = format_html("Routing rules set {}", "; ".join(parts) or "nothing")
    elif kind == "tags_changed":
        text = format_html("{} tagged <b>{}</b>", actor,
                           ", ".join(after) if isinstance(after, list) else after or "nothing")
    elif kind == "escalated":
        text = format_html('<span class="escalated">{} escalated to <b>tier {}</b>{}{}</span>',
                           actor, after, f" ({detail['team']})" if detail.get("team") else "",
                           _was(f"tier {before}" if before else ""))
    elif kind == "de_escalated":
        text = format_html("{} handed it back to <b>tier 1</b> for the customer{}", actor,
                           _was(f"tier {before}" if before else ""))
    elif kind == "escalation_assessed":
        text = format_html("{} weighed an escalation to tier {} and chose <b>{}</b>", actor,
                           detail.get("to_tier", "?"), after)
    elif kind in ("time_logged", "time_edited", "time_deleted"):
        verb = {"time_logged": "logged", "time_edited": "corrected time to",
                "time_deleted": "removed"}[kind]
        text = format_html("{} {} <b>{}</b>{}", actor, verb,
                           after if kind != "time_deleted" else before,
                           f" at tier {detail['tier']}" if detail.get("tier") else "")
    else:
        label = kind.replace("_", " ")
        if after not in (None, "", {}) and not isinstance(after, dict | list):
            text = format_html("{} · {} → {}", actor, label, after)
        else:
            text = format_html("{} · {}", actor, label)
    reason = detail.get("reason")
    if reason and kind != "reopened":
        text = format_html("{} <span class=\"reason\">— {}</span>", text, reason)
    return text

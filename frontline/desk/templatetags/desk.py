"""Small presentation helpers for desk templates: times, events, authors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets.models import Event, Message, Status, parse_reference

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
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(),
                       local.strftime("%a %d %b %Y, %H:%M %Z"), _ago(moment, timezone.now()))


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

"""The intake's event kinds: a fact set or cleared on a ticket."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets import event_kinds
from frontline.tickets.models import Event


def _fact_set(event: Event) -> SafeString:
    key = (event.detail or {}).get("key", "a fact")
    if event.after in (None, ""):
        return format_html("{} cleared the fact {}{}", event.actor_name, key,
                           event_kinds.was(event.before))
    return format_html("{} set {} to <b>{}</b>{}", event.actor_name, key, event.after,
                       event_kinds.was(event.before))


def register() -> None:
    event_kinds.declare("fact_set", app="intake", staff=_fact_set)

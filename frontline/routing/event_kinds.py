"""Routing's and escalation's timeline events and how they read
(registered from RoutingConfig.ready())."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets.event_kinds import declare, was
from frontline.tickets.models import Event


def _routed(event: Event) -> SafeString:
    # The one line for routing's changes (their own rows are `shown_in` this one).
    changes = event.after if isinstance(event.after, dict) else {}
    before = event.before if isinstance(event.before, dict) else {}
    parts = [f"{key} {', '.join(value) if isinstance(value, list) else value}"
             + (f" (was {before[key]})" if key in before else "")
             for key, value in changes.items()]
    return format_html("Routing rules set {}", "; ".join(parts) or "nothing")


def _tags_changed(event: Event) -> SafeString:
    after = event.after
    return format_html("{} tagged <b>{}</b>", event.actor_name,
                       ", ".join(after) if isinstance(after, list) else after or "nothing")


def _escalated(event: Event) -> SafeString:
    team = (event.detail or {}).get("team")
    return format_html('<span class="escalated">{} escalated to <b>tier {}</b>{}{}</span>',
                       event.actor_name, event.after, f" ({team})" if team else "",
                       was(f"tier {event.before}" if event.before else ""))


def _de_escalated(event: Event) -> SafeString:
    return format_html("{} handed it back to <b>tier 1</b> for the customer{}",
                       event.actor_name, was(f"tier {event.before}" if event.before else ""))


def _escalation_assessed(event: Event) -> SafeString:
    return format_html("{} weighed an escalation to tier {} and chose <b>{}</b>",
                       event.actor_name, (event.detail or {}).get("to_tier", "?"), event.after)


def register() -> None:
    app = "routing"
    declare("routed", app=app, staff=_routed)
    declare("tags_changed", app=app, staff=_tags_changed)
    declare("escalated", app=app, staff=_escalated)
    declare("de_escalated", app=app, staff=_de_escalated)
    declare("escalation_assessed", app=app, staff=_escalation_assessed)

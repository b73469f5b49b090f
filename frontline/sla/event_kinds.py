"""The SLA clock's timeline events and how they read (registered from SlaConfig.ready())."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from frontline.tickets.event_kinds import declare, was
from frontline.tickets.models import Event


def _target_and_due(event: Event) -> tuple[str, str]:
    detail = event.detail or {}
    target = str(detail.get("target", "")).replace("_", " ")
    try:
        due = timezone.localtime(datetime.fromisoformat(detail["due"]))
    except (KeyError, TypeError, ValueError):
        return target, ""
    return target, f" (due {due:%a %d %b, %H:%M})"


def _warning(event: Event) -> SafeString:
    target, when = _target_and_due(event)
    return format_html('<span class="sla-warn">SLA warning: {} is close to its target{}'
                       '</span>', target, when)


def _breach(event: Event) -> SafeString:
    target, when = _target_and_due(event)
    return format_html('<span class="sla-breach">SLA breached: {} missed its target{}'
                       '</span>', target, when)


def register() -> None:
    app = "sla"
    declare("sla_warning", app=app, staff=_warning)
    declare("sla_breach", app=app, staff=_breach)
    declare("sla_paused", app=app,
            staff=lambda event: mark_safe("SLA clock paused while waiting on the customer"))
    declare("sla_resumed", app=app, staff=lambda event: mark_safe("SLA clock resumed"))
    declare("plan_changed", app=app,
            staff=lambda event: format_html("Now served on plan <b>{}</b>{}",
                                            event.after or "none", was(event.before)))
    declare("incident_premium", app=app,
            staff=lambda event: format_html("{} recorded a per-incident premium: <b>{}</b> ({})",
                                            event.actor_name, event.after,
                                            (event.detail or {}).get("price", "")))

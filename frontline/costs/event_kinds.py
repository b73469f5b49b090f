"""Time tracking's timeline events and how they read (registered from CostsConfig.ready())."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets.event_kinds import StaffSentence, declare
from frontline.tickets.models import Event


def _time(verb: str, *, amount: str) -> StaffSentence:
    # amount: "after" (the new duration) or "before" (the one removed)
    def sentence(event: Event) -> SafeString:
        tier = (event.detail or {}).get("tier")
        return format_html("{} {} <b>{}</b>{}", event.actor_name, verb,
                           getattr(event, amount), f" at tier {tier}" if tier else "")
    return sentence


def register() -> None:
    app = "costs"
    declare("time_logged", app=app, staff=_time("logged", amount="after"))
    declare("time_edited", app=app, staff=_time("corrected time to", amount="after"))
    declare("time_deleted", app=app, staff=_time("removed", amount="before"))

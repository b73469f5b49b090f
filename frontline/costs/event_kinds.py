"""Time tracking's timeline events and how they read (registered from CostsConfig.ready())."""

from __future__ import annotations

from django.utils import timezone
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


def _logged(event: Event) -> SafeString:
    line = _time("logged", amount="after")(event)
    if not (event.detail or {}).get("stopped_automatically"):
        return line
    # The sweep stopped it (frontline.costs.services.stop_idle_timers): say so, and
    # that the time ends where the page last answered, not when it was noticed.
    return format_html("{} (timer stopped automatically: the page stopped answering "
                       "at {})", line, timezone.localtime(event.at).strftime("%H:%M"))


def register() -> None:
    app = "costs"
    declare("time_logged", app=app, staff=_logged)
    declare("time_edited", app=app, staff=_time("corrected time to", amount="after"))
    declare("time_deleted", app=app, staff=_time("removed", amount="before"))

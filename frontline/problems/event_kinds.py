"""What problems record on a ticket's timeline, and how it reads (registered from
ProblemsConfig.ready())."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets.event_kinds import declare
from frontline.tickets.models import Event


def _problem_link(event: Event) -> SafeString:
    detail = event.detail or {}
    return format_html('<a href="/problems/{}">P-{}</a> “{}”', detail.get("problem"),
                       detail.get("problem"), detail.get("title", ""))


def register() -> None:
    app = "problems"
    declare("problem_linked", app=app,
            staff=lambda event: format_html("{} linked this ticket to problem {}",
                                            event.actor_name, _problem_link(event)))
    declare("problem_unlinked", app=app,
            staff=lambda event: format_html("{} unlinked this ticket from problem {}",
                                            event.actor_name, _problem_link(event)))
    declare("workaround_sent", app=app,
            staff=lambda event: format_html("{} sent the workaround of problem {}",
                                            event.actor_name, _problem_link(event)))
    declare("fix_released", app=app,
            staff=lambda event: format_html("{} told the customer problem {} is fixed in {}",
                                            event.actor_name, _problem_link(event),
                                            (event.detail or {}).get("version", "")))

"""Applying a canned reply (macro) to a ticket: the text to send, and its changes.

One transaction: the macro's text is filled in for the ticket as the agent sees
it now (frontline.kb.rendering), then its changes are made by the same functions,
with the same permission checks and events, as a single change from the desk or
the API (frontline.workflow.changes): team, assignee, tags, then status, the
order update_ticket follows (a status may depend on who owns the ticket). One
refused change (an assignee who may not see the ticket, a status the ticket
cannot move to) refuses them all.

The text is not sent here: the agent reads it in the composer (or the API client
sends it with POST /tickets/{ref}/messages), so a gap such as "[first name
unknown]" can be filled in first. The fit hook (frontline.kb.fit) adds its
warnings to the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.kb.fit import fit_warnings
from frontline.kb.models import Macro
from frontline.kb.rendering import render_macro
from frontline.tickets.models import Ticket
from frontline.tickets.services.entry import check_accepts_change
from frontline.workflow import changes


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AppliedMacro:
    ticket: Ticket
    text: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _state(ticket: Ticket) -> dict[str, Any]:
    ticket = Ticket.objects.select_related("assignee", "team").get(pk=ticket.pk)
    return {"status": ticket.status,
            "assignee": ticket.assignee.username if ticket.assignee else None,
            "team": ticket.team.name if ticket.team else None,
            "tags": sorted(ticket.tags.values_list("name", flat=True))}


def check_usable(actor: User, macro: Macro) -> None:
    """Someone else's personal macro is not there for `actor` (the same answer as
    a macro that does not exist)."""
    if macro.owner_id is not None and macro.owner_id != actor.pk:
        raise InvalidInput(f"No macro '{macro.pk}'.", field="macro")


def preview_macro(ticket: Ticket, actor: User, macro: Macro) -> AppliedMacro:
    """What applying would give, changing nothing: the text, and the fit warnings."""
    permissions.check_can_view_ticket(actor, ticket)
    check_usable(actor, macro)
    return AppliedMacro(ticket=ticket, text=render_macro(macro, ticket, actor),
                        warnings=fit_warnings(macro, ticket))


@transaction.atomic
def apply_macro(ticket: Ticket, actor: User, macro: Macro) -> AppliedMacro:
    """Fill in the macro's text for `ticket` and make its changes; the answer says
    which changes were made (a value the ticket had already is no change)."""
    check_accepts_change(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    check_usable(actor, macro)
    text = render_macro(macro, ticket, actor)
    before = _state(ticket)
    reason = f"Macro: {macro.title}"
    if macro.set_team_id is not None:
        ticket = changes.set_team(ticket, actor, macro.set_team)
    if macro.set_assignee_id is not None:
        ticket = changes.assign(ticket, actor, macro.set_assignee)
    if macro.tag_names:
        ticket = changes.add_tags(ticket, actor, macro.tag_names, reason=reason)
    if macro.set_status:
        ticket = changes.change_status(ticket, actor, macro.set_status, reason=reason)
    after = _state(ticket)
    made = [Change(name, before[name], after[name]) for name in before
            if before[name] != after[name]]
    return AppliedMacro(ticket=ticket, text=text, changes=made,
                        warnings=fit_warnings(macro, ticket))

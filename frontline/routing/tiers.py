"""The one writer of a ticket's tier.

A ticket moves between tiers in four ways: an escalation (a person, or an
escalation rule after business time), a de-escalation (back to tier 1 with a
note), the arrival rules when it is opened, and an SLA policy's breach action
(which escalates, frontline.workflow.promises). Each checks its own
permission and records its own event and decision; all of them set the tier
here and nowhere else, so the rule "the team goes with the tier" lives in one
place. `tickets.services.state.change_field` refuses the tier, and the API's
PATCH and the desk's field go through escalation (frontline.workflow.tiers).
"""

from __future__ import annotations

from frontline.core.tiers import parse_tier
from frontline.routing.models import Team
from frontline.tickets.models import Ticket


def move_tier(ticket: Ticket, tier: int, team: Team | None = None) -> list[str]:
    """Put `ticket` at `tier` (and with `team`, when given and different), in memory;
    returns the fields to save. The caller holds the row lock, has checked who may
    do this, saves the fields and records the event that says why."""
    new_tier = parse_tier(tier)
    if team is not None and team.tier != new_tier:
        raise ValueError(f"{team.name} works at tier {team.tier}, not tier {new_tier}.")
    fields = []
    if new_tier != ticket.tier:
        ticket.tier = new_tier
        fields.append("tier")
    if team is not None and team.pk != ticket.team_id:
        ticket.team = team
        fields.append("team")
    return fields

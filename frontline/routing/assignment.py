"""Who gets a ticket that arrives in a team: the team's assignment mode.

A ticket arrives in a team when it is opened (auto_assign, after the routing
rules) and when it changes tier (hand_over, from every escalation and
de-escalation): the owner at the old tier lets go, the new team's mode decides.

- manual: nobody; the team picks from its queue.
- round robin: the next member after `team.last_assigned`, in a stable order
  (by id), wrapping around.
- least loaded: the member with the fewest active tickets assigned; ties go
  to whoever round robin would pick first.

People who are away, inactive, viewers, or who may not see the ticket (a
developer and a tier-1 ticket, frontline.core.permissions) are skipped. The
team row is locked while choosing, so two tickets arriving at once never go
to the same person by accident of timing, and the pointer moves once per ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count

from frontline.core import permissions
from frontline.core.models import User
from frontline.notifications import services as notifications
from frontline.routing.models import Assignment, Team
from frontline.tickets.models import ACTIVE_STATUSES, Ticket
from frontline.tickets.services.events import record_event


def eligible_members(team: Team, ticket: Ticket) -> list[User]:
    """The team's members who may be given `ticket` now, in round-robin order."""
    members = permissions.ticket_owners(team.members.filter(away=False))
    return list(permissions.users_who_can_view_ticket(members, ticket).order_by("pk"))


def next_after(candidates: Sequence[User], last_id: int | None) -> User:
    """The first candidate after `last_id` in id order, wrapping to the first."""
    if last_id is not None:
        for user in candidates:
            if user.pk > last_id:
                return user
    return candidates[0]


def active_load(users: Sequence[User]) -> dict[int, int]:
    """Active tickets assigned to each person (one grouped, indexed query)."""
    counts = (Ticket.objects.filter(assignee__in=[u.pk for u in users],
                                    status__in=ACTIVE_STATUSES)
              .order_by().values("assignee").annotate(n=Count("pk")))
    loads = {user.pk: 0 for user in users}
    for row in counts:
        loads[row["assignee"]] = row["n"]
    return loads


def choose(team: Team, ticket: Ticket) -> User | None:
    """Who the team's mode picks for `ticket` (None: manual, or nobody available)."""
    if team.assignment == Assignment.MANUAL:
        return None
    candidates = eligible_members(team, ticket)
    if not candidates:
        return None
    if team.assignment == Assignment.LEAST_LOADED:
        loads = active_load(candidates)
        fewest = min(loads.values())
        candidates = [user for user in candidates if loads[user.pk] == fewest]
    return next_after(candidates, team.last_assigned_id)


def auto_assign(ticket: Ticket, at: datetime, *, actor: User | None = None) -> User | None:
    """Give an unowned `ticket` an owner by its team's mode; the caller holds the
    transaction (and the ticket row, when it is not brand new). An existing owner
    is kept (a ticket changing tier goes through hand_over). Returns the new owner."""
    if ticket.team_id is None or ticket.assignee_id is not None:
        return None
    team = Team.objects.select_for_update().filter(pk=ticket.team_id).first()
    if team is None:
        return None
    chosen = choose(team, ticket)
    if chosen is None:
        return None
    _give(ticket, team, chosen, at, actor=actor)
    return chosen


def hand_over(ticket: Ticket, at: datetime) -> User | None:
    """The ticket changed tier (escalated, or handed back to tier 1): whoever owned
    it at the old tier lets go, and the team now holding it picks the owner by its
    mode, as for a ticket arriving there. Manual, or nobody available: the ticket
    waits unassigned in the team's queue. A team that does not work at the
    ticket's new tier (kept because several teams work there and nobody chose)
    picks nobody: its members work at the old tier. Returns the new owner.

    The caller holds the transaction and the ticket's row lock. The change is one
    `assigned` event by the system (actor None, the reason naming the mode), like
    an assignment on arrival: the person who escalated did not pick the owner."""
    team = (Team.objects.select_for_update().filter(pk=ticket.team_id, tier=ticket.tier).first()
            if ticket.team_id is not None else None)
    chosen = choose(team, ticket) if team is not None else None
    if (chosen.pk if chosen is not None else None) == ticket.assignee_id:
        return chosen
    # The reason says why the owner changed by itself: "Automatically unassigned Otto
    # Nilsen — moved to tier 2: Specialists assigns by hand".
    _give(ticket, team, chosen, at, actor=None, why=f"moved to tier {ticket.tier}")
    return chosen


def _give(ticket: Ticket, team: Team | None, chosen: User | None, at: datetime, *,
          actor: User | None, why: str = "") -> None:
    """Set the owner (None: unassigned), move the team's pointer, record the event;
    `why` comes before the team's mode in the event's reason."""
    previous = ticket.assignee if ticket.assignee_id else None
    before = previous.username if previous else None
    ticket.assignee = chosen
    ticket.updated_at = max(ticket.updated_at, at)
    ticket.save(update_fields=["assignee", "updated_at"])
    if team is None:
        reason = f"no team at tier {ticket.tier} chosen"
    elif chosen is None:
        reason = (f"{team.name} assigns by hand" if team.assignment == Assignment.MANUAL
                  else f"nobody available in {team.name}")
    else:
        # update(), not save(): moving the pointer is not an edit of the team, and
        # must not drop the routing rules' cache on every ticket.
        Team.objects.filter(pk=team.pk).update(last_assigned=chosen)
        reason = f"{Assignment(team.assignment).label.lower()} in {team.name}"
    if why and team is not None:
        reason = f"{why}: {reason}"
    record_event(ticket, "assigned", actor=actor, at=at, before=before,
                 after=chosen.username if chosen is not None else None, reason=reason,
                 before_name=previous.display_name if previous else None,
                 after_name=chosen.display_name if chosen is not None else None)
    # The person the team's mode picked learns it (a mail too, if they asked).
    notifications.tell_assignee(ticket, actor, chosen, at=at)

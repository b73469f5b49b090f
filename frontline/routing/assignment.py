"""Who gets a ticket that arrives in a team: the team's assignment mode.

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
from frontline.core.models import Role, User
from frontline.routing.models import Assignment, Team
from frontline.tickets.models import ACTIVE_STATUSES, Ticket
from frontline.tickets.services.events import record_event


def eligible_members(team: Team, ticket: Ticket) -> list[User]:
    """The team's members who may be given `ticket` now, in round-robin order."""
    members = team.members.filter(is_active=True, away=False).exclude(
        role=Role.VIEWER, is_superuser=False)
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


def auto_assign(ticket: Ticket, at: datetime, *, replace: bool = False,
                actor: User | None = None) -> User | None:
    """Give `ticket` an owner by its team's mode; the caller holds the transaction
    (and the ticket row, when it is not brand new). Keeps an existing owner
    unless `replace` (the ticket moved to another team). Returns the new owner."""
    if ticket.team_id is None or (ticket.assignee_id is not None and not replace):
        return None
    team = Team.objects.select_for_update().filter(pk=ticket.team_id).first()
    if team is None:
        return None
    chosen = choose(team, ticket)
    if chosen is None or chosen.pk == ticket.assignee_id:
        return None
    before = ticket.assignee.username if ticket.assignee_id and ticket.assignee else None
    ticket.assignee = chosen
    ticket.updated_at = max(ticket.updated_at, at)
    ticket.save(update_fields=["assignee", "updated_at"])
    # update(), not save(): moving the pointer is not an edit of the team, and
    # must not drop the routing rules' cache on every ticket.
    Team.objects.filter(pk=team.pk).update(last_assigned=chosen)
    mode = Assignment(team.assignment).label.lower()
    record_event(ticket, "assigned", actor=actor, at=at, before=before, after=chosen.username,
                 reason=f"{mode} in {team.name}")
    return chosen

"""Teams (admins): name, tier, members, lead, calendar, assignment mode; and a
member's "away" flag, which automatic assignment respects."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from frontline.core import inputs as core_inputs
from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from frontline.core.lookup import find_row
from frontline.core.models import User
from frontline.routing import inputs
from frontline.routing.models import Assignment, EscalationRule, RoutingRule, Team
from frontline.sla.inputs import find_calendar

# The routing rules' cache (frontline.routing.rules) holds teams; it is dropped by
# the post_save/post_delete/m2m_changed receivers on Team that rules.py connects,
# so the services here need not call it (and rules.py may import find_team).

TEAM_FIELDS = ("name", "tier", "calendar", "assignment", "lead", "members")


def teams() -> QuerySet[Team]:
    return Team.objects.select_related("calendar", "lead", "last_assigned").prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("pk"))).order_by("tier", "name")


def find_team(value: Team | str | int | None, *, field: str = "team",
              rows: QuerySet[Team] | None = None) -> Team | None:
    """The team with this id or name (any case); None when empty. The one team
    finder: desk, API, rules, SLA policies (their callers) and the workflow use it.

    InvalidInput naming `field` when no team matches; a face loading the team its
    URL names turns that into a 404. `rows` is where to look, e.g. teams() with
    the members loaded for a team's page."""
    team = find_row(Team.objects.all() if rows is None else rows, value, iexact=("name",))
    if team is None and not core_inputs.blank(value):
        raise InvalidInput(f"No team '{value}'.", field=field)
    return team


def _assignment(value: Any) -> str:
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text not in Assignment.values:
        names = ", ".join(Assignment.values)
        raise InvalidInput(f"'{value}' is not an assignment mode ({names}).", field="assignment")
    return text


def _members(value: Any) -> list[User]:
    names = core_inputs.split_list(value) if not isinstance(value, list) else value
    found: dict[int, User] = {}
    for name in names:
        user = inputs.staff_member(name, field="members")
        if user is None:
            raise InvalidInput("A member is named by a username or id; one of them is blank.",
                               field="members")
        found[user.pk] = user
    return list(found.values())


def _apply(team: Team, changes: dict[str, Any]) -> list[User] | None:
    unknown = sorted(set(changes) - set(TEAM_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not a field of a team.", field=unknown[0])
    if "name" in changes:
        name = core_inputs.name(changes["name"], what="A team")
        if len(name) > 100:
            raise InvalidInput("A team's name is at most 100 characters.", field="name")
        clash = Team.objects.filter(name__iexact=name).exclude(pk=team.pk).first()
        if clash is not None:
            raise InvalidInput(f"There is already a team called {clash.name}.", field="name")
        team.name = name
    if "tier" in changes:
        tier = inputs.tier(changes["tier"], field="tier")
        if tier is None:
            raise InvalidInput("A team works at tier 1, 2 or 3.", field="tier")
        team.tier = tier
    if "calendar" in changes:
        team.calendar = find_calendar(changes["calendar"])
    if "assignment" in changes:
        team.assignment = _assignment(changes["assignment"])
    if "lead" in changes:
        team.lead = inputs.staff_member(changes["lead"], field="lead")
    return _members(changes["members"]) if "members" in changes else None


def _check_tier_change(team: Team, old_tier: int) -> None:
    """Escalation rules name a team for a tier: moving the team would make them lie."""
    if team.pk is None or team.tier == old_tier:
        return
    names = list(EscalationRule.objects.filter(to_team=team).values_list("name", flat=True))
    if names:
        raise InvalidInput(f"Escalation rules send tickets to {team.name} at tier {old_tier}: "
                           f"{', '.join(names)}. Change them first.", field="tier")


@transaction.atomic
def create_team(actor: User, **fields: Any) -> Team:
    permissions.check_is_admin(actor)
    if "name" not in fields:
        raise InvalidInput("A team needs a name.", field="name")
    team = Team(tier=1, assignment=Assignment.MANUAL)
    members = _apply(team, fields)
    team.save()
    if members is not None:
        team.members.set(members)
    return teams().get(pk=team.pk)


@transaction.atomic
def update_team(actor: User, team: Team, **changes: Any) -> Team:
    permissions.check_is_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    old_tier = team.tier
    members = _apply(team, changes)
    _check_tier_change(team, old_tier)
    team.save()
    if members is not None:
        team.members.set(members)
    return teams().get(pk=team.pk)


@transaction.atomic
def delete_team(actor: User, team: Team) -> None:
    """Remove a team. Refused while rules send tickets to it (deleting the team
    would silently delete or blunt them); its tickets keep going, teamless."""
    permissions.check_is_admin(actor)
    routing = list(RoutingRule.objects.filter(set_team=team).values_list("name", flat=True))
    escalation = list(EscalationRule.objects.filter(to_team=team).values_list("name", flat=True))
    if routing or escalation:
        raise InvalidTransition(f"Rules send tickets to {team.name}: "
                                f"{', '.join(routing + escalation)}. Change or delete them first.")
    Team.objects.filter(pk=team.pk).delete()


@transaction.atomic
def set_away(actor: User, person: User | str, away: bool) -> User:
    """Mark someone away (holiday, sick) or back. Admins, or the person themself."""
    user = person if isinstance(person, User) else User.objects.filter(username=person).first()
    if user is None:
        raise NotFound(f"There is no member of staff '{person}'.")
    if not permissions.is_staff_user(actor):
        raise NotAllowed("Sign in first.")
    if actor.pk != user.pk:
        permissions.check_is_admin(actor)
    if user.away != away:
        User.objects.filter(pk=user.pk).update(away=away)
        user.away = away
    return user


def team_of_member(team: Team, username: str) -> User:
    user = next((m for m in team.members.all() if m.username == username), None)
    if user is None:
        raise NotFound(f"{username} is not a member of {team.name}.")
    return user

"""Teams, routing rules and escalation rules: list, read, create, change, delete.

Every member of staff may read them (each rule comes with its sentence, as the
desk shows it); only admins change them (403 otherwise). A rule's `position`
is its place in the order, 1 first: sending one moves the rule there.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from pydantic import AfterValidator

from frontline.api.auth import request_user
from frontline.api.errors import in_path
from frontline.api.schemas import (
    ERROR_RESPONSES,
    InputSchema,
    NonEmptyText,
    Omissible,
    Stated,
    Text,
)
from frontline.core.inputs import split_list
from frontline.core.models import User
from frontline.routing import escalation_rules, rules, teams
from frontline.routing.inputs import priority_name
from frontline.routing.models import EscalationRule, RoutingRule, Team
from frontline.routing.sentences import describe

router = Router(tags=["routing"])

PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Name = Annotated[NonEmptyText, Field(max_length=200)]
TeamName = Annotated[NonEmptyText, Field(max_length=100)]
Tier = Annotated[int, Field(ge=1, le=3)]


def _upwards(tier: int) -> int:
    # The same words as escalation_rules' own check (which the desk's form meets).
    if tier < 2:
        raise ValueError("An escalation goes up: to tier 2 or 3.")
    return tier


# An escalation goes up: the schema says `minimum: 2`, the refusal says it in words.
EscalationTier = Annotated[Tier, AfterValidator(_upwards), Stated(minimum=2)]
Ref = int | Annotated[Text, Field(max_length=200)]
Words = list[Annotated[Text, Field(max_length=200)]]
Position = Annotated[int, Field(ge=1, le=1_000_000)]
Minutes = Annotated[int, Field(ge=1, le=525_600)]
PriorityName = Literal["low", "normal", "high", "urgent"]
ChannelName = Literal["email", "web", "portal", "phone", "chat", "api"]
AssignmentName = Literal["manual", "round_robin", "least_loaded"]
TriggerName = Literal["on_create", "no_first_response", "no_resolution"]


# -- shapes -------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str


class MemberOut(Schema):
    username: str
    name: str
    away: bool


class TeamOut(Schema):
    id: int
    name: str
    tier: int
    calendar: RefOut | None
    assignment: AssignmentName
    lead: str | None = Field(description="The lead's username.")
    members: list[MemberOut]
    last_assigned: str | None = Field(description="Who round robin gave the last ticket.")


class TeamIn(InputSchema):
    name: TeamName
    tier: Tier = 1
    calendar: Ref | None = Field(None, description="A business calendar's id or name.")
    assignment: AssignmentName = "manual"
    lead: Text | None = Field(None, description="A username.")
    members: list[Annotated[Text, Field(max_length=150)]] = Field(
        [], description="Usernames.")


class TeamPatchIn(InputSchema):
    name: Omissible[TeamName] = None
    tier: Omissible[Tier] = None
    calendar: Ref | None = None
    assignment: Omissible[AssignmentName] = None
    lead: Text | None = None
    members: Omissible[list[Annotated[Text, Field(max_length=150)]]] = None


class MemberPatchIn(InputSchema):
    away: bool


class RoutingRuleOut(Schema):
    id: int
    position: int
    name: str
    active: bool
    sentence: str = Field(description="The rule in words, as the desk shows it.")
    channel: ChannelName | None
    category: str | None = Field(description="The category's slug.")
    product: str | None = Field(description="The product's slug.")
    version: str | None
    plan: str | None = Field(description="The plan's slug.")
    organization: RefOut | None
    words: list[str] = Field(description="Any of these, as whole words, in the subject or "
                                         "first message.")
    set_team: RefOut | None
    set_tier: int | None
    set_priority: PriorityName | None
    set_tags: list[str]
    stop: bool


class RoutingRuleIn(InputSchema):
    name: Name
    position: Position | None = Field(None, description="1 runs first; by default last.")
    active: bool = True
    channel: ChannelName | None = None
    category: Ref | None = None
    product: Ref | None = None
    version: Ref | None = None
    plan: Ref | None = None
    organization: Ref | None = Field(None, description="An organization's id.")
    words: Words = []
    set_team: Ref | None = Field(None, description="A team's id or name.")
    set_tier: Tier | None = None
    set_priority: PriorityName | None = None
    set_tags: Words = []
    stop: bool = True


class RoutingRulePatchIn(InputSchema):
    name: Omissible[Name] = None
    position: Omissible[Position] = None
    active: Omissible[bool] = None
    channel: ChannelName | None = None
    category: Ref | None = None
    product: Ref | None = None
    version: Ref | None = None
    plan: Ref | None = None
    organization: Ref | None = None
    words: Words | None = None
    set_team: Ref | None = None
    set_tier: Tier | None = None
    set_priority: PriorityName | None = None
    set_tags: Words | None = None
    stop: Omissible[bool] = None


class EscalationRuleOut(Schema):
    id: int
    position: int
    name: str
    active: bool
    sentence: str = Field(description="The rule in words, as the desk shows it.")
    trigger: TriggerName
    after_minutes: int | None = Field(description="Business minutes (time triggers).")
    category: str | None
    product: str | None
    plan: str | None
    min_priority: PriorityName | None
    to_tier: int
    to_team: RefOut | None


class EscalationRuleIn(InputSchema):
    name: Name
    position: Position | None = None
    active: bool = True
    trigger: TriggerName = "on_create"
    after_minutes: Minutes | None = None
    category: Ref | None = None
    product: Ref | None = None
    plan: Ref | None = None
    min_priority: PriorityName | None = None
    to_tier: EscalationTier
    to_team: Ref | None = None


class EscalationRulePatchIn(InputSchema):
    name: Omissible[Name] = None
    position: Omissible[Position] = None
    active: Omissible[bool] = None
    trigger: Omissible[TriggerName] = None
    after_minutes: Minutes | None = None
    category: Ref | None = None
    product: Ref | None = None
    plan: Ref | None = None
    min_priority: PriorityName | None = None
    to_tier: Omissible[EscalationTier] = None
    to_team: Ref | None = None


class TeamListOut(Schema):
    items: list[TeamOut]


class RoutingRuleListOut(Schema):
    items: list[RoutingRuleOut]


class EscalationRuleListOut(Schema):
    items: list[EscalationRuleOut]


# -- rendering ------------------------------------------------------------------


def _ref(row: Any) -> dict[str, Any] | None:
    return {"id": row.pk, "name": row.name} if row is not None else None


def team_out(team: Team) -> dict[str, Any]:
    return {
        "id": team.pk, "name": team.name, "tier": team.tier, "calendar": _ref(team.calendar),
        "assignment": team.assignment,
        "lead": team.lead.username if team.lead else None,
        "members": [{"username": m.username, "name": m.display_name, "away": m.away}
                    for m in team.members.all()],
        "last_assigned": team.last_assigned.username if team.last_assigned else None,
    }


def routing_rule_out(rule: RoutingRule) -> dict[str, Any]:
    return {
        "id": rule.pk, "position": rule.position, "name": rule.name, "active": rule.active,
        "sentence": describe(rule), "channel": rule.channel or None,
        "category": rule.category.slug if rule.category else None,
        "product": rule.product.slug if rule.product else None,
        "version": rule.version.name if rule.version else None,
        "plan": rule.plan.slug if rule.plan else None,
        "organization": _ref(rule.organization),
        "words": split_list(rule.words), "set_team": _ref(rule.set_team),
        "set_tier": rule.set_tier, "set_priority": priority_name(rule.set_priority),
        "set_tags": split_list(rule.set_tags), "stop": rule.stop,
    }


def escalation_rule_out(rule: EscalationRule) -> dict[str, Any]:
    return {
        "id": rule.pk, "position": rule.position, "name": rule.name, "active": rule.active,
        "sentence": describe(rule), "trigger": rule.trigger,
        "after_minutes": rule.after_minutes,
        "category": rule.category.slug if rule.category else None,
        "product": rule.product.slug if rule.product else None,
        "plan": rule.plan.slug if rule.plan else None,
        "min_priority": priority_name(rule.min_priority), "to_tier": rule.to_tier,
        "to_team": _ref(rule.to_team),
    }


def _user(request: HttpRequest) -> User:
    return request_user(request)


# -- teams ----------------------------------------------------------------------


def _team(team_id: int) -> Team:
    return in_path(teams.find_team, team_id, rows=teams.teams())


@router.get("/teams", response={200: TeamListOut, **ERROR_RESPONSES})
def list_teams(request: HttpRequest) -> dict[str, Any]:
    """Every team, by tier then name, with its members and who is away."""
    return {"items": [team_out(team) for team in teams.teams()]}


@router.get("/teams/{team_id}", response={200: TeamOut, **ERROR_RESPONSES})
def get_team(request: HttpRequest, team_id: PathId) -> dict[str, Any]:
    return team_out(_team(team_id))


@router.post("/teams", response={201: TeamOut, **ERROR_RESPONSES})
def create_team(request: HttpRequest, payload: TeamIn) -> Status[dict[str, Any]]:
    """Add a team. Admins only."""
    team = teams.create_team(_user(request), **payload.model_dump())
    return Status(201, team_out(team))


@router.patch("/teams/{team_id}", response={200: TeamOut, **ERROR_RESPONSES})
def update_team(request: HttpRequest, team_id: PathId, payload: TeamPatchIn) -> dict[str, Any]:
    """Change a team; `members` replaces the list. Admins only."""
    changes = payload.model_dump(exclude_unset=True)
    return team_out(teams.update_team(_user(request), _team(team_id), **changes))


@router.delete("/teams/{team_id}", response={204: None, **ERROR_RESPONSES})
def delete_team(request: HttpRequest, team_id: PathId) -> Status[None]:
    """Remove a team (refused with 409 while rules send tickets to it). Admins only."""
    teams.delete_team(_user(request), _team(team_id))
    return Status(204, None)


@router.patch("/teams/{team_id}/members/{username}",
              response={200: MemberOut, **ERROR_RESPONSES})
def update_member(request: HttpRequest, team_id: PathId, username: str,
                  payload: MemberPatchIn) -> dict[str, Any]:
    """Mark a member away (automatic assignment skips them) or back. Admins, or
    the member themself."""
    member = teams.team_of_member(_team(team_id), username)
    user = teams.set_away(_user(request), member, payload.away)
    return {"username": user.username, "name": user.display_name, "away": user.away}


# -- routing rules ----------------------------------------------------------------


@router.get("/routing-rules", response={200: RoutingRuleListOut, **ERROR_RESPONSES})
def list_routing_rules(request: HttpRequest) -> dict[str, Any]:
    """Every routing rule, in the order they run."""
    return {"items": [routing_rule_out(rule) for rule in rules.routing_rules()]}


@router.get("/routing-rules/{rule_id}", response={200: RoutingRuleOut, **ERROR_RESPONSES})
def get_routing_rule(request: HttpRequest, rule_id: PathId) -> dict[str, Any]:
    return routing_rule_out(rules.get_routing_rule(rule_id))


@router.post("/routing-rules", response={201: RoutingRuleOut, **ERROR_RESPONSES})
def create_routing_rule(request: HttpRequest, payload: RoutingRuleIn) -> Status[dict[str, Any]]:
    """Add a routing rule. Admins only. It must set something."""
    rule = rules.create_routing_rule(_user(request), **payload.model_dump())
    return Status(201, routing_rule_out(rule))


@router.patch("/routing-rules/{rule_id}", response={200: RoutingRuleOut, **ERROR_RESPONSES})
def update_routing_rule(request: HttpRequest, rule_id: PathId,
                        payload: RoutingRulePatchIn) -> dict[str, Any]:
    """Change a routing rule; null clears a condition or an action. Admins only."""
    changes = payload.model_dump(exclude_unset=True)
    rule = rules.update_routing_rule(_user(request), rules.get_routing_rule(rule_id), **changes)
    return routing_rule_out(rule)


@router.delete("/routing-rules/{rule_id}", response={204: None, **ERROR_RESPONSES})
def delete_routing_rule(request: HttpRequest, rule_id: PathId) -> Status[None]:
    rules.delete_routing_rule(_user(request), rules.get_routing_rule(rule_id))
    return Status(204, None)


# -- escalation rules ---------------------------------------------------------------


@router.get("/escalation-rules", response={200: EscalationRuleListOut, **ERROR_RESPONSES})
def list_escalation_rules(request: HttpRequest) -> dict[str, Any]:
    """Every escalation rule, in order."""
    return {"items": [escalation_rule_out(rule)
                      for rule in escalation_rules.escalation_rules()]}


@router.get("/escalation-rules/{rule_id}",
            response={200: EscalationRuleOut, **ERROR_RESPONSES})
def get_escalation_rule(request: HttpRequest, rule_id: PathId) -> dict[str, Any]:
    return escalation_rule_out(escalation_rules.get_escalation_rule(rule_id))


@router.post("/escalation-rules", response={201: EscalationRuleOut, **ERROR_RESPONSES})
def create_escalation_rule(request: HttpRequest,
                           payload: EscalationRuleIn) -> Status[dict[str, Any]]:
    """Add an escalation rule. Admins only. Time triggers need `after_minutes`."""
    rule = escalation_rules.create_escalation_rule(_user(request), **payload.model_dump())
    return Status(201, escalation_rule_out(rule))


@router.patch("/escalation-rules/{rule_id}",
              response={200: EscalationRuleOut, **ERROR_RESPONSES})
def update_escalation_rule(request: HttpRequest, rule_id: PathId,
                           payload: EscalationRulePatchIn) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True)
    rule = escalation_rules.update_escalation_rule(
        _user(request), escalation_rules.get_escalation_rule(rule_id), **changes)
    return escalation_rule_out(rule)


@router.delete("/escalation-rules/{rule_id}", response={204: None, **ERROR_RESPONSES})
def delete_escalation_rule(request: HttpRequest, rule_id: PathId) -> Status[None]:
    escalation_rules.delete_escalation_rule(_user(request),
                                            escalation_rules.get_escalation_rule(rule_id))
    return Status(204, None)

"""Routing rules, the configuration: list, create, change, delete and order them.

What the rules do to a new ticket is in frontline.routing.arrival; how they are
held in memory, in frontline.routing.ruleset.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from frontline.core import inputs as core_inputs
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.finders import find_organization, find_plan, find_product, find_version
from frontline.routing import inputs, ordering
from frontline.routing.models import RoutingRule
from frontline.routing.ordering import RuleKind
from frontline.routing.teams import find_team
from frontline.tickets.taxonomy import find_category, find_priority

# -- editing routing rules (admins) ----------------------------------------------


def routing_rules() -> QuerySet[RoutingRule]:
    """All routing rules in the order they run, with what their sentences name."""
    return RoutingRule.objects.select_related(
        "category", "product", "version__product", "plan", "organization", "set_team",
    ).order_by("position", "id")


ROUTING_FIELDS = ("name", "position", "active", "channel", "category", "product", "version",
                  "plan", "organization", "words", "set_team", "set_tier", "set_priority",
                  "set_tags", "stop")


def _apply_routing_fields(rule: RoutingRule, changes: dict[str, Any]) -> None:
    if "name" in changes:
        rule.name = core_inputs.name(changes["name"], what="A rule")
    if "active" in changes:
        rule.active = core_inputs.boolean(changes["active"], "active")
    if "stop" in changes:
        rule.stop = core_inputs.boolean(changes["stop"], "stop")
    if "channel" in changes:
        rule.channel = inputs.channel(changes["channel"])
    if "category" in changes:
        rule.category = find_category(changes["category"])
    if "product" in changes:
        rule.product = find_product(changes["product"])
    if "version" in changes:
        product = rule.product if rule.product_id else None
        rule.version = find_version(product, changes["version"])
    elif rule.version_id and rule.version and rule.version.product_id != rule.product_id:
        raise InvalidInput(f"Version {rule.version.name} is not a version of the product; "
                           "change the version too.", field="version")
    if "plan" in changes:
        rule.plan = find_plan(changes["plan"])
    if "organization" in changes:
        rule.organization = find_organization(changes["organization"])
    if "words" in changes:
        rule.words = inputs.words(changes["words"])
    if "set_team" in changes:
        rule.set_team = find_team(changes["set_team"], field="set_team")
    if "set_tier" in changes:
        rule.set_tier = inputs.tier(changes["set_tier"], field="set_tier")
    if "set_priority" in changes:
        rule.set_priority = find_priority(changes["set_priority"], field="set_priority")
    if "set_tags" in changes:
        rule.set_tags = inputs.tags(changes["set_tags"])
    if not (rule.set_team_id or rule.set_tier or rule.set_priority or rule.set_tags):
        raise InvalidInput("A routing rule must set something: a team, a tier, a priority "
                           "or tags.", field="set_team")


ROUTING = RuleKind(model=RoutingRule, label="routing rule", fields=ROUTING_FIELDS,
                   listing=routing_rules, apply=_apply_routing_fields,
                   defaults={"stop": True, "active": True})


def get_routing_rule(rule_id: int) -> RoutingRule:
    return ordering.get_rule(ROUTING, rule_id)


def create_routing_rule(actor: User, **fields: Any) -> RoutingRule:
    """Add a routing rule (admins). `position` 1 puts it first; by default it runs last."""
    return ordering.create_rule(ROUTING, actor, fields)


def update_routing_rule(actor: User, rule: RoutingRule, **changes: Any) -> RoutingRule:
    """Change a routing rule (admins): the fields given change, the others stay;
    `position` moves it in the order."""
    return ordering.update_rule(ROUTING, actor, rule, changes)


def delete_routing_rule(actor: User, rule: RoutingRule) -> None:
    ordering.delete_rule(ROUTING, actor, rule)


def move_routing_rule(actor: User, rule: RoutingRule, by: int) -> RoutingRule:
    """Up (-1) or down (+1) one place: the desk's arrows."""
    return ordering.move_rule(ROUTING, actor, rule, by)

"""Rules as sentences a person reads in the desk:

    "To tier 2 (Specialists) when category is Installation and no resolution
     after 4 business hours"
    "Premium and urgent: straight to tier 2"
    "When the subject or message mentions “install” or “setup”: team
     Installation, tier 1, tagged installation; then stop"

The sentence is built from the rule's fields, so it never disagrees with what
the rule does. Callers pass rules with their related rows selected (the
settings lists do) to keep one query per list.
"""

from __future__ import annotations

from frontline.core.inputs import split_list
from frontline.routing.models import EscalationRule, EscalationTrigger, RoutingRule
from frontline.tickets.taxonomy import Channel, Priority


def describe(rule: RoutingRule | EscalationRule) -> str:
    """The rule as one readable sentence."""
    if isinstance(rule, EscalationRule):
        return describe_escalation(rule)
    return describe_routing(rule)


def _and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _or_quoted(items: list[str]) -> str:
    quoted = [f"“{item}”" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def priority_phrase(min_priority: int | None) -> str:
    """min_priority as words: 4 -> "urgent", 3 -> "high or urgent"."""
    if min_priority is None:
        return ""
    names = [p.name.lower() for p in Priority if p.value >= min_priority]
    if not names:
        return ""
    if len(names) == len(Priority):
        return ""  # the lowest priority or above: every ticket
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def duration(minutes: int | None) -> str:
    """Business minutes as words: 240 -> "4 business hours", 90 -> "90 business minutes"."""
    if not minutes:
        return "a while"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} business hour{'s' if hours != 1 else ''}"
    return f"{minutes} business minute{'s' if minutes != 1 else ''}"


def _tier_and_team(tier: int, team_name: str | None) -> str:
    return f"tier {tier}" + (f" ({team_name})" if team_name else "")


def describe_escalation(rule: EscalationRule) -> str:
    team_name = rule.to_team.name if rule.to_team_id and rule.to_team else None
    target = _tier_and_team(rule.to_tier, team_name)
    priority = priority_phrase(rule.min_priority)
    if rule.trigger == EscalationTrigger.ON_CREATE:
        # "Premium and urgent: straight to tier 2"
        parts = []
        if rule.plan_id and rule.plan:
            parts.append(rule.plan.name)
        if priority:
            parts.append(priority)
        if rule.category_id and rule.category:
            parts.append(f"category {rule.category.name}")
        if rule.product_id and rule.product:
            parts.append(f"product {rule.product.name}")
        who = _and(parts) if parts else "Every new ticket"
        return f"{_capital(who)}: straight to {target}"
    # "To tier 2 when category is Installation and no resolution after 4 business hours"
    conditions = []
    if rule.plan_id and rule.plan:
        conditions.append(f"plan is {rule.plan.name}")
    if priority:
        conditions.append(f"priority is {priority}")
    if rule.category_id and rule.category:
        conditions.append(f"category is {rule.category.name}")
    if rule.product_id and rule.product:
        conditions.append(f"product is {rule.product.name}")
    what = ("no first response" if rule.trigger == EscalationTrigger.NO_FIRST_RESPONSE
            else "no resolution")
    conditions.append(f"{what} after {duration(rule.after_minutes)}")
    return f"To {target} when {' and '.join(conditions)}"


def describe_routing(rule: RoutingRule) -> str:
    conditions = []
    if rule.channel:
        label = dict(Channel.choices).get(rule.channel, rule.channel)
        conditions.append(f"it comes by {label.lower()}")
    if rule.category_id and rule.category:
        conditions.append(f"category is {rule.category.name}")
    if rule.product_id and rule.product:
        product = f"product is {rule.product.name}"
        if rule.version_id and rule.version:
            product += f" {rule.version.name}"
        conditions.append(product)
    elif rule.version_id and rule.version:
        conditions.append(f"version is {rule.version}")
    if rule.plan_id and rule.plan:
        conditions.append(f"plan is {rule.plan.name}")
    if rule.organization_id and rule.organization:
        conditions.append(f"organization is {rule.organization.name}")
    words = split_list(rule.words)
    if words:
        conditions.append(f"the subject or message mentions {_or_quoted(words)}")
    actions = []
    if rule.set_team_id and rule.set_team:
        actions.append(f"team {rule.set_team.name}")
    tier = rule.set_tier or (rule.set_team.tier if rule.set_team_id and rule.set_team else None)
    if tier:
        actions.append(f"tier {tier}")
    if rule.set_priority:
        actions.append(f"priority {Priority(rule.set_priority).name.lower()}")
    tags = split_list(rule.set_tags)
    if tags:
        actions.append("tagged " + ", ".join(tags))
    when = f"When {' and '.join(conditions)}" if conditions else "Every new ticket"
    then = ", ".join(actions) if actions else "nothing"
    return f"{when}: {then}; {'then stop' if rule.stop else 'then the next rules'}"

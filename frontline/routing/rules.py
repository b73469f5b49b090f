"""Routing rules: what happens to a ticket the moment it arrives.

`route_new_ticket` runs inside `open_ticket` (one transaction, before the SLA
clock starts): the active routing rules in `position` order set team, tier,
priority and tags; a matching rule with `stop` ends the run; later matches
override earlier ones field by field and add their tags. Then the on-arrival
escalation rules ("Premium and urgent: straight to tier 2") may lift the tier,
never lower it. One `routed` event lists the rules that matched and what they
set, each changed field gets the lifecycle's own event (`team_changed`,
`tier_changed`, `priority_changed`, `tags_changed`), and the team's
assignment mode picks an owner (frontline.routing.assignment).

Mail ingest opens thousands of tickets a minute, so the rules are held in
process (compiled, with the names the events need) for a few seconds and
dropped whenever a rule or team is saved. Matching costs no query (a `plan`
condition asks the SLA clock's cached catalog), so a ticket no rule matches
costs nothing extra; one that matches pays for the fields, events and tags it
changes.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from frontline.core import inputs as core_inputs
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.finders import find_organization, find_plan, find_product, find_version
from frontline.routing import inputs, ordering
from frontline.routing.models import EscalationRule, EscalationTrigger, RoutingRule, Team
from frontline.routing.ordering import RuleKind
from frontline.routing.sentences import describe, describe_escalation, describe_routing
from frontline.routing.teams import find_team
from frontline.routing.tiers import move_tier
from frontline.tickets.models import Priority, Tag, Ticket
from frontline.tickets.services.events import record_event
from frontline.tickets.taxonomy import find_category, find_priority

__all__ = ["clear_cache", "create_routing_rule", "delete_routing_rule", "describe",
           "describe_routing", "get_routing_rule", "move_routing_rule", "route_new_ticket",
           "routing_rules", "update_routing_rule"]

# How long a process trusts the rules it holds. Edits in this process clear them
# at once; other processes (web workers, mail importers) see an edit within this.
CACHE_SECONDS = 30.0


# -- the rules as the router holds them ----------------------------------------


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    tier: int
    assignment: str
    lead_id: int | None


def _team_ref(team: Team | None) -> TeamRef | None:
    if team is None:
        return None
    return TeamRef(id=team.pk, name=team.name, tier=team.tier, assignment=team.assignment,
                   lead_id=team.lead_id)


def words_pattern(words: str) -> re.Pattern[str] | None:
    """One regex for "any of these words, as whole words, any case". A phrase
    matches across any run of spaces or line breaks."""
    items = core_inputs.split_list(words)
    if not items:
        return None
    alternatives = [r"\s+".join(re.escape(part) for part in item.split()) for item in items]
    # Look-arounds rather than \b, so "c++" or ".net" still need a word edge outside.
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class CompiledRoutingRule:
    id: int
    name: str
    channel: str
    category_id: int | None
    product_id: int | None
    version_id: int | None
    plan_id: int | None
    organization_id: int | None
    pattern: re.Pattern[str] | None
    team: TeamRef | None
    tier: int | None
    priority: int | None
    tags: tuple[str, ...]
    stop: bool

    def matches(self, ticket: Ticket, subject: str, text: str, plan: _PlanOf) -> bool:
        if self.channel and ticket.channel != self.channel:
            return False
        if self.category_id and ticket.category_id != self.category_id:
            return False
        if self.product_id and ticket.product_id != self.product_id:
            return False
        if self.version_id and ticket.version_id != self.version_id:
            return False
        if self.organization_id and ticket.organization_id != self.organization_id:
            return False
        if self.plan_id and plan.id() != self.plan_id:
            return False
        if self.pattern is not None:
            return bool(self.pattern.search(subject) or self.pattern.search(text))
        return True


@dataclass(frozen=True)
class CompiledArrivalRule:
    """An on-arrival escalation rule."""

    id: int
    name: str
    sentence: str
    category_id: int | None
    product_id: int | None
    plan_id: int | None
    min_priority: int | None
    to_tier: int
    team: TeamRef | None

    def matches(self, ticket: Ticket, priority: int, plan: _PlanOf) -> bool:
        if self.category_id and ticket.category_id != self.category_id:
            return False
        if self.product_id and ticket.product_id != self.product_id:
            return False
        if self.min_priority and priority < self.min_priority:
            return False
        return not (self.plan_id and plan.id() != self.plan_id)


@dataclass(frozen=True)
class RuleSet:
    routing: tuple[CompiledRoutingRule, ...]
    arrival: tuple[CompiledArrivalRule, ...]
    # The team at each tier where there is exactly one: where an on-arrival rule
    # without a team sends the ticket (as frontline.routing.escalation does).
    only_team_at: dict[int, TeamRef] = field(default_factory=dict)
    loaded_at: float = field(default_factory=time.monotonic)


def _load() -> RuleSet:
    routing = tuple(
        CompiledRoutingRule(
            id=rule.pk, name=rule.name, channel=rule.channel, category_id=rule.category_id,
            product_id=rule.product_id, version_id=rule.version_id, plan_id=rule.plan_id,
            organization_id=rule.organization_id, pattern=words_pattern(rule.words),
            team=_team_ref(rule.set_team), tier=rule.set_tier, priority=rule.set_priority,
            tags=tuple(core_inputs.split_list(rule.set_tags)), stop=rule.stop,
        )
        for rule in RoutingRule.objects.filter(active=True).select_related("set_team")
        .order_by("position", "id")
    )
    arrival = tuple(
        CompiledArrivalRule(
            id=rule.pk, name=rule.name, sentence=describe_escalation(rule),
            category_id=rule.category_id, product_id=rule.product_id, plan_id=rule.plan_id,
            min_priority=rule.min_priority, to_tier=rule.to_tier, team=_team_ref(rule.to_team),
        )
        for rule in EscalationRule.objects.filter(active=True, trigger=EscalationTrigger.ON_CREATE)
        .select_related("category", "product", "plan", "to_team").order_by("position", "id")
    )
    only_team_at: dict[int, TeamRef] = {}
    if arrival:
        by_tier: dict[int, list[TeamRef]] = {}
        for team in Team.objects.order_by("pk"):
            ref = _team_ref(team)
            assert ref is not None
            by_tier.setdefault(team.tier, []).append(ref)
        only_team_at = {tier: refs[0] for tier, refs in by_tier.items() if len(refs) == 1}
    return RuleSet(routing=routing, arrival=arrival, only_team_at=only_team_at)


_cached: RuleSet | None = None
_local = threading.local()


def clear_cache() -> None:
    """Forget the rules held in this process (called on every edit).

    Inside a transaction the edit is not visible to others yet, and may still
    be rolled back: until that transaction ends, this thread reads the rules
    fresh and never stores them, so nothing uncommitted outlives it."""
    global _cached
    _cached = None
    if connection.in_atomic_block:
        _local.edit_block = connection.atomic_blocks[0]
        transaction.on_commit(_forget_after_commit)


def _forget_after_commit() -> None:
    global _cached
    _cached = None
    _local.edit_block = None


def current_rules() -> RuleSet:
    """The active rules, from the process's copy when it is fresh."""
    global _cached
    block = getattr(_local, "edit_block", None)
    if block is not None:
        if connection.in_atomic_block and connection.atomic_blocks[0] is block:
            return _load()
        _local.edit_block = None  # that transaction is over (committed or rolled back)
    held = _cached
    if held is not None and time.monotonic() - held.loaded_at < CACHE_SECONDS:
        return held
    loaded = _load()
    _cached = loaded
    return loaded


def _on_rules_changed(**kwargs: Any) -> None:
    clear_cache()


# Saves that bypass the services (the demo, data migrations, tests' factories)
# must drop the copy too. The cache lives in this module, so connecting here,
# when it is first imported, is early enough: nothing is cached before.
for _model in (RoutingRule, EscalationRule, Team):
    post_save.connect(_on_rules_changed, sender=_model, dispatch_uid=f"routing-cache-{_model}")
    post_delete.connect(_on_rules_changed, sender=_model, dispatch_uid=f"routing-del-{_model}")
m2m_changed.connect(_on_rules_changed, sender=Team.members.through,
                    dispatch_uid="routing-cache-members")


# -- routing a new ticket ---------------------------------------------------------


class _PlanOf:
    """The plan a rule's `plan` condition looks at, found only when a rule asks:
    the plan the SLA clock serves the ticket on (a per-incident premium, else the
    organization's within its contract dates, else the default plan), from the
    clock's cached catalog, so usually without a query."""

    def __init__(self, ticket: Ticket, at: datetime) -> None:
        self.ticket = ticket
        self.at = at
        self._found = False
        self._id: int | None = None

    def id(self) -> int | None:
        if not self._found:
            from frontline.sla import clock

            plan = clock.plan_for_ticket(self.ticket, on=timezone.localdate(self.at))
            self._id = plan.pk if plan is not None else None
            self._found = True
        return self._id


@dataclass
class _Outcome:
    """What the matching rules decided, and which rule decided each field."""

    team: TeamRef | None = None
    tier: int | None = None
    priority: int | None = None
    tags: list[str] = field(default_factory=list)
    matched: list[dict[str, Any]] = field(default_factory=list)
    decided_by: dict[str, list[str]] = field(default_factory=dict)
    escalations: list[tuple[CompiledArrivalRule, int]] = field(default_factory=list)

    def reason(self, name: str) -> str:
        return "; ".join(self.decided_by.get(name, []))


def route_new_ticket(ticket: Ticket, text: str, at: datetime) -> None:
    """Apply the ordered routing rules (team, tier, priority, tags) and the
    on-arrival escalation rules to a ticket that has just been opened.

    Runs in the caller's transaction (`open_ticket`), on the ticket it created.
    """
    rules = current_rules()
    if not rules.routing and not rules.arrival:
        return
    plan = _PlanOf(ticket, at)
    subject = ticket.subject or ""
    text = text or ""
    out = _Outcome()
    for rule in rules.routing:
        if not rule.matches(ticket, subject, text, plan):
            continue
        by = f"rule “{rule.name}”"
        sets: dict[str, Any] = {}
        if rule.team is not None:
            out.team = rule.team
            sets["team"] = rule.team.name
            out.decided_by["team"] = [by]
        # A rule that names a team without a tier puts the ticket at the team's tier.
        rule_tier = rule.tier or (rule.team.tier if rule.team else None)
        if rule_tier:
            out.tier = rule_tier
            sets["tier"] = rule_tier
            out.decided_by["tier"] = [by]
        if rule.priority:
            out.priority = rule.priority
            sets["priority"] = Priority(rule.priority).name.lower()
            out.decided_by["priority"] = [by]
        if rule.tags:
            out.tags += [tag for tag in rule.tags if tag not in out.tags]
            sets["tags"] = list(rule.tags)
            out.decided_by.setdefault("tags", []).append(by)
        out.matched.append({"rule": rule.name, "id": rule.id, "kind": "routing", "set": sets})
        if rule.stop:
            break

    priority = out.priority or ticket.priority
    tier = out.tier or ticket.tier
    for arrival in rules.arrival:
        if arrival.to_tier <= tier or not arrival.matches(ticket, priority, plan):
            continue
        out.escalations.append((arrival, tier))
        tier = out.tier = arrival.to_tier
        out.decided_by["tier"] = [arrival.sentence]
        sets = {"tier": arrival.to_tier}
        # The rule's team; else the ticket's own if it works at that tier; else the
        # only team at that tier (with several, nobody guesses).
        current = out.team
        if current is None and ticket.team_id is not None and ticket.team is not None:
            current = _team_ref(ticket.team)
        target = arrival.team or (current if current is not None
                                  and current.tier == arrival.to_tier
                                  else rules.only_team_at.get(arrival.to_tier))
        if target is not None:
            out.team = target
            sets["team"] = target.name
            out.decided_by["team"] = [arrival.sentence]
        out.matched.append({"rule": arrival.name, "id": arrival.id, "kind": "escalation",
                            "set": sets})
    if out.matched:
        _apply(ticket, at, out)


def _apply(ticket: Ticket, at: datetime, out: _Outcome) -> None:
    names = [m["rule"] for m in out.matched]
    tier = out.tier or ticket.tier
    priority = out.priority or ticket.priority
    result: dict[str, Any] = {}
    if out.team is not None:
        result["team"] = out.team.name
    if tier != ticket.tier:
        result["tier"] = tier
    if priority != ticket.priority:
        result["priority"] = Priority(priority).name.lower()
    if out.tags:
        result["tags"] = out.tags
    record_event(ticket, "routed", at=at, after=result, rules=names, matched=out.matched,
                 reason="by " + "; ".join(names))
    fields = []
    team = out.team
    if team is not None and team.id != ticket.team_id:
        before_team = ticket.team.name if ticket.team_id and ticket.team else None
        ticket.team_id = team.id
        fields.append("team")
        record_event(ticket, "team_changed", at=at, before=before_team, after=team.name,
                     reason=out.reason("team"))
    if tier != ticket.tier:
        before_tier = ticket.tier
        fields += move_tier(ticket, tier)
        record_event(ticket, "tier_changed", at=at, before=before_tier, after=tier,
                     reason=out.reason("tier"))
    if priority != ticket.priority:
        before_priority = Priority(ticket.priority).name.lower()
        ticket.priority = priority
        fields.append("priority")
        record_event(ticket, "priority_changed", at=at, before=before_priority,
                     after=Priority(priority).name.lower(), reason=out.reason("priority"))
    if fields:
        ticket.save(update_fields=fields)
    if out.tags:
        _add_tags(ticket, out.tags, at, out.reason("tags"))
    for arrival, from_tier in out.escalations:
        record_event(ticket, "escalated", at=at, before=from_tier, after=arrival.to_tier,
                     reason=arrival.sentence, rule=arrival.name, automatic=True)
    if out.escalations:
        _tell_lead(ticket, team, at, out.escalations[-1][0].sentence)
    from frontline.routing.assignment import auto_assign

    if team is not None and team.assignment != "manual":
        auto_assign(ticket, at)


def _add_tags(ticket: Ticket, names: list[str], at: datetime, why: str) -> None:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [name for name in names if name not in existing]
    if missing:
        # Two tickets opened at once may both create a tag: the second insert is skipped.
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        existing.update({tag.name: tag for tag in Tag.objects.filter(name__in=missing)})
    before = sorted(ticket.tags.values_list("name", flat=True)) if ticket.pk else []
    ticket.tags.add(*[existing[name] for name in names if name in existing])
    after = sorted(set(before) | set(names))
    if after != before:
        record_event(ticket, "tags_changed", at=at, before=before, after=after, reason=why)


def _tell_lead(ticket: Ticket, team: TeamRef | None, at: datetime, sentence: str) -> None:
    if team is None or team.lead_id is None:
        return
    from frontline.notifications.services import notify

    lead = User.objects.filter(pk=team.lead_id).first()
    notify([lead], "escalated", f"{ticket.reference} went straight to tier {ticket.tier} "
           f"({team.name}): {sentence}", ticket=ticket, at=at)


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

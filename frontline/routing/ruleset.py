"""The rules as the router holds them: compiled, with the names the events need.

Mail ingest opens thousands of tickets a minute, so the active routing rules and
on-arrival escalation rules are held in process for a few seconds and dropped
whenever a rule or team is saved (here, or by a signal for saves that bypass the
services). Matching costs no query; frontline.routing.arrival applies them.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from frontline.core import inputs as core_inputs
from frontline.routing.models import EscalationRule, EscalationTrigger, RoutingRule, Team
from frontline.routing.sentences import describe_escalation
from frontline.sla import clock
from frontline.tickets.models import Ticket

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


def team_ref(team: Team | None) -> TeamRef | None:
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

    def matches(self, ticket: Ticket, subject: str, text: str, plan: PlanOf) -> bool:
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

    def matches(self, ticket: Ticket, priority: int, plan: PlanOf) -> bool:
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
            team=team_ref(rule.set_team), tier=rule.set_tier, priority=rule.set_priority,
            tags=tuple(core_inputs.split_list(rule.set_tags)), stop=rule.stop,
        )
        for rule in RoutingRule.objects.filter(active=True).select_related("set_team")
        .order_by("position", "id")
    )
    arrival = tuple(
        CompiledArrivalRule(
            id=rule.pk, name=rule.name, sentence=describe_escalation(rule),
            category_id=rule.category_id, product_id=rule.product_id, plan_id=rule.plan_id,
            min_priority=rule.min_priority, to_tier=rule.to_tier, team=team_ref(rule.to_team),
        )
        for rule in EscalationRule.objects.filter(active=True, trigger=EscalationTrigger.ON_CREATE)
        .select_related("category", "product", "plan", "to_team").order_by("position", "id")
    )
    only_team_at: dict[int, TeamRef] = {}
    if arrival:
        by_tier: dict[int, list[TeamRef]] = {}
        for team in Team.objects.order_by("pk"):
            ref = team_ref(team)
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


def forget_cached() -> None:
    """Forget the rules held in this process, outside any edit (tests: the rows of
    the last test are gone, rolled back or flushed, without an edit telling us)."""
    global _cached
    _cached = None
    _local.edit_block = None


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


class PlanOf:
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
            plan = clock.plan_for_ticket(self.ticket, on=timezone.localdate(self.at))
            self._id = plan.pk if plan is not None else None
            self._found = True
        return self._id

"""What happens to a ticket the moment it arrives: the routing rules, then the
on-arrival escalation rules.

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

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from frontline.core.models import User
from frontline.routing.ruleset import (
    CompiledArrivalRule,
    PlanOf,
    TeamRef,
    current_rules,
    team_ref,
)
from frontline.routing.tiers import move_tier
from frontline.tickets.models import Priority, Tag, Ticket
from frontline.tickets.services.events import record_event

# -- routing a new ticket ---------------------------------------------------------


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
    plan = PlanOf(ticket, at)
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
            current = team_ref(ticket.team)
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
    was: dict[str, Any] = {}
    if "team" in result and ticket.team_id is not None and ticket.team is not None \
            and ticket.team.name != result["team"]:
        was["team"] = ticket.team.name
    if "tier" in result:
        was["tier"] = ticket.tier
    if "priority" in result:
        was["priority"] = Priority(ticket.priority).name.lower()
    routed = record_event(ticket, "routed", at=at, after=result, before=was or None,
                          rules=names, matched=out.matched,
                          reason="by " + "; ".join(names))
    # Each change keeps its own row (what changed when, for the API and reports) but
    # is told by the routed line (frontline.tickets.selectors.timeline, `shown_in`).
    fields = []
    team = out.team
    if team is not None and team.id != ticket.team_id:
        before_team = ticket.team.name if ticket.team_id and ticket.team else None
        ticket.team_id = team.id
        fields.append("team")
        record_event(ticket, "team_changed", at=at, before=before_team, after=team.name,
                     reason=out.reason("team"), shown_in=routed.pk)
    if tier != ticket.tier:
        before_tier = ticket.tier
        fields += move_tier(ticket, tier)
        record_event(ticket, "tier_changed", at=at, before=before_tier, after=tier,
                     reason=out.reason("tier"), shown_in=routed.pk)
    if priority != ticket.priority:
        before_priority = Priority(ticket.priority).name.lower()
        ticket.priority = priority
        fields.append("priority")
        record_event(ticket, "priority_changed", at=at, before=before_priority,
                     after=Priority(priority).name.lower(), reason=out.reason("priority"),
                     shown_in=routed.pk)
    if fields:
        ticket.save(update_fields=fields)
    if out.tags:
        add_tags(ticket, out.tags, at, out.reason("tags"), shown_in=routed.pk)
    for arrival, from_tier in out.escalations:
        record_event(ticket, "escalated", at=at, before=from_tier, after=arrival.to_tier,
                     reason=arrival.sentence, rule=arrival.name, automatic=True)
    if out.escalations:
        _tell_lead(ticket, team, at, out.escalations[-1][0].sentence)
    from frontline.routing.assignment import auto_assign

    if team is not None and team.assignment != "manual":
        auto_assign(ticket, at)


def add_tags(ticket: Ticket, names: list[str], at: datetime, why: str,
             *, actor: User | None = None, shown_in: int | None = None) -> None:
    """Add tags (created on first use) and record one `tags_changed` event when the
    set grows. The caller holds the ticket's row lock; `actor` None: a rule did it.
    Also the tags step of frontline.workflow.changes.add_tags (a macro, a bulk action)."""
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
        # record_event leaves out empty values: no `shown_in` unless there is one.
        record_event(ticket, "tags_changed", actor=actor, at=at, before=before, after=after,
                     reason=why, shown_in=shown_in)


def _tell_lead(ticket: Ticket, team: TeamRef | None, at: datetime, sentence: str) -> None:
    if team is None or team.lead_id is None:
        return
    from frontline.notifications.services import notify

    lead = User.objects.filter(pk=team.lead_id).first()
    notify([lead], "escalated", f"{ticket.reference} went straight to tier {ticket.tier} "
           f"({team.name}): {sentence}", ticket=ticket, at=at)

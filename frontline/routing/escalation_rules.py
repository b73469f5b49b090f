"""Escalation rules: when a ticket moves up a tier by itself.

Two kinds (EscalationRule.trigger):
- on arrival ("Premium and urgent: straight to tier 2"), applied with the
  routing rules by frontline.routing.rules.route_new_ticket;
- after time ("To tier 2 when category is Installation and no resolution after
  4 business hours"), applied here by a periodic job (frontline.routing.tasks).

Time is counted on the clock the ticket's promises run on: its SLA policy's
calendar (a policy without one runs around the clock, like Premium's); a
ticket without a policy counts on its team's calendar, else around the clock. For
"no resolution", time spent waiting on the customer does not count (the SLA
clock's paused seconds), as it does not for the resolution promise.

The scan is one indexed query per rule over active tickets only (the status
indexes; the rule's category, product or plan index when the planner prefers
it): business time never runs faster than the wall clock, so `created_at <=
now - after_minutes` is a necessary condition, as is a tier below the rule's,
which drops every ticket already escalated. The exact business time is then
checked per candidate, and each escalation is
its own transaction under the ticket's row lock, re-checked there, made by
frontline.routing.escalation.escalate (the same operation as a person's
escalation: promises carried, decision recorded, the new team's assignment mode
applied, its lead told).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from frontline.core import inputs as core_inputs
from frontline.core.errors import FrontlineError, InvalidInput
from frontline.core.models import User
from frontline.customers.finders import find_plan, find_product
from frontline.routing import inputs, ordering
from frontline.routing.models import EscalationRule, EscalationTrigger, Team
from frontline.routing.ordering import RuleKind
from frontline.routing.sentences import describe_escalation
from frontline.routing.teams import find_team
from frontline.tickets.models import ACTIVE_STATUSES, Ticket
from frontline.tickets.taxonomy import find_category, find_priority

logger = logging.getLogger(__name__)

TIMED_TRIGGERS = (EscalationTrigger.NO_FIRST_RESPONSE, EscalationTrigger.NO_RESOLUTION)
# Candidates read per rule and run (oldest first).
CANDIDATES_PER_RULE = 20_000
# At most this many escalations per run; the next run carries on.
MAX_PER_RUN = 500


# -- the periodic scan -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    id: int
    created_at: datetime
    policy_id: int | None
    team_calendar_id: int | None
    paused_seconds: int | None
    paused_at: datetime | None


def timed_rules() -> list[EscalationRule]:
    return list(EscalationRule.objects.filter(
        active=True, trigger__in=TIMED_TRIGGERS, after_minutes__isnull=False,
    ).select_related("category", "product", "plan", "to_team").order_by("position", "id"))


def candidates(rule: EscalationRule, now: datetime) -> QuerySet[Ticket]:
    """Tickets the rule may apply to, by what the database can tell: active, old
    enough in wall-clock time, below the rule's tier, and matching its conditions."""
    assert rule.after_minutes is not None
    tickets = Ticket.objects.filter(
        status__in=ACTIVE_STATUSES,
        created_at__lte=now - timedelta(minutes=rule.after_minutes),
        tier__lt=rule.to_tier,
    )
    if rule.trigger == EscalationTrigger.NO_FIRST_RESPONSE:
        tickets = tickets.filter(first_response_at__isnull=True)
    if rule.category_id:
        tickets = tickets.filter(category_id=rule.category_id)
    if rule.product_id:
        tickets = tickets.filter(product_id=rule.product_id)
    if rule.min_priority:
        tickets = tickets.filter(priority__gte=rule.min_priority)
    if rule.plan_id:
        # The SLA clock puts the plan on the ticket; before it has, the organization's.
        tickets = tickets.filter(Q(clock__plan_id=rule.plan_id)
                                 | Q(clock__plan__isnull=True,
                                     organization__plan_id=rule.plan_id))
    return tickets


def _candidate_rows(tickets: QuerySet[Ticket]) -> list[Candidate]:
    """The oldest candidates first, at most CANDIDATES_PER_RULE: one query. A
    backlog larger than that is worked through over the next runs (those
    escalated drop out of the query by their new tier)."""
    rows = tickets.order_by("created_at", "pk").values_list(
        "pk", "created_at", "clock__sla_policy_id", "team__calendar_id",
        "clock__sla_paused_seconds", "clock__sla_paused_at")[:CANDIDATES_PER_RULE]
    return [Candidate(*row) for row in rows]


class _Hours:
    """Business hours per calendar, each built once per run."""

    def __init__(self) -> None:
        from frontline.sla.models import BusinessCalendar

        self._calendars = BusinessCalendar
        self._by_calendar: dict[int | None, Any] = {}

    def for_candidate(self, candidate: Candidate) -> Any:
        from frontline.sla import clock

        policy = clock.cached_policy(candidate.policy_id)
        calendar_id = (policy.calendar_id if policy is not None
                       else candidate.team_calendar_id)
        return self.for_calendar(calendar_id)

    def for_calendar(self, calendar_id: int | None) -> Any:
        from frontline.sla.businesstime import BusinessHours

        if calendar_id not in self._by_calendar:
            calendar = (self._calendars.objects.filter(pk=calendar_id).first()
                        if calendar_id is not None else None)
            self._by_calendar[calendar_id] = (BusinessHours.for_calendar(calendar)
                                              if calendar is not None
                                              else BusinessHours.around_the_clock())
        return self._by_calendar[calendar_id]


def business_seconds(rule: EscalationRule, candidate: Candidate, hours: Any,
                     now: datetime) -> int:
    """Business seconds the rule counts for this ticket so far."""
    elapsed = int(hours.seconds_between(candidate.created_at, now))
    if rule.trigger == EscalationTrigger.NO_RESOLUTION:
        elapsed -= candidate.paused_seconds or 0
        if candidate.paused_at is not None:
            elapsed -= int(hours.seconds_between(candidate.paused_at, now))
    return elapsed


def escalate_due(now: datetime | None = None) -> dict[str, int]:
    """Escalate every ticket a time-based rule now applies to. Run by the worker."""
    now = now or timezone.now()
    counts = {"checked": 0, "escalated": 0, "failed": 0}
    hours = _Hours()
    for rule in timed_rules():
        assert rule.after_minutes is not None
        needed = rule.after_minutes * 60
        sentence = describe_escalation(rule)
        for candidate in _candidate_rows(candidates(rule, now)):
            if counts["escalated"] >= MAX_PER_RUN:
                return counts
            counts["checked"] += 1
            if business_seconds(rule, candidate, hours.for_candidate(candidate), now) < needed:
                continue
            try:
                if _escalate(rule, sentence, candidate.id, now):
                    counts["escalated"] += 1
            except FrontlineError as error:
                # One ticket the rule cannot move (a team changed tier meanwhile)
                # must not stop the others; the rule's page shows the sentence.
                logger.warning("escalation rule %s could not escalate ticket %s: %s",
                               rule.pk, candidate.id, error.message)
                counts["failed"] += 1
    return counts


@transaction.atomic
def _escalate(rule: EscalationRule, sentence: str, ticket_id: int, now: datetime) -> bool:
    from frontline.routing.escalation import escalate, prefill_tried

    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    # Re-checked under the lock: a reply or another rule may have come first.
    if ticket is None or not candidates(rule, now).filter(pk=ticket_id).exists():
        return False
    # escalate() also hands the ticket to the target team's assignment mode.
    result = escalate(ticket, None, rule.to_tier, reason=sentence, tried=prefill_tried(ticket),
                      team=rule.to_team, at=now)
    return result.moved


# -- editing escalation rules (admins) ----------------------------------------------


def escalation_rules() -> QuerySet[EscalationRule]:
    return EscalationRule.objects.select_related(
        "category", "product", "plan", "to_team").order_by("position", "id")


ESCALATION_FIELDS = ("name", "position", "active", "category", "product", "plan",
                     "min_priority", "trigger", "after_minutes", "to_tier", "to_team")


def _trigger(value: Any) -> str:
    text = str(value or "").strip()
    if text not in EscalationTrigger.values:
        names = ", ".join(EscalationTrigger.values)
        raise InvalidInput(f"'{value}' is not a trigger ({names}).", field="trigger")
    return text


def _apply_fields(rule: EscalationRule, changes: dict[str, Any]) -> None:
    if "name" in changes:
        rule.name = core_inputs.name(changes["name"], what="A rule")
    if "active" in changes:
        rule.active = core_inputs.boolean(changes["active"], "active")
    if "category" in changes:
        rule.category = find_category(changes["category"])
    if "product" in changes:
        rule.product = find_product(changes["product"])
    if "plan" in changes:
        rule.plan = find_plan(changes["plan"])
    if "min_priority" in changes:
        rule.min_priority = find_priority(changes["min_priority"], field="min_priority")
    if "trigger" in changes:
        rule.trigger = _trigger(changes["trigger"])
    if "after_minutes" in changes:
        rule.after_minutes = inputs.minutes(changes["after_minutes"], field="after_minutes")
    if "to_tier" in changes:
        tier = inputs.tier(changes["to_tier"], field="to_tier")
        if tier is None:
            raise InvalidInput("Say which tier the rule escalates to (2 or 3).", field="to_tier")
        rule.to_tier = tier
    if "to_team" in changes:
        rule.to_team = find_team(changes["to_team"], field="to_team")
    # The rule as a whole.
    if rule.to_tier is None:
        raise InvalidInput("Say which tier the rule escalates to (2 or 3).", field="to_tier")
    if rule.to_tier < 2:
        raise InvalidInput("An escalation goes up: to tier 2 or 3.", field="to_tier")
    team: Team | None = rule.to_team if rule.to_team_id else None
    if team is not None and team.tier != rule.to_tier:
        raise InvalidInput(f"{team.name} works at tier {team.tier}, not tier {rule.to_tier}.",
                           field="to_team")
    if rule.trigger == EscalationTrigger.ON_CREATE:
        if rule.after_minutes is not None:
            raise InvalidInput("A rule applied on arrival acts at once: leave the minutes "
                               "empty, or choose a time trigger.", field="after_minutes")
    elif rule.after_minutes is None:
        raise InvalidInput("Say after how many business minutes the rule acts.",
                           field="after_minutes")


ESCALATION = RuleKind(model=EscalationRule, label="escalation rule", fields=ESCALATION_FIELDS,
                      listing=escalation_rules, apply=_apply_fields,
                      defaults={"active": True, "trigger": EscalationTrigger.ON_CREATE})


def get_escalation_rule(rule_id: int) -> EscalationRule:
    return ordering.get_rule(ESCALATION, rule_id)


def create_escalation_rule(actor: User, **fields: Any) -> EscalationRule:
    """Add an escalation rule (admins). By default it runs last."""
    return ordering.create_rule(ESCALATION, actor, fields)


def update_escalation_rule(actor: User, rule: EscalationRule, **changes: Any) -> EscalationRule:
    """Change an escalation rule (admins): the fields given change, the others stay."""
    return ordering.update_rule(ESCALATION, actor, rule, changes)


def delete_escalation_rule(actor: User, rule: EscalationRule) -> None:
    ordering.delete_rule(ESCALATION, actor, rule)


def move_escalation_rule(actor: User, rule: EscalationRule, by: int) -> EscalationRule:
    """Up (-1) or down (+1) one place: the desk's arrows."""
    return ordering.move_rule(ESCALATION, actor, rule, by)

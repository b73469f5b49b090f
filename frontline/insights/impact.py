"""A problem's impact and economics, and what we recommend: fix now, keep the
workaround, or accept it. Written in the shape of the escalation assessment
(frontline.routing.assessment): figures, then reasons as sentences, then the rule.

The figures
-----------
- **Tickets**: linked to the problem; **open**: of those, still active.
- **Organizations** and the **annual contract value** affected: the distinct
  organizations of the linked tickets, and the sum of their
  `annual_contract_value` (each organization once, however many tickets it has).
- **Plan mix**: those organizations per plan.
- **Support hours**: stopped time at tiers 1 and 2 on the linked tickets;
  **developer hours**: at tier 3. Priced per tier (CostSettings.hourly).
- **Estimated fix**: the default size of a developer escalation
  (CostSettings.default_developer_hours) at the tier-3 hourly cost.

The rule (first that applies)
-----------------------------
1. The reach is wide (at least REACH_OPEN_TICKETS open tickets, or
   REACH_ORGANIZATIONS organizations): **fix now**. One fix serves them all.
2. The contract value affected is at least VALUE_MULTIPLE times the estimated
   fix: **fix now**.
3. Support has already spent more on it than the fix is estimated to cost:
   **fix now**. Carrying it costs more than ending it.
4. A workaround is written down, or the value covers the fix: **workaround**
   (keep telling customers the workaround; fix when it is cheap or the reach grows).
5. Otherwise: **accept** (tell the few customers honestly; revisit if more report it).

Contract values are commercial: computed with `show_values=False` (a developer,
unless FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES) the figure is None and no
sentence names an amount; the rule still weighs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Sum
from django.utils import timezone

from frontline.costs import services as costs
from frontline.costs.models import CostSettings
from frontline.costs.wording import hours_text, money, plural
from frontline.customers.models import Organization
from frontline.insights import explain
from frontline.problems.models import Problem
from frontline.tickets.models import ACTIVE_STATUSES, Ticket

VALUE_MULTIPLE = 10
REACH_OPEN_TICKETS = 5
REACH_ORGANIZATIONS = 3
SUPPORT_TIERS = (1, 2)
DEVELOPER_TIER = 3
CENT = Decimal("0.01")


class ProblemRecommendation(models.TextChoices):
    FIX_NOW = "fix_now", "Fix now"
    WORKAROUND = "workaround", "Workaround"
    ACCEPT = "accept", "Accept"


@dataclass(frozen=True)
class PlanShare:
    plan: str
    organizations: int


@dataclass(frozen=True)
class Impact:
    problem_id: int
    tickets: int
    open_tickets: int
    organizations: int
    contract_value: Decimal | None  # None: hidden from this reader
    plan_mix: list[PlanShare]
    support_hours: Decimal
    support_cost: Decimal
    developer_hours: Decimal
    developer_cost: Decimal
    estimated_fix_hours: Decimal
    estimated_fix_cost: Decimal
    currency: str
    recommendation: str  # a ProblemRecommendation value
    why: list[str] = field(default_factory=list)
    # What the affected organizations have in common (frontline.insights.explain).
    in_common: str = ""
    configuration_specific: bool = False

    @property
    def recommendation_label(self) -> str:
        return ProblemRecommendation(self.recommendation).label

    @property
    def why_text(self) -> str:
        return " ".join(self.why)


def problem_impact(problem: Problem, *, show_values: bool = True) -> Impact:
    """The problem's figures and the recommendation (see the module docstring)."""
    settings = CostSettings.current()
    currency = settings.currency
    linked = Ticket.objects.filter(problem_link__problem=problem)
    counts = linked.aggregate(tickets=Count("pk"),
                              open=Count("pk", filter=models.Q(status__in=ACTIVE_STATUSES)))
    organizations = list(Organization.objects.filter(tickets__in=linked).distinct()
                         .select_related("plan").order_by("name"))
    value = sum((Decimal(o.annual_contract_value or 0) for o in organizations), Decimal("0"))
    mix: dict[str, int] = {}
    for organization in organizations:
        name = organization.plan.name if organization.plan is not None else "No plan"
        mix[name] = mix.get(name, 0) + 1
    plan_mix = [PlanShare(plan, count) for plan, count in
                sorted(mix.items(), key=lambda item: (-item[1], item[0]))]
    seconds = dict(costs.stopped_entries().filter(ticket__in=linked).order_by()
                   .values("tier").annotate(total=Sum("seconds")).values_list("tier", "total"))
    support_seconds = sum(seconds.get(tier) or 0 for tier in SUPPORT_TIERS)
    developer_seconds = sum(total or 0 for tier, total in seconds.items()
                            if tier >= DEVELOPER_TIER)
    support_cost = sum((costs.money(seconds.get(tier) or 0, Decimal(settings.hourly(tier)))
                        for tier in SUPPORT_TIERS), Decimal("0.00"))
    developer_cost = costs.money(developer_seconds, Decimal(settings.hourly(DEVELOPER_TIER)))
    fix_hours = Decimal(settings.default_developer_hours)
    fix_cost = (fix_hours * Decimal(settings.hourly(DEVELOPER_TIER))).quantize(CENT,
                                                                             ROUND_HALF_UP)
    tickets, open_tickets = counts["tickets"], counts["open"]

    why: list[str] = []
    why.append(f"{plural(tickets, 'ticket')} linked, {open_tickets} still open, from "
               f"{plural(len(organizations), 'organization')}"
               + (f" ({', '.join(f'{s.organizations} on {s.plan}' for s in plan_mix)})."
                  if plan_mix else "."))
    if show_values:
        if value:
            why.append(f"The organizations affected are worth {money(value, currency)} a "
                       "year in contracts.")
        else:
            why.append("No contract value is recorded for the organizations affected.")
    why.append(f"Support has spent {hours_text(costs.hours(support_seconds))} on it "
               f"({money(support_cost, currency)}), developers "
               f"{hours_text(costs.hours(developer_seconds))} "
               f"({money(developer_cost, currency)}).")
    why.append(f"A fix is estimated at {hours_text(fix_hours)} at tier 3 (the default size "
               f"of a developer escalation), that is {money(fix_cost, currency)}.")

    if open_tickets >= REACH_OPEN_TICKETS or len(organizations) >= REACH_ORGANIZATIONS:
        recommendation = ProblemRecommendation.FIX_NOW
        why.append("Fix now: one fix serves every customer who reports it.")
    elif value >= fix_cost * VALUE_MULTIPLE and value:
        recommendation = ProblemRecommendation.FIX_NOW
        why.append(f"Fix now: the customers affected are worth over {VALUE_MULTIPLE} times "
                   "the estimated fix.")
    elif support_cost > fix_cost:
        recommendation = ProblemRecommendation.FIX_NOW
        why.append("Fix now: support has already spent more on it than the fix would cost.")
    elif problem.workaround.strip() or value >= fix_cost:
        recommendation = ProblemRecommendation.WORKAROUND
        reason = ("a workaround is written down" if problem.workaround.strip()
                  else "the value covers the fix less than "
                       f"{VALUE_MULTIPLE} times over")
        why.append(f"Workaround: {reason}; keep sending it and fix when it gets cheaper "
                   "or more customers report it.")
    else:
        recommendation = ProblemRecommendation.ACCEPT
        why.append("Accept: few customers, little value at stake and no workaround; tell "
                   "them honestly what we will and will not do, and look again if more "
                   "report it.")
    return Impact(
        problem_id=problem.pk, tickets=tickets, open_tickets=open_tickets,
        organizations=len(organizations), contract_value=value if show_values else None,
        plan_mix=plan_mix, support_hours=costs.hours(support_seconds),
        support_cost=support_cost, developer_hours=costs.hours(developer_seconds),
        developer_cost=developer_cost, estimated_fix_hours=fix_hours,
        estimated_fix_cost=fix_cost, currency=currency,
        recommendation=recommendation.value, why=why,
        **_in_common([organization.pk for organization in organizations]),
    )


def _in_common(organization_ids: list[int]) -> dict[str, Any]:
    """The explaining sentence for the affected organizations now, as an alert's
    card says it (three queries; nothing when fewer than two are affected)."""
    if len(organization_ids) < 2:
        return {}
    found = explain.explain(explain.Population.read(), organization_ids, timezone.now())
    return {"in_common": explain.sentence(found),
            "configuration_specific": explain.configuration_specific(found)}

"""Weighing an escalation before it is made: what it would cost, what the
customer is worth, how many others it reaches, and what we recommend.

The figures
-----------
- **Estimated hours**: the mean time tracked at the target tier on similar
  tickets that were escalated there (stopped TimeEntry rows at that tier,
  summed per ticket): first tickets of the same category *and* product, then
  the same category, then the same product. With none of those, the default
  size of an escalation (CostSettings.default_developer_hours).
- **Estimated cost**: those hours times the target tier's hourly cost
  (CostSettings.hourly).
- **Customer value**: a year of the customer's support: the organization's own
  annual contract value when set, else its plan's annual price; plus the price
  of a per-incident premium bought for this ticket.
- **Reach**: other open tickets that report something similar, and how many
  organizations besides this customer they come from. "Similar" is a text
  match on the subject's significant words (stop words and short words left
  out, at most MAX_WORDS of the longest) through the search engine: a ticket
  whose subject or messages contain at least half of them (at least two, when
  there are two or more) is similar.

The rule (first that applies)
-----------------------------
1. A per-incident premium was bought for this ticket: **escalate**. The
   customer paid for exactly this.
2. The reach is wide (at least REACH_TICKETS other open tickets, or
   REACH_ORGANIZATIONS other organizations): **escalate**. One fix serves them all.
3. The customer's value is at least VALUE_MULTIPLE times the estimated cost:
   **escalate**, unless the escalation goes to developers and this week's
   developer budget is already spent, then **workaround** (find one at the
   current tier, escalate next week or when it fails).
4. The value covers the cost, or someone else reports it too: **workaround**.
5. Otherwise: **decline with an explanation** (tell the customer honestly what
   we will and will not do, and why).

The recommendation is advice: the person escalating chooses, and the choice
(with the recommendation and the reasons shown) is recorded as an
EscalationDecision and on the ticket's timeline.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from frontline.core.permissions import DEVELOPER_TIER
from frontline.core.tiers import parse_tier
from frontline.costs import services as costs
from frontline.costs.models import CostSettings
from frontline.costs.wording import hours_text, money, plural
from frontline.customers.models import Plan
from frontline.routing.models import Recommendation
from frontline.search.engines import get_engine
from frontline.search.query import parse_query, tokens_of
from frontline.sla.models import IncidentPremium
from frontline.tickets.models import ACTIVE_STATUSES, Ticket

VALUE_MULTIPLE = 10
REACH_TICKETS = 3
REACH_ORGANIZATIONS = 2
# Subject words searched for similar tickets (the longest ones: they say the most).
MAX_WORDS = 6
MIN_WORD_LENGTH = 3
# Newest matching documents looked at per word (see frontline.search.services.CANDIDATES).
CANDIDATES = 500
CENT = Decimal("0.01")

# Words that say nothing about what is wrong: function words and the ones every
# support request uses.
_STOP_WORDS_TEXT = """
    a about after again all also am an and any are as at be been before but by can
    cannot cant could did do does doesnt dont for from get gets getting got had has
    have having he her here his how i if in into is isnt it its just me more my no
    not now of on once only or our out over please re fw fwd same she should since
    so some still than that the their them then there these they this those to too
    up us was we were what when where which while who why will with wont would you
    your help issue issues problem problems question hello hi urgent ticket thanks
    thank anymore today yesterday morning working work works
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


@dataclass(frozen=True)
class CustomerValue:
    """What a customer is worth to us, as the escalation dialog and brief show it."""

    annual: Decimal
    premium_price: Decimal | None
    plan_name: str | None
    # Where the annual figure comes from: "contract", "plan" or "" (nothing known).
    source: str
    organization_name: str | None

    @property
    def total(self) -> Decimal:
        return self.annual + (self.premium_price or Decimal("0"))


@dataclass(frozen=True)
class Assessment:
    ticket_id: int
    from_tier: int
    to_tier: int
    estimated_hours: Decimal
    similar_escalations: int  # tickets the hours were averaged over (0: the default)
    hours_basis: str  # "category and product", "category", "product" or "default"
    hourly_cost: Decimal
    estimated_cost: Decimal
    currency: str
    value: CustomerValue
    reach_tickets: int
    reach_organizations: int
    similar_open: list[int]  # ids of the similar open tickets, best match first
    budget_used: Decimal
    budget_hours: Decimal
    recommendation: str  # a Recommendation value
    why: list[str] = field(default_factory=list)

    @property
    def customer_value(self) -> Decimal:
        return self.value.total

    @property
    def recommendation_label(self) -> str:
        return Recommendation(self.recommendation).label

    @property
    def why_text(self) -> str:
        return " ".join(self.why)


# -- customer value -------------------------------------------------------------


def plan_of(ticket: Ticket) -> Plan | None:
    """The plan the ticket is served on: the one the SLA clock stored on it, else
    what the clock would decide now (one rule, in frontline.sla.clock)."""
    from frontline.sla.clock import cached_plan, plan_for_ticket

    if ticket.clock.plan_id is not None:
        # The clock's catalog of plans (read once, dropped when a plan changes).
        return cached_plan(ticket.clock.plan_id)
    return plan_for_ticket(ticket)


def premium_of(ticket: Ticket) -> IncidentPremium | None:
    return IncidentPremium.objects.filter(ticket_id=ticket.pk).select_related("plan").first()


def customer_value(ticket: Ticket, premium: IncidentPremium | None = None, *,
                   plan: Plan | None = None, premium_loaded: bool = False) -> CustomerValue:
    """The customer's yearly value plus a premium bought for this ticket.

    `premium_loaded` says `premium` was already looked up (None meaning none was
    bought), so a list of tickets costs one query for all their premiums.
    """
    if not premium_loaded and premium is None:
        premium = premium_of(ticket)
    plan = plan or plan_of(ticket)
    organization = ticket.organization
    annual, source = Decimal("0"), ""
    if organization is not None and organization.annual_contract_value:
        annual, source = Decimal(organization.annual_contract_value), "contract"
    elif plan is not None and plan.annual_price:
        annual, source = Decimal(plan.annual_price), "plan"
    return CustomerValue(
        annual=annual,
        premium_price=Decimal(premium.price) if premium is not None else None,
        plan_name=plan.name if plan is not None else None,
        source=source,
        organization_name=organization.name if organization is not None else None,
    )


# -- estimated hours --------------------------------------------------------------


def estimated_hours(ticket: Ticket, to_tier: int,
                    settings: CostSettings) -> tuple[Decimal, int, str]:
    """(hours, tickets averaged over, basis): see the module docstring."""
    bases: list[tuple[str, Q]] = []
    if ticket.category_id and ticket.product_id:
        bases.append(("category and product", Q(ticket__category_id=ticket.category_id,
                                                ticket__product_id=ticket.product_id)))
    if ticket.category_id:
        bases.append(("category", Q(ticket__category_id=ticket.category_id)))
    if ticket.product_id:
        bases.append(("product", Q(ticket__product_id=ticket.product_id)))
    entries = costs.stopped_entries().filter(tier=to_tier, seconds__gt=0).exclude(
        ticket_id=ticket.pk)
    for basis, condition in bases:
        found = entries.filter(condition).aggregate(
            seconds=Sum("seconds"), tickets=Count("ticket_id", distinct=True))
        if found["tickets"]:
            mean = Decimal(found["seconds"]) / found["tickets"] / 3600
            return mean.quantize(CENT, ROUND_HALF_UP), found["tickets"], basis
    return Decimal(settings.default_developer_hours), 0, "default"


# -- reach --------------------------------------------------------------------------


def significant_words(subject: str) -> list[str]:
    """The subject's words that say what is wrong, longest first (at most MAX_WORDS)."""
    seen: list[str] = []
    for token in tokens_of(subject):
        if (len(token) >= MIN_WORD_LENGTH and not token.isdigit()
                and token not in STOP_WORDS and token not in seen):
            seen.append(token)
    return sorted(seen, key=len, reverse=True)[:MAX_WORDS]


def similar_ticket_ids(ticket: Ticket) -> list[int]:
    """Other tickets (any status) whose text contains enough of the subject's
    significant words, best match first (then newest)."""
    words = significant_words(ticket.subject)
    if not words:
        return []
    needed = 1 if len(words) == 1 else max(2, math.ceil(len(words) / 2))
    engine = get_engine()
    matched: Counter[int] = Counter()
    for word in words:
        # A prefix catches the plural and the -ed/-ing forms ("export*": exports, exported).
        query = parse_query(f"{word}*" if len(word) >= 5 else word)
        found = {candidate.ticket_id
                 for candidate in engine.search(query, candidates=CANDIDATES).candidates}
        found.discard(ticket.pk)
        matched.update(found)
    best = [(count, ticket_id) for ticket_id, count in matched.items() if count >= needed]
    best.sort(reverse=True)
    return [ticket_id for _, ticket_id in best]


def reach(ticket: Ticket, similar: list[int] | None = None) -> tuple[int, int, list[int]]:
    """(other open similar tickets, other organizations among them, their ids best first)."""
    similar = similar_ticket_ids(ticket) if similar is None else similar
    if not similar:
        return 0, 0, []
    rows = dict(Ticket.objects.filter(pk__in=similar, status__in=ACTIVE_STATUSES,
                                      merged_into__isnull=True)
                .values_list("pk", "organization_id"))
    open_ids = [ticket_id for ticket_id in similar if ticket_id in rows]
    organizations = {org for org in rows.values()
                     if org is not None and org != ticket.organization_id}
    return len(open_ids), len(organizations), open_ids


# -- the assessment ---------------------------------------------------------------


def assess(ticket: Ticket, to_tier: int | str, *, at: datetime | None = None) -> Assessment:
    """Weigh escalating `ticket` to `to_tier` (see the module docstring for the rule)."""
    tier = parse_tier(to_tier)
    settings = costs.current_settings()
    currency = settings.currency
    hours, similar_escalations, basis = estimated_hours(ticket, tier, settings)
    hourly = Decimal(settings.hourly(tier))
    cost = (hours * hourly).quantize(CENT, ROUND_HALF_UP)
    premium = premium_of(ticket)
    value = customer_value(ticket, premium, premium_loaded=True)
    reach_tickets, reach_organizations, similar_open = reach(ticket)
    budget = costs.budget_this_week(at)

    why: list[str] = []
    if similar_escalations:
        why.append(
            f"Estimated {hours_text(hours)} at tier {tier}: the mean over "
            f"{plural(similar_escalations, 'similar escalation')} (same {basis}), at "
            f"{money(hourly, currency)} an hour that is {money(cost, currency)}.")
    else:
        why.append(
            f"Estimated {hours_text(hours)} at tier {tier} (the default: no similar "
            f"escalation has tracked time), at {money(hourly, currency)} an hour that is "
            f"{money(cost, currency)}.")
    who = value.organization_name or "This customer"
    if value.annual:
        where = "contract" if value.source == "contract" else f"{value.plan_name} plan"
        why.append(f"{who} is worth {money(value.annual, currency)} a year ({where}).")
    else:
        plan = f" on the {value.plan_name} plan" if value.plan_name else ""
        why.append(f"{who}{plan} has no annual contract value recorded.")
    if value.premium_price is not None:
        why.append(f"A per-incident premium of {money(value.premium_price, currency)} was "
                   "bought for this ticket.")
    if reach_tickets:
        why.append(
            f"{plural(reach_tickets, 'other open ticket')} from "
            f"{plural(reach_organizations, 'other organization')} "
            f"{'reports' if reach_tickets == 1 else 'report'} something similar.")
    else:
        why.append("No other open ticket reports something similar.")

    total = value.total
    over_budget = tier >= DEVELOPER_TIER and budget.used + hours > budget.budget
    if value.premium_price is not None:
        recommendation = Recommendation.ESCALATE
        why.append("Escalate: the customer paid for this incident.")
    elif reach_tickets >= REACH_TICKETS or reach_organizations >= REACH_ORGANIZATIONS:
        recommendation = Recommendation.ESCALATE
        why.append("Escalate: one fix serves every customer who reports it.")
    elif total >= cost * VALUE_MULTIPLE:
        if over_budget:
            recommendation = Recommendation.WORKAROUND
            why.append(
                "The customer is worth it, but this would take the week over its developer "
                f"budget ({budget.used.normalize():f} of {budget.budget.normalize():f} hours "
                "used): find a workaround now, and escalate when there is room or if it fails.")
        else:
            recommendation = Recommendation.ESCALATE
            why.append(f"Escalate: the customer's value is over {VALUE_MULTIPLE} times the "
                       "estimated cost.")
    elif total >= cost or reach_tickets:
        recommendation = Recommendation.WORKAROUND
        why.append(f"Workaround: the value covers the cost less than {VALUE_MULTIPLE} times "
                   f"over; look for a workaround at tier {ticket.tier} and escalate if it "
                   "fails.")
    else:
        recommendation = Recommendation.DECLINE
        why.append("Decline with an explanation: the estimated cost is more than the "
                   "customer is worth and nobody else reports it; tell the customer what "
                   "we can do instead.")
    return Assessment(
        ticket_id=ticket.pk, from_tier=ticket.tier, to_tier=tier, estimated_hours=hours,
        similar_escalations=similar_escalations, hours_basis=basis, hourly_cost=hourly,
        estimated_cost=cost, currency=currency, value=value, reach_tickets=reach_tickets,
        reach_organizations=reach_organizations, similar_open=similar_open,
        budget_used=budget.used, budget_hours=Decimal(budget.budget),
        recommendation=recommendation.value, why=why,
    )

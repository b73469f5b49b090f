"""The developers' desk (/dev): the tickets escalated to tier 3, each with who
the customer is and what they are worth, what was promised and by when; and
the week's developer hours against the budget, and which required facts each
still lacks. And the developer brief at the top of a tier-3 ticket's page: the
report, what was tried, the facts with their sources and what is still missing;
its similar tickets come after the page, from their own URL (brief_similar_panel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.core.models import User
from frontline.costs.models import CostSettings
from frontline.costs.services import budget_this_week
from frontline.customers.models import EnvironmentFact
from frontline.desk.views.common import desk_user, desk_view, error_page, is_htmx, render_desk
from frontline.intake import facts as intake_facts
from frontline.intake.models import Question, TicketFact
from frontline.routing import escalation
from frontline.routing.assessment import (
    CustomerValue,
    customer_value,
    premium_of,
    similar_ticket_ids,
)
from frontline.routing.models import EscalationDecision, Recommendation
from frontline.sla import outcomes
from frontline.sla.models import IncidentPremium
from frontline.tickets.models import ACTIVE_STATUSES, Message, MessageKind, Ticket
from frontline.tickets.selectors import TICKET_RELATED, environment_facts

MAX_ROWS = 200
BRIEF_SIMILAR = 8
REPORT_CHARS = 1500


@dataclass(frozen=True)
class DeveloperRow:
    ticket: Ticket
    value: CustomerValue
    reason: str  # why it was escalated
    next_label: str  # which promise comes next: "first reply", "next reply", "resolution"
    next_due: datetime | None
    missing: list[Question]  # required questions still unanswered

    @property
    def missing_keys(self) -> str:
        return ", ".join(question.key for question in self.missing)

    @property
    def next_overdue(self) -> bool:
        return self.next_due is not None and self.next_due < timezone.now()

    @property
    def next_missed(self) -> str:
        """"missed by 14 h 45 min" once the next promise is past due (the reports' rule,
        frontline.sla.outcomes); empty while it is still within its time."""
        if self.next_due is None:
            return ""
        return outcomes.judge(self.next_due, None, None, timezone.now()).text


def _next_promise(ticket: Ticket) -> tuple[str, datetime | None]:
    candidates = [
        ("first reply",
         ticket.clock.first_response_due if ticket.first_response_at is None else None),
        ("next reply", ticket.clock.next_response_due),
        ("resolution", ticket.clock.resolution_due),
    ]
    dated = [(due, label) for label, due in candidates if due is not None]
    if not dated:
        return "", None
    due, label = min(dated)
    return label, due


def developer_rows(user: User, *, limit: int = MAX_ROWS) -> list[DeveloperRow]:
    """Open tier-3 tickets the user may see, the earliest promise first (five queries,
    and those of the question sets the process does not hold yet: one set per category)."""
    tickets = list(
        permissions.visible_tickets(user, Ticket.objects.filter(
            tier=permissions.DEVELOPER_TIER, status__in=ACTIVE_STATUSES,
            merged_into__isnull=True))
        .select_related(*TICKET_RELATED, "clock__plan")
        .order_by(F("clock__sla_due").asc(nulls_last=True), "created_at", "id")[:limit])
    ids = [ticket.pk for ticket in tickets]
    premiums = {premium.ticket_id: premium for premium in
                IncidentPremium.objects.filter(ticket_id__in=ids).select_related("plan")}
    reasons: dict[int, str] = {}
    for ticket_id, reason in (EscalationDecision.objects
                              .filter(ticket_id__in=ids, decision=Recommendation.ESCALATE,
                                      to_tier=permissions.DEVELOPER_TIER)
                              .order_by("at", "id").values_list("ticket_id", "reason")):
        reasons[ticket_id] = reason  # the latest wins
    known: dict[int, list[TicketFact]] = {pk: [] for pk in ids}
    for fact in TicketFact.objects.filter(ticket_id__in=ids).only("ticket_id", "key", "value"):
        known[fact.ticket_id].append(fact)
    rows = []
    for ticket in tickets:
        label, due = _next_promise(ticket)
        rows.append(DeveloperRow(
            ticket=ticket,
            value=customer_value(ticket, premiums.get(ticket.pk), premium_loaded=True,
                                 plan=ticket.clock.plan),
            reason=reasons.get(ticket.pk, ""), next_label=label, next_due=due,
            missing=intake_facts.missing(ticket, known[ticket.pk])))
    return rows


@desk_view
def developers_desk(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    rows = developer_rows(user, limit=MAX_ROWS + 1)
    return render_desk(request, "desk/developers/desk.html", {
        "rows": rows[:MAX_ROWS],
        "more": len(rows) > MAX_ROWS,
        "budget": budget_this_week(),
        "currency": CostSettings.current().currency,
    })


def visible_similar(user: User, ids: list[int]) -> list[Ticket]:
    """The tickets among `ids` the user may open, in the order given."""
    found = permissions.visible_tickets(user, Ticket.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]


# -- the developer brief --------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    """Everything a developer needs at the top of a tier-3 ticket."""

    escalation: EscalationDecision | None
    report: str  # the customer's first message: what happened, in their words
    facts: list[EnvironmentFact]
    ticket_facts: list[TicketFact]  # what we know, each with its source (and quote)
    missing: list[Question]  # required questions still unanswered
    value: CustomerValue
    currency: str


def developer_brief(user: User, ticket: Ticket, known: list[TicketFact] | None = None,
                    facts: list[EnvironmentFact] | None = None) -> Brief | None:
    """The brief for a ticket at tier 3 (None below: nothing was escalated to developers).
    `known` and `facts`: the ticket's facts (intake.facts.facts_of) and its customer's
    environment (tickets.selectors.environment_facts) when the page has read them."""
    if ticket.tier < permissions.DEVELOPER_TIER:
        return None
    if known is None:
        known = intake_facts.facts_of(ticket)
    if facts is None:
        facts = environment_facts(ticket)
    first = (Message.objects.filter(ticket=ticket, kind=MessageKind.INBOUND)
             .order_by("created_at", "id").values_list("body_reply", "body").first())
    report = ((first[0] or first[1]) if first else "").strip()
    if len(report) > REPORT_CHARS:
        report = report[:REPORT_CHARS - 1].rstrip() + "…"
    return Brief(
        escalation=escalation.latest_escalation(ticket, to_tier=permissions.DEVELOPER_TIER),
        report=report,
        facts=facts,
        ticket_facts=known,
        missing=intake_facts.missing(ticket, known),
        value=customer_value(ticket, premium_of(ticket), premium_loaded=True),
        currency=CostSettings.current().currency,
    )


@dataclass(frozen=True)
class BriefSimilar:
    """The brief's similar tickets: those the user may open, and how many more there are."""

    tickets: list[Ticket]
    hidden: int  # found, but below what the user may open (tiers 1-2 for a developer)


def brief_similar(user: User, ticket: Ticket) -> BriefSimilar:
    """Up to BRIEF_SIMILAR tickets whose text shares the subject's words
    (routing.assessment.similar_ticket_ids: one prefix search per word, up to six)."""
    similar_ids = similar_ticket_ids(ticket)[:BRIEF_SIMILAR]
    similar = visible_similar(user, similar_ids)
    return BriefSimilar(tickets=similar, hidden=len(similar_ids) - len(similar))


@desk_view
@require_GET
def brief_similar_panel(request: HttpRequest, reference: str) -> HttpResponse:
    """The brief's "Similar tickets", loaded after the page (htmx, hx-trigger="load").

    Its searches were most of a tier-3 page's time at a million tickets (51-65
    queries, 80-340 ms of SQL: bench/RESULTS.md, issue 11 part 2), for a list
    read after the report and the facts. Whoever may open the ticket may open
    this; without JavaScript the brief links here and it is a page of its own.
    """
    user = desk_user(request)
    try:
        ticket = workflow.get_ticket(reference)
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    context = {"ticket": ticket, "brief_similar": brief_similar(user, ticket),
               "brief_similar_loaded": True}
    if is_htmx(request):
        return render(request, "desk/tickets/_brief_similar.html", context)
    return render_desk(request, "desk/developers/similar.html", context)


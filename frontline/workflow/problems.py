"""What a problem sends to the customers of its tickets: the workaround, and the news
that the fix is released (their tickets then wait for their confirmation).

Both go through each ticket's channel (frontline.tickets.channels, through
conversation.add_reply when a person acts) and are recorded on each ticket's
timeline and on the problem. Each ticket is handled in its own savepoint: one
ticket that refuses (merged away meanwhile, closed) is reported and the others
still go out. Each customer hears each thing once (ProblemTicket.workaround_sent_at,
.fix_told_at), however often the push or the release check runs.

"Released" is a version whose `released_on` is set and not in the future. A
problem set to fixed before its version ships is released by the periodic job
`problems.release_fixes` on the day it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput, InvalidTransition
from frontline.core.models import User
from frontline.customers.models import Version
from frontline.insights.models import Alert, AlertStatus
from frontline.problems import services as problems
from frontline.problems import webhooks
from frontline.problems.models import Problem, ProblemChange, ProblemStatus, ProblemTicket
from frontline.search import index as search_index
from frontline.sla import clock as sla_clock
from frontline.tickets import channels
from frontline.tickets.models import MessageKind, Status, Ticket
from frontline.tickets.services.events import record_event
from frontline.tickets.services.inputs import clean_body
from frontline.tickets.services.lookup import locked_ticket
from frontline.tickets.services.rows import staff_message
from frontline.tickets.services.state import FINISHED_STATUSES, apply_status, touch
from frontline.workflow.conversation import add_reply, reply_channel

RELEASE_CHECK = "release check"
TRACKER = "tracker webhook"


@dataclass(frozen=True)
class TicketOutcome:
    reference: str
    outcome: str  # "sent", "skipped" or "refused"
    why: str = ""


def is_released(version: Version | None, today: date | None = None) -> bool:
    return (version is not None and version.released_on is not None
            and version.released_on <= (today or timezone.localdate()))


def recipients(problem: Problem) -> list[ProblemTicket]:
    """The links whose customers a push would reach, with the rest: for the
    confirmation the desk shows before anything goes out."""
    return list(problem.links.select_related("ticket__requester", "ticket__organization")
                .order_by("ticket_id"))


def skip_reason(link: ProblemTicket, *, workaround: bool) -> str:
    """Why a linked ticket is left out ("" when it gets the message)."""
    ticket = link.ticket
    if ticket.merged_into_id is not None:
        return "merged into another ticket"
    if ticket.status in FINISHED_STATUSES:
        return f"{Status(ticket.status).label.lower()}"
    if workaround and link.workaround_sent_at is not None:
        return "had the workaround already"
    if not workaround and link.fix_told_at is not None:
        return "told already"
    return ""


# -- the workaround -------------------------------------------------------------------


def push_workaround(problem: Problem, actor: User, text: str) -> list[TicketOutcome]:
    """Send `text` (the workaround, as the agent approved it) to every linked open
    ticket that has not had it, each as a reply through its channel."""
    permissions.check_can_change_problems(actor)
    problem = problems.get_problem(problem.pk)
    if not problem.workaround.strip():
        raise InvalidInput("Write the workaround down on the problem before sending it.",
                           field="workaround")
    if not str(text or "").strip():
        raise InvalidInput("The message to send is empty.", field="text")
    body = clean_body(text)
    outcomes: list[TicketOutcome] = []
    now = timezone.now()
    for link in recipients(problem):
        reason = skip_reason(link, workaround=True)
        if reason:
            outcomes.append(TicketOutcome(link.ticket.reference, "skipped", reason))
            continue
        try:
            with transaction.atomic():
                add_reply(link.ticket, actor, body)
                record_event(link.ticket, "workaround_sent", actor=actor, at=timezone.now(),
                             problem=problem.pk, title=problem.title)
                ProblemTicket.objects.filter(pk=link.pk).update(workaround_sent_at=now)
        except FrontlineError as error:
            outcomes.append(TicketOutcome(link.ticket.reference, "refused", error.message))
            continue
        outcomes.append(TicketOutcome(link.ticket.reference, "sent"))
    _record_push(problem, actor, ProblemChange.Kind.WORKAROUND_PUSHED, outcomes, now,
                 "problem.workaround_pushed")
    return outcomes


def _record_push(problem: Problem, actor: User | None, kind: str,
                 outcomes: list[TicketOutcome], now: datetime, event: str,
                 **detail: Any) -> None:
    sent = [o.reference for o in outcomes if o.outcome == "sent"]
    if not sent:
        return
    with transaction.atomic():
        ProblemChange.objects.create(
            problem=problem, kind=kind, actor=actor,
            actor_label="" if actor is not None else RELEASE_CHECK, at=now,
            detail={"tickets": sent, **detail})
        Problem.objects.filter(pk=problem.pk).update(updated_at=now)
        problem.updated_at = now
        webhooks.notify(problem, event)


# -- the fix's release ------------------------------------------------------------------


def fix_message(problem: Problem, ticket: Ticket) -> str:
    version = problem.fix_version
    assert version is not None
    return (
        f"Good news about {ticket.reference} ({ticket.subject}): the cause, "
        f"\u201c{problem.title}\u201d, is fixed in {version.product.name} {version.name}"
        f"{f', released on {version.released_on:%d %B %Y}' if version.released_on else ''}.\n\n"
        "Once you have upgraded, please check that it works for you. We have marked this "
        "request as resolved; just reply if the problem is still there and we will carry on."
    )


def _system_reply(ticket: Ticket, body: str, now: datetime) -> None:
    """The system's reply that resolves the ticket (no person sent it): the same rows,
    clock, index and channel as conversation.add_reply."""
    ticket = locked_ticket(ticket)
    channel = reply_channel(ticket)
    message = staff_message(ticket, None, body, kind=MessageKind.OUTBOUND, channel=channel,
                            at=now)
    ticket.last_agent_message_at = now
    touch(ticket, now, "last_agent_message_at")
    apply_status(ticket, None, Status.RESOLVED, now)
    sla_clock.refresh(ticket, now)
    search_index.index_message(message)
    sender = channels.sender_for(channel)
    if sender is not None:
        sender.reply(message)


def release_fix(problem: Problem, actor: User | None = None, *,
                today: date | None = None) -> list[TicketOutcome]:
    """If the problem is fixed (or verified) and its fix version is released: tell
    the customer of each linked open ticket, once, and resolve the ticket (it waits
    for their confirmation). Nothing happens otherwise (an empty list)."""
    if actor is not None:
        permissions.check_can_change_problems(actor)
    problem = problems.get_problem(problem.pk)
    if problem.status not in (ProblemStatus.FIXED, ProblemStatus.VERIFIED):
        return []
    if not is_released(problem.fix_version, today):
        return []
    outcomes: list[TicketOutcome] = []
    now = timezone.now()
    version = problem.fix_version
    assert version is not None
    for link in recipients(problem):
        reason = skip_reason(link, workaround=False)
        if reason:
            outcomes.append(TicketOutcome(link.ticket.reference, "skipped", reason))
            continue
        body = fix_message(problem, link.ticket)
        try:
            with transaction.atomic():
                # Told once: the link is claimed under its row lock first, so two
                # workers (or a worker and a person) never both tell the customer.
                claimed = (ProblemTicket.objects.select_for_update()
                           .filter(pk=link.pk, fix_told_at__isnull=True).first())
                if claimed is None:
                    outcomes.append(TicketOutcome(link.ticket.reference, "skipped",
                                                  "told already"))
                    continue
                if actor is not None and permissions.can_change_ticket(actor, link.ticket):
                    add_reply(link.ticket, actor, body, status=Status.RESOLVED)
                else:
                    _system_reply(link.ticket, body, now)
                record_event(link.ticket, "fix_released", actor=actor, at=timezone.now(),
                             problem=problem.pk, title=problem.title, version=str(version))
                claimed.fix_told_at = now
                claimed.save(update_fields=["fix_told_at"])
        except FrontlineError as error:
            outcomes.append(TicketOutcome(link.ticket.reference, "refused", error.message))
            continue
        outcomes.append(TicketOutcome(link.ticket.reference, "sent"))
    if any(o.outcome == "sent" for o in outcomes):
        Problem.objects.filter(pk=problem.pk).update(released_at=now)
    _record_push(problem, actor, ProblemChange.Kind.FIX_RELEASED, outcomes, now,
                 "problem.fix_released", version=str(version))
    return outcomes


def release_due_fixes(today: date | None = None) -> dict[str, int]:
    """The periodic job: every fixed problem whose version has shipped by now and
    whose customers are not all told yet."""
    today = today or timezone.localdate()
    due = (Problem.objects.filter(status__in=[ProblemStatus.FIXED, ProblemStatus.VERIFIED],
                                  fix_version__released_on__lte=today,
                                  links__fix_told_at__isnull=True)
           .values_list("pk", flat=True).distinct())
    counts = {"problems": 0, "told": 0}
    for pk in list(due[:500]):
        outcomes = release_fix(Problem(pk=pk), None, today=today)
        if any(o.outcome == "sent" for o in outcomes):
            counts["problems"] += 1
        counts["told"] += sum(1 for o in outcomes if o.outcome == "sent")
    return counts


# -- changes that may release a fix -----------------------------------------------------


def update_problem(problem: Problem, actor: User, changes: dict[str, Any]
                   ) -> tuple[Problem, list[TicketOutcome]]:
    """The problem's PATCH (desk form, API); a change to fixed with a released
    version tells the customers at once."""
    problem = problems.update_problem(problem, actor, changes)
    return problem, release_fix(problem, actor)


def fixed_by_tracker(problem_id: Any, *, status: str, fix_version: Any,
                     product: Any) -> tuple[Problem, list[TicketOutcome]]:
    """A tracker says the problem is fixed in `fix_version` of `product` (the inbound
    webhook, already verified). Idempotent: the same news twice changes nothing.
    The version must exist (InvalidInput, 422); nothing is created for it."""
    if str(status or "").strip().lower() != ProblemStatus.FIXED:
        raise InvalidInput("A tracker can only mark a problem fixed.", field="status")
    problem = problems.get_problem(problem_id)  # NotFound (404) for an unknown one
    version = problems.find_fix_version(fix_version, product)
    changes: dict[str, Any] = {"fix_version": version}
    if problem.status not in (ProblemStatus.FIXED, ProblemStatus.VERIFIED):
        changes["status"] = ProblemStatus.FIXED.value
    elif problem.fix_version_id != (version.pk if version else None):
        raise InvalidTransition(f"P-{problem.pk} is {ProblemStatus(problem.status).label.lower()} "
                         f"in {problem.fix_version}; change it on the desk.")
    problem = problems.update_problem(problem, None, changes, actor_label=TRACKER)
    return problem, release_fix(problem, None)


@transaction.atomic
def problem_from_alert(actor: User, alert: Alert, *, title: str | None = None,
                       description: str | None = None) -> Problem:
    """Make a problem of a recurring-problem alert: its title and terms, its tickets
    linked (a ticket another problem explains already stays with that one), and the
    alert marked as having become it, so detection no longer groups its tickets."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.problem_id is not None:
        raise InvalidTransition(f"This alert is problem #{alert.problem_id} already.")
    tickets = [link.ticket for link in alert.links.select_related("ticket").order_by("at")
               if problems.problem_of(link.ticket) is None]
    terms = ", ".join(str(term) for term in alert.terms)
    problem = problems.create_problem(
        actor, title=title or alert.title,
        description=description if description is not None else
        (f"Raised by detection on {alert.raised_at:%Y-%m-%d}: {len(tickets)} tickets "
         f"share {terms}."),
        tickets=tickets)
    alert.problem = problem
    alert.status = AlertStatus.PROBLEM
    alert.save(update_fields=["problem", "status"])
    return problem

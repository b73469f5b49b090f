"""Bulk actions: one change, or a merge, applied to many tickets (issue 12).

Each ticket goes through the very function a single change uses
(frontline.workflow.changes.update_ticket and add_tags, merging.merge_tickets),
with its permission check and its events, in its own transaction: a refusal on
one ticket (a role that may only read it, a transition its status does not
allow, a merged ticket) rolls back that ticket alone and is reported beside the
others' results. Nothing here decides a rule; it only runs the single changes
in a loop and collects what each answered.

Split as the house style splits operations: `check_bulk` reads the request and
refuses what would fail for every ticket (an unknown field, a value that names
nothing, too many tickets) with one error; `apply_bulk` runs the changes. No
transaction spans the whole loop: 500 tickets would otherwise hold 500 row locks
until the last one is done, and a later failure would undo earlier answers.

"Select all N tickets matching this queue" (`check_bulk_matching`) names no
tickets: the server reads them from the queue and its filters, through the very
selector the queue page lists with (frontline.tickets.selectors.listed_tickets,
which keeps to what the person may see), at the moment the change is confirmed,
then runs them through `apply_bulk` like a hand-picked selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction

from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput
from frontline.core.models import User
from frontline.tickets.models import Ticket, format_reference, parse_reference
from frontline.tickets.queue_query import QueueQuery
from frontline.tickets.selectors import QUEUES, listed_tickets
from frontline.tickets.services.lookup import get_ticket
from frontline.workflow.changes import add_tags, check_change_values, update_ticket
from frontline.workflow.merging import merge_tickets

# One request changes at most this many tickets: a page of the desk's queue is 50,
# "select all" over ten pages is the most anybody means; beyond that the request
# is refused whole (422) rather than cut short.
MAX_TICKETS = 500
# "Select all matching" changes at most this many: beyond it the request is refused
# whole with the reason, and the agent narrows the filters. A thousand assignments
# took the request 3.3 s on SQLite and 9.7 s on PostgreSQL (2-core test machine);
# many more would outlast a proxy's timeout and belong in the worker.
MAX_MATCHING = 1000

# What a bulk change may set. `subject` is left out (one subject for many tickets
# is never meant); `reason` goes with `tier`, as in an escalation.
CHANGE_FIELDS = ("status", "priority", "tier", "team", "assignee", "category", "tags")
MERGE_FIELDS = ("merge_into", "confirm_other_customer")
OLDEST = "oldest"

Result = Literal["changed", "merged", "kept", "refused"]


@dataclass(frozen=True)
class TicketOutcome:
    """What happened to one ticket: `changed` (the changes ran), `merged` (folded
    into the target), `kept` (the merge's target), or `refused` with the error a
    single change would have answered (its status code, message and field)."""

    reference: str
    result: Result
    status_code: int = 200
    message: str = ""
    field: str | None = None

    @property
    def refused(self) -> bool:
        return self.result == "refused"


@dataclass(frozen=True)
class BulkRequest:
    """A checked request: the references in the order given (duplicates once), the
    tickets found by number, and either `changes` or a merge."""

    references: list[str]
    tickets: dict[int, Ticket]
    changes: dict[str, Any] = field(default_factory=dict)
    merge_into: str | None = None
    confirm_other_customer: bool = False

    @property
    def is_merge(self) -> bool:
        return self.merge_into is not None


def _references(references: Any) -> list[str]:
    if not isinstance(references, (list, tuple)) or not references:
        raise InvalidInput("Select at least one ticket.", field="references")
    if len(references) > MAX_TICKETS:
        raise InvalidInput(f"{len(references)} tickets at once is too many; change at most "
                           f"{MAX_TICKETS} per request.", field="references")
    seen: dict[str, None] = {}
    for reference in references:
        if not isinstance(reference, (str, int)) or isinstance(reference, bool):
            raise InvalidInput("Each reference is a text like FL-10427.", field="references")
        seen.setdefault(str(reference).strip(), None)
    return list(seen)


def check_bulk(actor: User, references: Any, changes: Any) -> BulkRequest:
    """Read a bulk request; InvalidInput (422) for what no ticket could take."""
    refs = _references(references)
    numbers = [n for n in (parse_reference(r) for r in refs) if n is not None]
    return _check_changes(refs, Ticket.objects.in_bulk(numbers), changes)


def check_bulk_matching(actor: User, queue: str, query: QueueQuery,
                        changes: Any) -> BulkRequest:
    """A bulk request for every ticket in `queue` with `query`'s filters that `actor`
    may see (the queue page's own list, every page of it), at most MAX_MATCHING."""
    if queue not in QUEUES:
        raise InvalidInput(f"There is no queue '{queue}'.", field="queue")
    tickets = list(listed_tickets(actor, queue, query)[:MAX_MATCHING + 1])
    if not tickets:
        raise InvalidInput("No ticket matches this queue any more.", field="references")
    if len(tickets) > MAX_MATCHING:
        raise InvalidInput(f"More than {MAX_MATCHING:,} tickets match this queue; one change "
                           f"takes at most {MAX_MATCHING:,}. Narrow the filters (status, "
                           "priority, tier, team, assignee) and change them in parts.",
                           field="references")
    return _check_changes([ticket.reference for ticket in tickets],
                          {ticket.pk: ticket for ticket in tickets}, changes)


def _check_changes(refs: list[str], tickets: dict[int, Ticket], changes: Any) -> BulkRequest:
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("Say what to change (status, priority, tier, team, assignee, "
                           "category, tags) or where to merge (merge_into).", field="changes")
    changes = dict(changes)
    known = (*CHANGE_FIELDS, "reason", *MERGE_FIELDS)
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be changed in bulk.", field=unknown[0])
    if "merge_into" in changes:
        others = sorted(set(changes) - set(MERGE_FIELDS))
        if others:
            raise InvalidInput(f"A merge takes no other change ('{others[0]}'); merge first, "
                               "then change the ticket that lives on.", field=others[0])
        target = changes["merge_into"]
        if not isinstance(target, str) or not target.strip():
            raise InvalidInput(f"Name the ticket to merge into, or '{OLDEST}'.",
                               field="merge_into")
        if len(refs) + (target.strip().lower() != OLDEST) < 2:
            raise InvalidInput("A merge needs at least two tickets.", field="references")
        return BulkRequest(refs, tickets, merge_into=target.strip(),
                           confirm_other_customer=changes.get("confirm_other_customer") is True)
    if "confirm_other_customer" in changes:
        raise InvalidInput("confirm_other_customer goes with merge_into.",
                           field="confirm_other_customer")
    check_change_values(changes)
    return BulkRequest(refs, tickets, changes=changes)


def apply_bulk(actor: User, request: BulkRequest) -> list[TicketOutcome]:
    """Run `request` ticket by ticket; one outcome per reference, in order."""
    if request.is_merge:
        return _merge_all(actor, request)
    fields = {key: value for key, value in request.changes.items() if key != "tags"}
    tags = request.changes.get("tags")
    outcomes = []
    for reference in request.references:
        try:
            ticket = _ticket(actor, reference, request)
            with transaction.atomic():
                if fields:
                    update_ticket(ticket, actor, fields)
                if tags:
                    add_tags(ticket, actor, tags)
        except FrontlineError as refusal:
            outcomes.append(_refused(reference, refusal))
            continue
        outcomes.append(TicketOutcome(ticket.reference, "changed"))
    return outcomes


def change_tickets(actor: User, references: Any, changes: Any) -> list[TicketOutcome]:
    """check_bulk, then apply_bulk: what the API and the desk call."""
    return apply_bulk(actor, check_bulk(actor, references, changes))


def refused_count(outcomes: Sequence[TicketOutcome]) -> int:
    return sum(1 for outcome in outcomes if outcome.refused)


# -- internals ----------------------------------------------------------------------


def _ticket(actor: User, reference: str, request: BulkRequest) -> Ticket:
    """The ticket `reference` names, if `actor` may see it (as a single change's
    page or endpoint would answer: 404 for none, 403 for one they may not see)."""
    number = parse_reference(reference)
    ticket = request.tickets.get(number) if number is not None else None
    if ticket is None:
        ticket = get_ticket(reference)  # raises NotFound in the single lookup's words
    permissions.check_can_view_ticket(actor, ticket)
    return ticket


def _refused(reference: str, refusal: FrontlineError) -> TicketOutcome:
    number = parse_reference(reference)
    shown = format_reference(number) if number is not None else reference
    return TicketOutcome(shown, "refused", refusal.status_code, refusal.message, refusal.field)


def _merge_target(actor: User, request: BulkRequest) -> Ticket:
    """The ticket named by `merge_into`, or with 'oldest' the earliest opened of the
    selection that `actor` may see and that was not merged already."""
    assert request.merge_into is not None
    if request.merge_into.lower() != OLDEST:
        try:
            target = get_ticket(request.merge_into)
        except FrontlineError as error:
            raise InvalidInput(error.message, field="merge_into") from None
        permissions.check_can_view_ticket(actor, target)
        return target
    candidates = [ticket for ticket in request.tickets.values()
                  if ticket.merged_into_id is None and permissions.can_view_ticket(actor, ticket)]
    if not candidates:
        raise InvalidInput("None of these tickets can take the others.", field="references")
    return min(candidates, key=lambda ticket: (ticket.created_at, ticket.pk))


def _merge_all(actor: User, request: BulkRequest) -> list[TicketOutcome]:
    target = _merge_target(actor, request)
    outcomes = []
    for reference in request.references:
        if parse_reference(reference) == target.pk:
            continue
        try:
            ticket = _ticket(actor, reference, request)
            with transaction.atomic():
                merge_tickets(ticket, target, actor,
                              confirm_other_customer=request.confirm_other_customer)
        except FrontlineError as refusal:
            outcomes.append(_refused(reference, refusal))
            continue
        outcomes.append(TicketOutcome(ticket.reference, "merged"))
    outcomes.insert(0, TicketOutcome(target.reference, "kept"))
    return outcomes

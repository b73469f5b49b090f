"""Merging duplicates, with the search index and the SLA clocks in step."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from frontline.core.models import User
from frontline.search import index as search_index
from frontline.sla import clock as sla_clock
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import merge as ticket_merge


@transaction.atomic
def merge_tickets(source: Ticket, target: Ticket, actor: User, *,
                  confirm_other_customer: bool = False) -> Ticket:
    """Fold `source` into `target` (frontline.tickets.services.merge says how; two
    customers' requests need `confirm_other_customer`), then index the moved
    messages under the ticket they now belong to."""
    target = ticket_merge.merge_tickets(source, target, actor,
                                        confirm_other_customer=confirm_other_customer)
    _in_step(source, target)
    return target


@transaction.atomic
def join_conversation(source: Ticket, target: Ticket, *, reason: str) -> Ticket:
    """Fold `source` into `target` on nobody's behalf: the two hold one conversation
    that arrived out of order (the mail intake's late original). The same merge as
    an agent's, redirect and timeline included, with `reason` on both timelines;
    two customers' requests are refused (NeedsConfirmation) for an agent to decide
    (frontline.tickets.services.merge.merge_on_evidence)."""
    target = ticket_merge.merge_on_evidence(source, target, reason=reason)
    _in_step(source, target)
    return target


def _in_step(source: Ticket, target: Ticket) -> None:
    """The SLA clocks and the search index after `source` was merged into `target`."""
    # Both rows are locked by the merge. The merged ticket is closed: its clock
    # stops, so no warning or breach action runs on it later (it takes no changes);
    # the survivor's clock answers for the customer messages it took over.
    now = timezone.now()
    sla_clock.refresh(Ticket.objects.get(pk=source.pk), now)
    sla_clock.refresh(target, now)
    search_index.remove_ticket(source.pk)
    search_index.index_ticket(target)
    for message in Message.objects.filter(ticket=target).select_related("ticket__requester"):
        search_index.index_message(message)

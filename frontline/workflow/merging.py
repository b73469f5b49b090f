"""Merging duplicates, with the search index in step."""

from __future__ import annotations

from django.db import transaction

from frontline.core.models import User
from frontline.search import index as search_index
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import merge as ticket_merge


@transaction.atomic
def merge_tickets(source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Fold `source` into `target` (frontline.tickets.services.merge says how), then
    index the moved messages under the ticket they now belong to."""
    target = ticket_merge.merge_tickets(source, target, actor)
    search_index.remove_ticket(source.pk)
    search_index.index_ticket(target)
    for message in Message.objects.filter(ticket=target).select_related("ticket__requester"):
        search_index.index_message(message)
    return target

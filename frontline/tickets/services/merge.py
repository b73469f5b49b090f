"""Merging duplicate tickets and linking related ones (the rows; the search index
follows in frontline.workflow.merging)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition, NeedsConfirmation
from frontline.core.models import User
from frontline.tickets.models import Message, Status, Ticket, TicketLink
from frontline.tickets.services.entry import other_customer
from frontline.tickets.services.events import record_event


def _customer(ticket: Ticket) -> str:
    organization = ticket.organization
    return f"{ticket.requester}, {organization.name if organization else 'no organization'}"


@transaction.atomic
def merge_tickets(source: Ticket, target: Ticket, actor: User, *,
                  confirm_other_customer: bool = False) -> Ticket:
    """Fold `source` into `target`: its messages move over, and `source` closes
    and keeps redirecting to `target` (its reference stays valid forever).

    Two different customers' requests (another requester or organization) merge
    only with `confirm_other_customer`; without it, NeedsConfirmation (409) says
    what would happen. Each moved message remembers the ticket it was written on
    (Message.merged_from), so each customer still reads only their own
    conversation (frontline.tickets.selectors.customer_messages), while staff read
    everything on `target`. What later arrives for `source` lands on `target`
    (frontline.tickets.services.entry).
    """
    if source.pk == target.pk:
        raise InvalidInput("A ticket cannot be merged into itself.", field="target")
    first, second = sorted([source.pk, target.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[source.pk], locked[target.pk]
    permissions.check_can_change_ticket(actor, source)
    permissions.check_can_change_ticket(actor, target)
    if source.merged_into_id is not None:
        raise InvalidTransition(f"{source.reference} is already merged.", field="source")
    if target.merged_into_id is not None:
        raise InvalidTransition(
            f"{target.reference} was merged into another ticket; merge into that one.",
            field="target")
    across = other_customer(source, target)
    if across and not confirm_other_customer:
        raise NeedsConfirmation(
            f"{source.reference} ({_customer(source)}) and {target.reference} "
            f"({_customer(target)}) are different customers' requests. Merged, each "
            f"customer still sees only their own messages, and replies on "
            f"{target.reference} go to {target.requester} only. Confirm to merge them.",
            field="confirm_other_customer")
    now = timezone.now()
    # Messages already moved here by an earlier merge keep the ticket they were
    # written on; the others were written on `source`.
    moved = Message.objects.filter(ticket=source, merged_from__isnull=True).update(
        ticket=target, merged_from=source)
    moved += Message.objects.filter(ticket=source).update(ticket=target)
    source.merged_into = target
    before = source.status
    source.status = Status.CLOSED
    source.closed_at = now
    source.updated_at = now
    source.save(update_fields=["merged_into", "status", "closed_at", "updated_at"])
    record_event(source, "merged", actor=actor, at=now, before=before,
                 after=Status.CLOSED.value, into=target.reference, messages=moved,
                 other_customer=across)
    target.updated_at = now
    if source.last_customer_message_at and (
        target.last_customer_message_at is None
        or source.last_customer_message_at > target.last_customer_message_at
    ):
        target.last_customer_message_at = source.last_customer_message_at
    target.save(update_fields=["updated_at", "last_customer_message_at"])
    record_event(target, "merged_from", actor=actor, at=now, source=source.reference,
                 messages=moved, other_customer=across)
    return target


@transaction.atomic
def link_tickets(ticket: Ticket, other: Ticket, actor: User) -> TicketLink:
    if ticket.pk == other.pk:
        raise InvalidInput("A ticket cannot be linked to itself.", field="other")
    permissions.check_can_change_ticket(actor, ticket)
    permissions.check_can_view_ticket(actor, other)
    low, high = sorted([ticket, other], key=lambda t: t.pk)
    link, created = TicketLink.objects.get_or_create(
        from_ticket=low, to_ticket=high, defaults={"created_by": actor})
    if created:
        now = timezone.now()
        record_event(ticket, "linked", actor=actor, at=now, after=other.reference)
        record_event(other, "linked", actor=actor, at=now, after=ticket.reference)
    return link


@transaction.atomic
def unlink_tickets(ticket: Ticket, other: Ticket, actor: User) -> None:
    permissions.check_can_change_ticket(actor, ticket)
    low, high = sorted([ticket, other], key=lambda t: t.pk)
    deleted, _ = TicketLink.objects.filter(from_ticket=low, to_ticket=high).delete()
    if deleted:
        now = timezone.now()
        record_event(ticket, "unlinked", actor=actor, at=now, before=other.reference)
        record_event(other, "unlinked", actor=actor, at=now, before=ticket.reference)


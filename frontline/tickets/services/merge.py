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
    source, target = _locked_pair(source, target)
    permissions.check_can_change_ticket(actor, source)
    permissions.check_can_change_ticket(actor, target)
    _check_mergeable(source, target)
    across = other_customer(source, target)
    if across and not confirm_other_customer:
        raise NeedsConfirmation(
            f"{_across(source, target)} Confirm to merge them.", field="confirm_other_customer")
    return do_merge(source, target, actor=actor, across=across)


@transaction.atomic
def merge_on_evidence(source: Ticket, target: Ticket, *, reason: str) -> Ticket:
    """Fold `source` into `target` on nobody's behalf, because the tickets turned
    out to hold one conversation (the mail intake: a mail that arrived late joins
    the ticket its replies opened to the one it belongs to). `reason` says how we
    know; it shows on both timelines.

    Nobody is there to confirm a merge of two customers' requests, so that is
    refused as an agent's unconfirmed merge is (NeedsConfirmation): the caller
    links the tickets and leaves the merge to an agent.
    """
    source, target = _locked_pair(source, target)
    _check_mergeable(source, target)
    if other_customer(source, target):
        raise NeedsConfirmation(f"{_across(source, target)} An agent has to confirm it.",
                                field="confirm_other_customer")
    return do_merge(source, target, actor=None, across=False, reason=reason)


def _locked_pair(source: Ticket, target: Ticket) -> tuple[Ticket, Ticket]:
    """Both tickets read again under their row locks, in id order (no deadlock)."""
    if source.pk == target.pk:
        raise InvalidInput("A ticket cannot be merged into itself.", field="target")
    first, second = sorted([source.pk, target.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    return locked[source.pk], locked[target.pk]


def _check_mergeable(source: Ticket, target: Ticket) -> None:
    if source.merged_into_id is not None:
        raise InvalidTransition(f"{source.reference} is already merged.", field="source")
    if target.merged_into_id is not None:
        raise InvalidTransition(
            f"{target.reference} was merged into another ticket; merge into that one.",
            field="target")


def _across(source: Ticket, target: Ticket) -> str:
    return (f"{source.reference} ({_customer(source)}) and {target.reference} "
            f"({_customer(target)}) are different customers' requests. Merged, each "
            f"customer still sees only their own messages, and replies on "
            f"{target.reference} go to {target.requester} only.")


def do_merge(source: Ticket, target: Ticket, *, actor: User | None, across: bool,
             reason: str = "") -> Ticket:
    """The merge itself (see merge_tickets), assuming it may happen: the caller
    holds both rows locked (`_locked_pair`), inside its transaction, and checked
    that neither is merged and who may merge them. `actor` None: Frontline did it."""
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
                 other_customer=across, reason=reason)
    target.updated_at = now
    if source.last_customer_message_at and (
        target.last_customer_message_at is None
        or source.last_customer_message_at > target.last_customer_message_at
    ):
        target.last_customer_message_at = source.last_customer_message_at
    target.save(update_fields=["updated_at", "last_customer_message_at"])
    record_event(target, "merged_from", actor=actor, at=now, source=source.reference,
                 messages=moved, other_customer=across, reason=reason)
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


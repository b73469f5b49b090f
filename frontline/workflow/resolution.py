"""The resolved -> closed quiet period: the customer confirms, or a reminder goes
out and the ticket closes after quiet days, never while the customer still writes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontline.core.errors import InvalidTransition
from frontline.customers.models import Contact
from frontline.sla import clock as sla_clock
from frontline.tickets import channels
from frontline.tickets.models import Channel, MessageKind, Status, Ticket
from frontline.tickets.services.events import record_event
from frontline.tickets.services.lookup import locked_ticket
from frontline.tickets.services.rows import staff_message
from frontline.tickets.services.state import apply_status
from frontline.workflow.conversation import reply_channel


@transaction.atomic
def confirm_resolution(ticket: Ticket, contact: Contact, *, at: datetime | None = None) -> Ticket:
    """The customer confirms the fix: the ticket closes."""
    ticket = locked_ticket(ticket)
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition(f"{ticket.reference} is not waiting for a confirmation.")
    now = at or timezone.now()
    apply_status(ticket, None, Status.CLOSED, now, actor_contact=contact,
                 reason="The customer confirmed the resolution.")
    sla_clock.refresh(ticket, now)
    return ticket


def close_quiet_resolved(now: datetime | None = None) -> dict[str, int]:
    """Remind, then close, resolved tickets the customer has not answered.

    Run periodically by the worker. Each ticket is handled in its own
    transaction under a row lock and re-checked there, so a customer message
    arriving meanwhile wins, and two workers never remind or close twice.
    """
    now = now or timezone.now()
    quiet = timedelta(days=settings.FRONTLINE_RESOLVED_QUIET_DAYS)
    remind = timedelta(days=settings.FRONTLINE_RESOLVED_REMINDER_DAYS)
    counts = {"reminded": 0, "closed": 0}
    due_close = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=now - quiet)
    for ticket_id in list(due_close.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            if ticket is None or ticket.status != Status.RESOLVED or ticket.resolved_at is None:
                continue
            if ticket.resolved_at > now - quiet:
                continue
            apply_status(ticket, None, Status.CLOSED, now,
                         reason=f"No reply for {quiet.days} days after the resolution.")
            sla_clock.refresh(ticket, now)
            counts["closed"] += 1
    if remind < quiet:
        due_remind = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=now - remind,
                                           resolution_reminder_at__isnull=True)
        for ticket_id in list(due_remind.values_list("pk", flat=True)[:5000]):
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
                if (ticket is None or ticket.status != Status.RESOLVED
                        or ticket.resolution_reminder_at is not None):
                    continue
                _send_resolution_reminder(ticket, now, closes_at=ticket.resolved_at + quiet
                                          if ticket.resolved_at else now)
                counts["reminded"] += 1
    return counts


def _send_resolution_reminder(ticket: Ticket, now: datetime, *, closes_at: datetime) -> None:
    body = (
        f"We marked {ticket.reference} ({ticket.subject}) as resolved. If it is not solved "
        f"for you, just reply and we will carry on. Otherwise it closes on "
        f"{closes_at:%A %d %B}."
    )
    channel = reply_channel(ticket)
    message = staff_message(ticket, None, body, kind=MessageKind.OUTBOUND,
                            channel=channel or Channel.EMAIL, at=now)
    ticket.resolution_reminder_at = now
    ticket.save(update_fields=["resolution_reminder_at"])
    record_event(ticket, "resolution_reminder", at=now, after={"message": message.pk})
    sender = channels.sender_for(channel)
    if sender is not None:
        sender.reminder(message)

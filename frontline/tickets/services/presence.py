"""Who else has a ticket open, and who is typing in its composer (issue 12).

The desk's ticket page beats every few seconds while its tab is visible (and once
at once when the agent starts typing); each beat stores one row per person and
ticket (TicketPresence) and answers with the others. A page that stops beating
(closed, hidden, the laptop asleep) drops out after PRESENCE_TTL; "typing" lasts
TYPING_TTL after the last keystroke reported. Why a table rather than the cache:
see TicketPresence.

Cost: one upsert, one DELETE of stale rows (on an index, nearly always nothing)
and one read per beat. At 5 s per visible page this is small next to what the
page itself costs, and it needs no server of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from frontline.core.models import User
from frontline.tickets.models import Ticket, TicketPresence

PRESENCE_TTL = timedelta(seconds=30)
TYPING_TTL = timedelta(seconds=10)


@transaction.atomic
def beat(ticket: Ticket, user: User, *, typing: bool = False,
         at: datetime | None = None) -> None:
    """`user` has `ticket` open now (and typed since the last beat, with `typing`).

    A beat without `typing` leaves the last keystroke's time alone: with the page
    open in two tabs, the idle one must not hide that the other is typing."""
    now = at or timezone.now()
    row = TicketPresence(ticket=ticket, user=user, seen_at=now, typing_at=now if typing else None)
    # One statement, safe against the same person's two tabs beating at once
    # (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike).
    TicketPresence.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["ticket", "user"],
        update_fields=["seen_at", "typing_at"] if typing else ["seen_at"])
    TicketPresence.objects.filter(seen_at__lt=now - PRESENCE_TTL).delete()


def leave(ticket: Ticket, user: User) -> None:
    """`user` closed the ticket's page: gone for the others now, not in 30 seconds."""
    TicketPresence.objects.filter(ticket=ticket, user=user).delete()


def others_here(ticket: Ticket, user: User, *, at: datetime | None = None
                ) -> list[tuple[User, bool]]:
    """Everyone but `user` with `ticket` open, by name, each with whether they are
    typing."""
    now = at or timezone.now()
    rows = (TicketPresence.objects.filter(ticket=ticket, seen_at__gte=now - PRESENCE_TTL)
            .exclude(user=user).select_related("user")
            .order_by("user__first_name", "user__username"))
    return [(row.user, row.typing_at is not None and row.typing_at >= now - TYPING_TTL)
            for row in rows]

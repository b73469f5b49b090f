"""The desk's "time left" queue as a user pages through it."""

from __future__ import annotations

from frontline.core.models import User
from frontline.tickets.selectors import page_of, queue_tickets


def due_queue_ids(user: User, *, size: int = 2) -> list[int]:
    """The open queue sorted by time left, every page of `size` followed to the end."""
    seen: list[int] = []
    cursor = None
    while True:
        page = page_of(queue_tickets(user, "open", sort="due"), sort="due", after=cursor,
                       size=size, active_only=True)
        seen += [t.pk for t in page.tickets]
        cursor = page.next_cursor
        if cursor is None:
            return seen

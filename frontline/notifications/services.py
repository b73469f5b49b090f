"""Telling staff what they should know: one row per person, shown in the desk."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from frontline.core.models import User
from frontline.notifications.models import Notification
from frontline.tickets.models import Ticket


def notify(users: Iterable[User | None], kind: str, text: str, *, ticket: Ticket | None = None,
           at: datetime | None = None) -> list[Notification]:
    """One notification per distinct active person among `users` (None skipped)."""
    now = at or timezone.now()
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, ticket=ticket, kind=kind, text=text[:500],
                                 created_at=now))
    return Notification.objects.bulk_create(rows)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: User, *, at: datetime | None = None) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=at or timezone.now())

"""Telling staff what they should know: one row per person, shown in the desk,
and mailed to those who asked for mail (frontline.notifications.delivery)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.core import paging
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.notifications import delivery
from frontline.notifications.models import Kind, Notification, NotificationPreference
from frontline.tickets.models import Ticket

# Kinds worth a mail to those who opted in: someone asked for this person. SLA
# warnings and escalations come in bursts and are the queue's business.
MAILED_KINDS = frozenset({Kind.MENTION, Kind.ASSIGNED})
# The desk's list, newest first; the id breaks ties of one moment (a bulk notify).
NEWEST_FIRST = paging.Keyset("-created_at", "-id")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Notice:
    """What one notify() call says, for notify_many."""

    users: Sequence[User | None]
    kind: str
    text: str
    ticket: Ticket | None
    at: datetime


def notify(users: Iterable[User | None], kind: str, text: str, *, ticket: Ticket | None = None,
           at: datetime | None = None) -> list[Notification]:
    """One notification per distinct active person among `users` (None skipped).
    Of MAILED_KINDS, those who opted in also get a mail, after commit."""
    return notify_many([Notice(list(users), kind, text, ticket, at or timezone.now())])


def notify_many(notices: Sequence[Notice]) -> list[Notification]:
    """What notify() does for each notice, in one INSERT and at most one read of the
    mail preferences (a batch path: the SLA scan over a backlog)."""
    rows = []
    for notice in notices:
        seen: set[int] = set()
        for user in notice.users:
            if user is None or not user.is_active or user.pk in seen:
                continue
            seen.add(user.pk)
            rows.append(Notification(user=user, ticket=notice.ticket, kind=notice.kind,
                                     text=notice.text[:500], created_at=notice.at))
    created = Notification.objects.bulk_create(rows)
    mailable = [row for row in created if row.kind in MAILED_KINDS]
    if mailable:
        mailed = set(NotificationPreference.objects.filter(
            user_id__in={row.user_id for row in mailable}, by_mail=True)
            .values_list("user_id", flat=True))
        ids = [row.pk for row in mailable if row.user_id in mailed]
        if ids:
            transaction.on_commit(lambda: delivery.mail(ids))
    return created


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: User, *, at: datetime | None = None) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=at or timezone.now())


def kind_filter(value: str | None) -> str | None:
    """The kind the desk's filter names; None for all. Refuses a kind nobody records."""
    if not value:
        return None
    if value not in Kind.values:
        raise InvalidInput(f"'{value}' is not a kind of notification.", field="kind")
    return value


def notifications_page(user: User, *, unread_only: bool = False, kind: str | None = None,
                       cursor: str | None = None, limit: int = PAGE_SIZE
                       ) -> paging.Page[Notification]:
    """A page of `user`'s notifications, newest first (core.paging: the unread ones
    walk the partial index on (user, created_at))."""
    rows = Notification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind_filter(kind))
    return paging.page(rows, NEWEST_FIRST, cursor=cursor, limit=limit,
                       load=lambda ids: Notification.objects.filter(pk__in=ids)
                       .select_related("ticket"), restart_on_bad_cursor=True)


def wants_mail(user: User) -> bool:
    return NotificationPreference.objects.filter(user=user, by_mail=True).exists()


def set_mail_preference(user: User, by_mail: bool) -> NotificationPreference:
    """Whether `user` is mailed about mentions and assignments (their own choice only)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"by_mail": by_mail})
    return preference


def tell_assignee(ticket: Ticket, actor: User | None, assignee: User | None, *,
                  at: datetime | None = None) -> list[Notification]:
    """Tell the person a ticket was given to, unless they took it themselves."""
    if assignee is None or (actor is not None and actor.pk == assignee.pk):
        return []
    by = actor.display_name if actor is not None else "Automatic assignment"
    return notify([assignee], Kind.ASSIGNED,
                  f"{by} assigned {ticket.reference} to you: {ticket.subject}",
                  ticket=ticket, at=at)

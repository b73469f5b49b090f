"""What we tell the customer about when they will hear from us.

Only a FORMAL policy (contractual) makes a promise: an informal one is an
internal target and is never shown. The time is said in the customer's own
timezone (Contact.timezone), the way a person would: "by Tuesday 14:00
(Europe/Berlin)", or "within about two hours, by 16:10 (America/New_York)" when
it is soon. Without a formal policy the acknowledgement keeps the general
sentence in settings.FRONTLINE_ACK_PROMISE.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from frontline.sla import clock
from frontline.tickets.models import Ticket

# Up to this far ahead a promise is said as a duration ("within about two hours").
SOON = timedelta(hours=6)
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve")


def customer_zone(ticket: Ticket) -> ZoneInfo:
    try:
        return ZoneInfo(ticket.requester.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _duration(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 55:
        rounded = max(5, round(minutes / 5) * 5) if minutes > 5 else minutes
        return f"{rounded} minutes" if rounded != 1 else "a minute"
    half_hours = round(minutes / 30)
    hours, half = divmod(half_hours, 2)
    if hours == 1 and half:
        return "an hour and a half"
    if hours == 1:
        return "an hour"
    word = _NUMBERS[hours] if hours < len(_NUMBERS) else str(hours)
    return f"{word} and a half hours" if half else f"{word} hours"


def _moment(due: datetime, now: datetime, zone: ZoneInfo) -> str:
    """'14:00 today', 'tomorrow, Tuesday 09:00', 'Tuesday 14:00' within a week, else
    with the date."""
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    clock_time = f"{local:%H:%M}"
    if days <= 0:
        return f"{clock_time} today"
    if days == 1:
        return f"tomorrow, {local:%A} {clock_time}"
    if days < 7:
        return f"{local:%A} {clock_time}"
    return f"{local:%A} {local.day} {local:%B}, {clock_time}"


def promised_due(ticket: Ticket) -> datetime | None:
    """The due time we promised the customer for our next answer, if a formal policy
    applies: the first response, else the next response to their latest message."""
    row = ticket.clock
    policy = clock.cached_policy(row.sla_policy_id)
    if policy is None or not policy.formal or not ticket.is_active:
        return None
    if ticket.first_response_at is None:
        return row.first_response_due
    return row.next_response_due


def promise_sentence(ticket: Ticket, due: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    zone = customer_zone(ticket)
    local = due.astimezone(zone)
    if due - now <= SOON:
        if due <= now:
            return (f"We are running late on your request and will answer as soon as we can "
                    f"(we aimed for {local:%H:%M}, {zone.key}).")
        return (f"You will hear from us within about {_duration(due - now)}, by "
                f"{local:%H:%M} ({zone.key}).")
    return f"You will hear from us by {_moment(due, now, zone)} ({zone.key})."


def promise_text(ticket: Ticket, now: datetime | None = None) -> str | None:
    """The sentence for the ticket page, or None when we promise nothing in particular."""
    due = promised_due(ticket)
    return promise_sentence(ticket, due, now) if due is not None else None


def acknowledgement_promise(ticket: Ticket, now: datetime | None = None) -> str:
    """The acknowledgement's sentence: the formal first-response promise, else the
    general one from settings."""
    row = ticket.clock
    policy = clock.cached_policy(row.sla_policy_id)
    if policy is not None and policy.formal and row.first_response_due is not None \
            and ticket.first_response_at is None:
        return promise_sentence(ticket, row.first_response_due, now)
    return str(settings.FRONTLINE_ACK_PROMISE).strip()

"""Time on tickets and what it costs: timers, manual entries, totals per
ticket, organization and tier, and the weekly budget of developer hours.

A person has at most one running timer (a database constraint); starting one
stops the other first, so switching tickets is one click. Every entry is done
at the person's tier, which prices it (CostSettings.hourly). Only stopped time
counts in totals: a running timer is shown as running, not as cost.

A timer runs only while its ticket page is open somewhere: the page's beat keeps
it alive (`heartbeat`), and the worker stops one whose page went quiet (a crashed
browser, a laptop asleep: nothing told the server) at the last beat, not at the
moment it noticed (`stop_idle_timers`), so the reports never bill the dead time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from frontline.core.inputs import whole_number
from frontline.core.models import User
from frontline.costs.models import CostSettings, TimeEntry
from frontline.customers.models import Organization
from frontline.tickets.models import Ticket
from frontline.tickets.services.entry import EntryKind, landing
from frontline.tickets.services.events import record_event

# A manual entry longer than a working day is almost always a typo (minutes
# typed as seconds, an extra zero); split real marathons into several entries.
MAX_ENTRY_MINUTES = 24 * 60
MAX_NOTE = 500
TIERS = (1, 2, 3)
DEVELOPER_TIER = permissions.DEVELOPER_TIER
CENT = Decimal("0.01")


def duration_text(seconds: int) -> str:
    """`1 h 05 min`, `25 min`, `under a minute`: how the desk and events say a duration."""
    minutes = seconds // 60
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(CENT, ROUND_HALF_UP)


def money(seconds: int, hourly: Decimal) -> Decimal:
    return (Decimal(seconds) * hourly / 3600).quantize(CENT, ROUND_HALF_UP)


# -- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class TierCost:
    tier: int
    seconds: int
    hourly: Decimal

    @property
    def hours(self) -> Decimal:
        return hours(self.seconds)

    @property
    def cost(self) -> Decimal:
        return money(self.seconds, self.hourly)

    @property
    def duration(self) -> str:
        return duration_text(self.seconds)


@dataclass(frozen=True)
class CostSummary:
    """Time and money by tier (only tiers with time), with totals."""

    tiers: list[TierCost]
    currency: str
    # Tickets with time in the summary (for an organization; 1 or 0 for a ticket).
    tickets: int = 0
    entries: int = 0
    by_tier: dict[int, TierCost] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_tier", {tier.tier: tier for tier in self.tiers})

    @property
    def seconds(self) -> int:
        return sum(tier.seconds for tier in self.tiers)

    @property
    def hours(self) -> Decimal:
        return hours(self.seconds)

    @property
    def cost(self) -> Decimal:
        return sum((tier.cost for tier in self.tiers), Decimal("0.00"))

    @property
    def duration(self) -> str:
        return duration_text(self.seconds)


def stopped_entries() -> QuerySet[TimeEntry]:
    """Entries that count: stopped timers and manual entries."""
    return TimeEntry.objects.filter(ended_at__isnull=False)


def _summary(entries: QuerySet[TimeEntry]) -> CostSummary:
    rows = list(entries.order_by().values("tier")
                .annotate(seconds=Sum("seconds"), entries=Count("id")).order_by("tier"))
    if not rows:
        # Reading (not creating) the settings keeps a page's query count the same
        # the first time as every other time.
        currency = (CostSettings.objects.order_by("pk").values_list("currency", flat=True)
                    .first()) or CostSettings().currency
        return CostSummary(tiers=[], currency=currency)
    settings = CostSettings.current()
    tiers = [TierCost(tier=row["tier"], seconds=row["seconds"] or 0,
                      hourly=settings.hourly(row["tier"])) for row in rows]
    # Distinct tickets across tiers needs its own count (a ticket worked at two
    # tiers is one ticket).
    tickets = entries.order_by().aggregate(n=Count("ticket", distinct=True))["n"]
    return CostSummary(tiers=tiers, currency=settings.currency, tickets=tickets,
                       entries=sum(row["entries"] for row in rows))


def ticket_cost(ticket: Ticket) -> CostSummary:
    """The ticket's stopped time and its cost, per tier (CostSettings.hourly)."""
    return _summary(stopped_entries().filter(ticket=ticket))


def organization_totals(organization: Organization, start: datetime | None = None,
                        end: datetime | None = None) -> CostSummary:
    """Time and cost on the organization's tickets, work started in [start, end)."""
    entries = stopped_entries().filter(ticket__organization=organization)
    if start is not None:
        entries = entries.filter(started_at__gte=start)
    if end is not None:
        entries = entries.filter(started_at__lt=end)
    return _summary(entries)


def developer_hours(start: datetime, end: datetime) -> Decimal:
    """Hours of tier-3 (developer) time on support tickets, work started in [start, end)."""
    seconds = (stopped_entries().filter(tier=DEVELOPER_TIER, started_at__gte=start,
                                        started_at__lt=end)
               .aggregate(total=Sum("seconds"))["total"]) or 0
    return hours(seconds)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 of `moment`'s week, in the desk's time zone (settings.TIME_ZONE)."""
    local = timezone.localtime(moment)
    monday = (local - timedelta(days=local.weekday())).date()
    return timezone.make_aware(datetime.combine(monday, datetime.min.time()))


class Budget(NamedTuple):
    used: Decimal
    budget: Decimal

    @property
    def percent(self) -> int:
        return int(self.used * 100 / self.budget) if self.budget else 0

    @property
    def over(self) -> bool:
        return self.used > self.budget


# Inside read_once(): the cost settings and each week's budget, read once.
_read_once: ContextVar[dict[Any, Any] | None] = ContextVar("costs_read_once", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within this block, current_settings() and budget_this_week() read the database
    once (per week) instead of on every call: for a run that weighs many escalations
    at once (the breach scan, workflow.promises), in which no time is tracked, so the
    week's developer hours do not move."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def current_settings() -> CostSettings:
    """The desk's cost settings (CostSettings.current), once per read_once() block."""
    cache = _read_once.get()
    if cache is None:
        return CostSettings.current()
    if "settings" not in cache:
        cache["settings"] = CostSettings.current()
    found: CostSettings = cache["settings"]
    return found


def budget_this_week(now: datetime | None = None) -> Budget:
    """Developer hours used this week (Monday 00:00 local) against the weekly budget."""
    now = now or timezone.now()
    start = week_start(now)
    cache = _read_once.get()
    if cache is not None and ("budget", start) in cache:
        known: Budget = cache[("budget", start)]
        return known
    used = developer_hours(start, start + timedelta(days=7))
    budget = Budget(used=used, budget=current_settings().weekly_developer_budget_hours)
    if cache is not None:
        cache[("budget", start)] = budget
    return budget


def ticket_entries(ticket: Ticket) -> list[TimeEntry]:
    """The ticket's entries with their people, oldest first (running ones included)."""
    return list(TimeEntry.objects.filter(ticket=ticket).select_related("user")
                .order_by("started_at", "id"))


def running_timer(user: User) -> TimeEntry | None:
    return (TimeEntry.objects.filter(user=user, ended_at__isnull=True, manual=False)
            .select_related("ticket").first())


def get_entry(pk: int) -> TimeEntry:
    entry = TimeEntry.objects.select_related("ticket", "user").filter(pk=pk).first()
    if entry is None:
        raise NotFound(f"There is no time entry {pk}.")
    return entry


# -- changing ------------------------------------------------------------------


def _log(entry: TimeEntry, actor: User, at: datetime) -> None:
    detail: dict[str, Any] = ({"stopped_automatically": True} if entry.stopped_automatically
                              else {})
    record_event(entry.ticket, "time_logged", actor=actor, at=at,
                 after=duration_text(entry.seconds), seconds=entry.seconds, tier=entry.tier,
                 manual=entry.manual, entry=entry.pk, note=entry.note, **detail)


def _do_stop(entry: TimeEntry, at: datetime, *, automatically: bool = False) -> TimeEntry:
    """Stop a running timer. The caller holds the lock on the entry's user row."""
    entry.ended_at = max(at, entry.started_at)
    entry.seconds = int((entry.ended_at - entry.started_at).total_seconds())
    entry.stopped_automatically = automatically
    entry.save(update_fields=["ended_at", "seconds", "stopped_automatically"])
    _log(entry, entry.user, entry.ended_at)
    return entry


def _lock_user(user: User) -> None:
    # One running timer per person: starts and stops for one person queue up
    # here, so two clicks in two tabs cannot both pass the "is one running?"
    # check and then trip the unique constraint.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def start_timer(ticket: Ticket, user: User, at: datetime | None = None) -> TimeEntry:
    """Start `user`'s timer on `ticket`, stopping (and logging) any other timer of theirs.
    Starting the timer that already runs on this ticket changes nothing. On a merged
    ticket it runs on the one that lives on (frontline.tickets.services.entry)."""
    ticket = landing(ticket, EntryKind.TIME).ticket
    permissions.check_can_change_ticket(user, ticket)
    at = at or timezone.now()
    with transaction.atomic():
        _lock_user(user)
        running = (TimeEntry.objects.select_related("ticket", "user")
                   .filter(user=user, ended_at__isnull=True, manual=False).first())
        if running is not None:
            if running.ticket_id == ticket.pk:
                return running
            _do_stop(running, at)
        return TimeEntry.objects.create(ticket=ticket, user=user, tier=user.tier,
                                        started_at=at, heartbeat_at=at)


def stop_timer(target: User | TimeEntry, at: datetime | None = None, *,
               actor: User | None = None) -> TimeEntry | None:
    """Stop a person's running timer (given the person) or one timer (given the entry)
    and log its time on the ticket. None when the person had no timer running."""
    at = at or timezone.now()
    owner = target if isinstance(target, User) else target.user
    if actor is not None and actor.pk != owner.pk and not actor.is_admin:
        raise NotAllowed("Only its owner or an admin may stop someone's timer.")
    with transaction.atomic():
        _lock_user(owner)
        running = TimeEntry.objects.select_related("ticket", "user").filter(
            user=owner, ended_at__isnull=True, manual=False)
        if isinstance(target, TimeEntry):
            running = running.filter(pk=target.pk)
        entry = running.first()
        if entry is None:
            if isinstance(target, TimeEntry):
                raise InvalidTransition("This timer is not running any more.")
            return None
        return _do_stop(entry, at)


def stop_timers_on(ticket: Ticket, at: datetime | None = None, *,
                   user: User | None = None) -> list[TimeEntry]:
    """Stop the timers running on `ticket` (only `user`'s, given one) and log their time.

    A timer measures work on one ticket, so it ends with that work: when its owner
    sends a reply or note, leaves the ticket or signs out, and for everybody when the
    ticket is resolved or closed. Left running, it billed the minutes an agent spent
    elsewhere (issue 12: 463 s logged for 10 s of writing). The caller may hold the
    ticket's row lock; each owner's row is locked here, as start_timer does."""
    at = at or timezone.now()
    running = TimeEntry.objects.filter(ticket=ticket, ended_at__isnull=True, manual=False)
    if user is not None:
        running = running.filter(user=user)
    owners = sorted(set(running.values_list("user_id", flat=True)))
    stopped: list[TimeEntry] = []
    if not owners:
        return stopped  # the common case (no timer): one query, no savepoint
    with transaction.atomic():
        for owner_id in owners:
            _lock_user(User(pk=owner_id))
            entry = (TimeEntry.objects.select_related("ticket", "user")
                     .filter(ticket=ticket, user_id=owner_id, ended_at__isnull=True,
                             manual=False).first())
            if entry is not None:
                stopped.append(_do_stop(entry, at))
    return stopped


def idle_after() -> timedelta:
    """How long a timer runs on without a beat from its page (FRONTLINE_TIMER_IDLE_MINUTES)."""
    return timedelta(minutes=django_settings.FRONTLINE_TIMER_IDLE_MINUTES)


def heartbeat(ticket: Ticket, user: User, at: datetime | None = None) -> bool:
    """`user`'s page of `ticket` is still open: their timer on it (if one runs) lives
    on. False when none runs there (stopped meanwhile: by hand, by the sweep, from
    another tab), which the page takes as its cue to show the panel again.

    One UPDATE and no lock: a beat racing the sweep either lands first (and the
    sweep, re-reading under the owner's lock, finds the timer alive) or finds the
    timer stopped and changes nothing."""
    at = at or timezone.now()
    return TimeEntry.objects.filter(ticket=ticket, user=user, ended_at__isnull=True,
                                    manual=False).update(heartbeat_at=at) > 0


# One sweep stops at most this many timers (each in its own short transaction);
# more than that is a mass outage, and the next minute's sweep takes the rest.
SWEEP_LIMIT = 500


def _idle(cutoff: datetime) -> Q:
    # A timer from before heartbeats existed has none: its start stands in.
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)


def stop_idle_timers(now: datetime | None = None) -> list[TimeEntry]:
    """Stop every timer whose page has not beaten for idle_after(), at its last beat.

    The time after the last beat is not work anybody saw being done: billing it
    would charge the customer for a closed lid. The entry says it was stopped
    automatically, and so does its line on the timeline. Each timer is re-read
    under its owner's lock (as start_timer and stop_timer take it), so a beat or
    a stop that came in meanwhile wins."""
    now = now or timezone.now()
    cutoff = now - idle_after()
    running = TimeEntry.objects.filter(ended_at__isnull=True, manual=False)
    candidates = list(running.filter(_idle(cutoff)).order_by("heartbeat_at", "pk")
                      .values_list("pk", "user_id")[:SWEEP_LIMIT])
    stopped: list[TimeEntry] = []
    for pk, user_id in candidates:
        with transaction.atomic():
            _lock_user(User(pk=user_id))
            entry = (running.filter(_idle(cutoff), pk=pk).select_related("ticket", "user")
                     .first())
            if entry is not None:
                stopped.append(_do_stop(entry, entry.heartbeat_at or entry.started_at,
                                        automatically=True))
    return stopped


def _clean_minutes(minutes: object) -> int:
    value = whole_number(minutes)
    if value is None:
        raise InvalidInput("Give the time in whole minutes, e.g. 25.", field="minutes")
    if value < 1:
        raise InvalidInput("Log at least one minute.", field="minutes")
    if value > MAX_ENTRY_MINUTES:
        raise InvalidInput(f"One entry can be at most {MAX_ENTRY_MINUTES // 60} hours; "
                           f"split longer work into several entries.", field="minutes")
    return value


def _clean_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"The note is longer than {MAX_NOTE} characters.", field="note")
    return note


def add_entry(ticket: Ticket, user: User, minutes: int | str, note: str = "",
              at: datetime | None = None) -> TimeEntry:
    """Log `minutes` of work by `user` on `ticket` that ended at `at` (default now).
    Time logged on a merged ticket lands on the one that lives on
    (frontline.tickets.services.entry)."""
    ticket = landing(ticket, EntryKind.TIME).ticket
    permissions.check_can_change_ticket(user, ticket)
    value = _clean_minutes(minutes)
    note = _clean_note(note)
    now = timezone.now()
    ended = at or now
    if ended > now + timedelta(minutes=5):
        raise InvalidInput("Time can only be logged for work already done.", field="at")
    with transaction.atomic():
        entry = TimeEntry.objects.create(
            ticket=ticket, user=user, tier=user.tier, manual=True, note=note,
            started_at=ended - timedelta(minutes=value), ended_at=ended, seconds=value * 60)
        _log(entry, user, now)
    return entry


def _check_own(entry: TimeEntry, user: User) -> None:
    permissions.check_can_change_ticket(user, entry.ticket)
    if entry.user_id != user.pk and not user.is_admin:
        raise NotAllowed("You may change only your own time entries.")


def edit_entry(entry: TimeEntry, user: User, *, minutes: int | str | None = None,
               note: str | None = None) -> TimeEntry:
    """Correct one's own entry: its minutes (a stopped one only) and its note."""
    _check_own(entry, user)
    changes = []
    with transaction.atomic():
        entry = TimeEntry.objects.select_for_update().select_related("ticket", "user").get(
            pk=entry.pk)
        before = duration_text(entry.seconds)
        if minutes is not None:
            if entry.ended_at is None:
                raise InvalidTransition("Stop the timer before changing its time.")
            entry.seconds = _clean_minutes(minutes) * 60
            entry.ended_at = entry.started_at + timedelta(seconds=entry.seconds)
            changes += ["seconds", "ended_at"]
        if note is not None:
            entry.note = _clean_note(note)
            changes.append("note")
        if changes:
            entry.save(update_fields=changes)
            if entry.ended_at is not None:
                record_event(entry.ticket, "time_edited", actor=user, at=timezone.now(),
                             before=before, after=duration_text(entry.seconds),
                             seconds=entry.seconds, entry=entry.pk, note=entry.note)
    return entry


def delete_entry(entry: TimeEntry, user: User) -> None:
    """Remove one's own entry (a running timer is simply discarded)."""
    _check_own(entry, user)
    with transaction.atomic():
        if entry.ended_at is not None:
            record_event(entry.ticket, "time_deleted", actor=user, at=timezone.now(),
                         before=duration_text(entry.seconds), seconds=entry.seconds,
                         entry=entry.pk)
        TimeEntry.objects.filter(pk=entry.pk).delete()

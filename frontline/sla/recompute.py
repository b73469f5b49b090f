"""After a plan, policy, calendar or contract change: the due times of the active
tickets it moves, recomputed now when they are few, by the workers when many.

One process recomputes ~7,000-9,000 tickets a second (its Python is the bound:
bench/RESULTS.md, issue 11 part 2), so at a million tickets a policy edit held the
admin's request, and its transaction, for minutes. Now `follow_change` decides,
once for every change:

- The affected set fits in one chunk (FRONTLINE_SLA_RECOMPUTE_CHUNK tickets): it is
  recomputed in the change's own transaction, as before: a small desk's settings
  page shows the new due times at once.
- Larger: the set is cut into ranges of ids holding a chunk of affected tickets
  each (one window query over the affected ids), one `RecomputeRange` row per range
  is written in the change's transaction, and a task per range is queued when it
  commits (frontline.sla.tasks.recompute_range). Every worker takes them at once:
  with two workers the recompute runs at the two-process rate
  (`bench/sla.py --product`).

A range task runs `services.recompute_scope` (recompute_tickets, the one recompute;
no second implementation here) over the same scope, limited to its ids, with the
configuration as it is when the task runs: it drops the cached plans, policies
and contracts and has the calendars' rows read again first. So two changes in a
row end with the later one's due times, in whatever order their tasks run, and a
task run twice (a worker lost mid-range and the task queued again by
core.lost_tasks, a transient error, the sweep below) changes nothing the second
time: a clock already right is not written.

One race is closed here rather than left to chance: a range task of a later change
can overtake an earlier change's task on the same tickets (two workers), and the
earlier one, holding the older configuration, would then write last. A task that
finds a range of a later change started after it began runs its range again.

What is left shows on the settings pages and in the API (`tickets_left`): the
tickets of the ranges not done yet, from a partial index of a small table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.utils import timezone

from frontline.sla import businesstime, services
from frontline.sla.models import RecomputeRange
from frontline.tickets.models import Ticket

logger = logging.getLogger(__name__)

# A range overtaken by a later change runs again, at most this many times in one task
# (the later change's own ranges recompute its tickets anyway).
MAX_RUNS = 3
# A range not done this long after it was queued or last started is queued again by
# the sweep (its task was lost before it was ever queued, or failed for good).
SWEEP_AFTER = timedelta(hours=1)
# Done ranges are kept this long (what the settings pages said, for a while).
KEEP_DONE = timedelta(days=7)


@dataclass(frozen=True)
class Followed:
    """What a change's recompute did: `changed` tickets now, in the request, or
    `queued` tickets left to the workers in `ranges` range tasks."""

    changed: int = 0
    queued: int = 0
    ranges: int = 0


def chunk_size() -> int:
    return max(1, int(settings.FRONTLINE_SLA_RECOMPUTE_CHUNK))


def follow_change(scope: dict[str, int], *, at: datetime | None = None) -> Followed:
    """The due times of the active tickets in `scope` (services.affected_tickets)
    follow a change made in the caller's transaction: recomputed now when they fit in
    one chunk, else queued as range tasks when the transaction commits."""
    tickets = services.affected_tickets(scope)
    chunk = chunk_size()
    # Reads at most chunk + 1 ids: a small change costs nothing more than before.
    if not tickets.order_by("pk").values_list("pk", flat=True)[chunk:chunk + 1]:
        return Followed(changed=services.recompute_scope(scope, at=at))
    ranges = _ranges(tickets, chunk)
    now = timezone.now()
    rows = RecomputeRange.objects.bulk_create(
        RecomputeRange(scope=scope, after_id=after_id, last_id=last_id, tickets=count,
                       queued_at=now) for after_id, last_id, count in ranges)
    ids = [row.pk for row in rows]
    total = sum(count for _, _, count in ranges)
    transaction.on_commit(lambda: enqueue(ids))
    logger.info("SLA recompute of %s active tickets (%s) queued in %s ranges of about %s",
                total, scope or "all", len(ids), chunk)
    return Followed(queued=total, ranges=len(ids))


def _ranges(tickets: QuerySet[Ticket], chunk: int) -> list[tuple[int, int, int]]:
    """(after id, last id, tickets) of consecutive ranges holding `chunk` affected
    tickets each (the last one up to 1.5 chunks), in one statement: every chunk-th
    id by a window over the affected ids (SQLite >= 3.25 and PostgreSQL alike)."""
    sql, params = tickets.order_by().values(ticket=F("pk")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n, id, total FROM (SELECT s.ticket AS id, "
            "ROW_NUMBER() OVER (ORDER BY s.ticket) AS n, COUNT(*) OVER () AS total "
            f"FROM ({sql}) s) w "
            "WHERE n %% %s = 0 OR n = total ORDER BY n", (*params, chunk))
        marks = cursor.fetchall()
    ranges: list[tuple[int, int, int]] = []
    after_id, counted = 0, 0
    for n, last_id, total in marks:
        if n != total and total - n < chunk // 2:
            continue  # a short tail joins the range before it
        ranges.append((after_id, last_id, n - counted))
        after_id, counted = last_id, n
    return ranges


def enqueue(range_ids: list[int]) -> None:
    """Queue a task per range. A failure is logged only: the sweep finds the rows."""
    from frontline.sla.tasks import recompute_range

    for range_id in range_ids:
        try:
            recompute_range.enqueue(range_id)
        except Exception:
            logger.exception("Could not queue SLA recompute range %s; the sweep will",
                             range_id)


def run_range(range_id: int, *, at: datetime | None = None) -> int:
    """Recompute one range with the configuration as it is now; returns how many
    tickets changed. A range already done (its task ran twice) is skipped."""
    row = RecomputeRange.objects.filter(pk=range_id).first()
    if row is None or row.done_at is not None:
        return 0
    changed = 0
    for _ in range(MAX_RUNS):
        started = timezone.now()
        RecomputeRange.objects.filter(pk=row.pk).update(started_at=started)
        # The configuration as it is now, not as this process cached it
        # (recompute_scope drops the cached plans, policies and contracts).
        businesstime.recheck_cache()
        changed += services.recompute_scope(row.scope, after_id=row.after_id,
                                            last_id=row.last_id, at=at)
        if not _overtaken(row, started):
            break
    RecomputeRange.objects.filter(pk=row.pk).update(done_at=timezone.now())
    return changed


def _overtaken(row: RecomputeRange, started: datetime) -> bool:
    """Whether a range of a later change over some of the same ids started after this
    run did (it may have written the newer due times before this run wrote the older
    ones). Scopes are not compared (an organization's tickets are on some plan): at
    worst a range runs once more than it had to."""
    return RecomputeRange.objects.filter(
        queued_at__gt=row.queued_at, started_at__gt=started,
        after_id__lt=row.last_id, last_id__gt=row.after_id).exists()


@dataclass(frozen=True)
class Left:
    """What the workers still owe: `tickets` in `ranges`, queued since `since`."""

    tickets: int
    ranges: int
    since: datetime | None


def left() -> Left:
    """The ranges not done yet (an index range over a partial index)."""
    found = RecomputeRange.objects.filter(done_at__isnull=True).aggregate(
        tickets=Sum("tickets"), ranges=Count("pk"), since=Min("queued_at"))
    return Left(tickets=found["tickets"] or 0, ranges=found["ranges"] or 0,
                since=found["since"])


def describe_left(found: Left | None = None) -> str:
    """ "Recomputing the promises of 240,000 open tickets (12 ranges left)." or ""."""
    found = found if found is not None else left()
    if not found.ranges:
        return ""
    return (f"Recomputing the promises of {found.tickets:,} open ticket"
            f"{'' if found.tickets == 1 else 's'} after a plan, policy, calendar or "
            f"contract change ({found.ranges} range{'' if found.ranges == 1 else 's'} "
            "left); their due times follow within minutes.")


def sweep(now: datetime | None = None) -> dict[str, Any]:
    """Queue again the ranges whose task was never queued or failed for good, and
    forget ranges done long ago."""
    now = now or timezone.now()
    stale = now - SWEEP_AFTER
    lost = list(RecomputeRange.objects.filter(done_at__isnull=True, queued_at__lt=stale)
                .filter(Q(started_at__isnull=True) | Q(started_at__lt=stale))
                .values_list("pk", flat=True)[:1000])
    if lost:
        logger.warning("Queueing %s SLA recompute ranges again", len(lost))
        # Not again before SWEEP_AFTER (a backlog may hold the first task still);
        # queued_at stays: it orders the changes (_overtaken).
        RecomputeRange.objects.filter(pk__in=lost).update(started_at=now)
        enqueue(lost)
    forgotten, _ = RecomputeRange.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    return {"requeued": len(lost), "forgotten": forgotten}

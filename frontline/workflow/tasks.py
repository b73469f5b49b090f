"""Periodic jobs whose work spans apps. Thin: each calls the workflow."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import lost_tasks, scheduler
from frontline.intake import reading
from frontline.workflow import problems, promises, resolution


@task()
def close_quiet_resolved() -> dict[str, int]:
    """Remind, then close, resolved tickets the customer has left unanswered."""
    return resolution.close_quiet_resolved()


@task()
def scan_due() -> dict[str, int]:
    """Warnings and breaches whose moment has come, with the policies' actions.
    A backlog (its first batch full) is shared with the other live workers."""
    return promises.scan_due(spread=_share_scan)


@task()
def scan_due_share() -> dict[str, int]:
    """Another worker's share of a scan over a backlog: batches beside the first."""
    return promises.scan_due()


# However many workers run, a scan is shared by at most this many more.
MAX_SCAN_SHARES = 7


def _share_scan() -> None:
    for _ in range(min(lost_tasks.live_workers() - 1, MAX_SCAN_SHARES)):
        scan_due_share.enqueue()


@task()
def read_pending() -> dict[str, int]:
    """The facts of messages the batched import queued (frontline.intake.reading)."""
    return {"read": reading.read_pending()}


# Reminders and closures are counted in days; a quarter-hour is prompt enough
# and keeps the job's queries rare. (The job names are kept from when these
# lived in the tickets and sla apps: they are rows in core's PeriodicJob table.)
scheduler.register("tickets.close_quiet_resolved", timedelta(minutes=15), close_quiet_resolved)
# A warning is worth most when it comes early: every minute keeps a two-hour
# promise's 75 % warning within a minute of its moment, and the query is one
# index range (bench/sla.py), so running it often costs little.
scheduler.register("sla.scan_due", timedelta(minutes=1), scan_due)
# An import of 50,000 mails queues as many messages; up to 3,000 a minute per worker read
# them within minutes; each chunk of 200 holds its tickets' locks for under a second.
scheduler.register("intake.read_pending", timedelta(minutes=1), read_pending)


@task()
def release_fixes() -> dict[str, int]:
    """Tell the customers of fixed problems whose version has shipped (workflow.problems)."""
    return problems.release_due_fixes()


# A version's release is a date: hourly tells customers on the morning it ships.
scheduler.register("problems.release_fixes", timedelta(hours=1), release_fixes)

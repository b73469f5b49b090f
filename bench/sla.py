"""SLA benchmark: the warning/breach scan and the bulk recompute at a million open tickets.

    python -m bench.sla --database-url sqlite:////tmp/fl_bench_sla/frontline.sqlite3
    python -m bench.sla --database-url postgres://postgres@127.0.0.1:5432/fl_bench_sla
        [--tickets 1000000] [--reseed] [--repeat 5]

It migrates, then (unless the database already holds the tickets) writes plans
with SLA policies (Standard on a Berlin office calendar with German holidays,
Premium around the clock, an urgent policy), organizations, contacts and N open
tickets created over the last 30 days, with bulk SQL (executemany on SQLite,
COPY on PostgreSQL; secondary indexes of the ticket table dropped during the
load and rebuilt after, as bench/seed.py does).

Then it times:
- recompute: frontline.sla.services.recompute_tickets over every open ticket
  (rows read in bulk, due times computed with BusinessHours, executemany
  updates) - the path a policy change takes; target > 10,000 tickets/s;
- the scan query: frontline.sla.services.due_ticket_ids(now, 500), the query the
  worker runs every minute, with its plan (EXPLAIN); target < 2 s;
- the scan itself over the backlog (--scan-limit tickets, the oldest due first:
  breaches found too late to act on), then over tickets breached within the
  action window (their policy's actions run); target > 1,000 tickets/s.

With --product it times the product's own path instead (and only that): an admin's
change of the Standard policy (every target a minute longer or shorter) through
frontline.sla.policies.update_policy, which commits at once and queues range tasks
(frontline.sla.recompute), then --product-workers real `frontline worker` processes
(started and idle before the change) until every range is done -> tickets/s from
the commit to the last range done:

    python -m bench.sla --database-url postgres://postgres@127.0.0.1:5432/fl_bench_sla \
        --tickets 200000 --product [--product-workers 2]

With --fresh-workers N the fresh breaches go through the product's path instead of
batches in this process: the other due tickets are set aside (checked a month from
now), the periodic task `frontline.workflow.tasks.scan_due` is queued, and N real
`frontline worker` processes run it and the shares it queues for the other live
workers, timed from the first task's start to the last one's finish.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.seed import Loader, Phases, _ensure_postgres_database, _stamp

ORGANIZATIONS = 200
CONTACTS = 5000
BATCH = 50_000


def _environment(url: str) -> None:
    os.environ["FRONTLINE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    if url.startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(url, reset=False)
    elif url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite://")) or ".", exist_ok=True)


def _reference_data() -> dict[str, Any]:
    from datetime import time as clock_time

    from frontline.customers.models import Contact, ContactEmail, Organization, Plan
    from frontline.routing.models import Team
    from frontline.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval

    office = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin",
                                             holiday_country="DE", holiday_subdivision="BE")
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=office, weekday=day, start=clock_time(9), end=clock_time(17))
        for day in range(5))
    standard = Plan.objects.create(name="Standard", slug="standard", is_default=True, rank=1)
    premium = Plan.objects.create(name="Premium", slug="premium", rank=2)
    tier2 = Team.objects.create(name="Specialists", tier=2)
    SlaPolicy.objects.create(plan=standard, calendar=office, first_response_minutes=8 * 60,
                             next_response_minutes=16 * 60, resolution_minutes=40 * 60)
    SlaPolicy.objects.create(plan=premium, first_response_minutes=120,
                             next_response_minutes=240, resolution_minutes=24 * 60,
                             raise_priority=True, move_to_tier=2, move_to_team=tier2)
    SlaPolicy.objects.create(plan=premium, priority=4, first_response_minutes=30,
                             next_response_minutes=60, resolution_minutes=8 * 60)
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Customer {i}", plan=premium if i % 4 == 0 else standard)
        for i in range(ORGANIZATIONS))
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Contact {i}", organization=organizations[i % ORGANIZATIONS],
                timezone="Europe/Berlin") for i in range(CONTACTS))
    ContactEmail.objects.bulk_create(
        ContactEmail(contact=c, address=f"c{c.pk}@bench.example", is_primary=True)
        for c in contacts)
    return {"contacts": [(c.pk, c.organization_id) for c in contacts]}


COLUMNS = ("id", "subject", "status", "priority", "tier", "channel", "created_at",
           "updated_at", "last_customer_message_at", "first_response_at",
           "last_agent_message_at", "requester_id", "organization_id")


def _seed(tickets: int, phases: Phases) -> None:
    from django.db import connection

    from frontline.tickets.models import Ticket

    phases.start("reference data")
    data = _reference_data()
    phases.done()
    loader = Loader()
    on_tickets = re.compile(r'\sON\s+(?:\w+\.)?"?tickets_ticket"?\s')
    indexes = [(name, sql) for name, sql in loader.secondary_indexes()
               if on_tickets.search(sql)]
    phases.start(f"tickets ({tickets:,}, {len(indexes)} secondary indexes dropped)")
    for name, _ in indexes:
        loader.execute(f'DROP INDEX "{name}"')
    loader.prepare()
    rng = random.Random(2024)
    now = time.time()
    start_id = 10001
    contacts = data["contacts"]
    written = 0
    while written < tickets:
        rows = []
        for i in range(written, min(tickets, written + BATCH)):
            contact, organization = contacts[rng.randrange(len(contacts))]
            created = now - rng.random() * 30 * 86400
            answered = rng.random() < 0.5
            first = created + rng.random() * 7200 if answered else None
            customer = (first + rng.random() * 86400 if answered and rng.random() < 0.5
                        else created)
            rows.append((
                start_id + i, f"Bench ticket {i}", "open" if answered else "new",
                rng.choice((1, 2, 2, 2, 3, 4)), 1, "email", _stamp(created),
                _stamp(max(created, customer)), _stamp(customer),
                _stamp(first) if first else None, _stamp(first) if first else None,
                contact, organization))
        loader.insert("tickets_ticket", COLUMNS, rows)
        # Each ticket's clock row, blank: the first recompute fills it.
        loader.insert("tickets_ticketclock", ("ticket_id",), [(row[0],) for row in rows])
        written += len(rows)
        print(f"   {written:>9,} tickets", flush=True)
    loader.finish()
    phases.done()
    phases.start("indexes")
    for _, sql in indexes:
        loader.execute(sql)
    if connection.vendor == "postgresql":
        loader.execute(f"SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                       f"{start_id + tickets})")
        loader.execute("ANALYZE tickets_ticket")
        loader.execute("ANALYZE tickets_ticketclock")
    else:
        loader.execute("ANALYZE")
    phases.done()
    assert Ticket.objects.count() >= tickets


def _explain(sql: str, params: Any) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join("   " + " ".join(str(part) for part in row) for row in
                         cursor.fetchall())


def _recompute_range(now: datetime, low: int, high: int) -> int:
    from frontline.sla import services as sla
    from frontline.tickets.models import ACTIVE_STATUSES, Ticket

    return sla.recompute_tickets(
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, pk__gte=low, pk__lt=high), at=now,
        record_plan_changes=False)


def _recompute(now: datetime, workers: int) -> int:
    """recompute_tickets over every open ticket, in `workers` processes over id ranges."""
    from django.db import connections
    from django.db.models import Max, Min

    from frontline.tickets.models import Ticket

    bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"] + 1
    if workers <= 1:
        return _recompute_range(now, low, high)
    step = (high - low) // workers + 1
    ranges = [(now, low + i * step, min(high, low + (i + 1) * step)) for i in range(workers)]
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.starmap(_recompute_range, ranges))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _workers(url: str, workers: int, log_dir: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`workers` real `frontline worker` processes (no periodic jobs), idle when the
    block starts, stopped with SIGTERM when it ends."""
    from frontline.core.models import WorkerHeartbeat

    os.makedirs(log_dir, exist_ok=True)
    frontline = os.path.join(os.path.dirname(sys.executable), "frontline")
    env = {**os.environ, "FRONTLINE_DATABASE_URL": url}
    beating = WorkerHeartbeat.objects.count()
    processes = []
    for slot in range(workers):
        log = open(os.path.join(log_dir, f"sla-worker-{slot}.log"), "ab")  # noqa: SIM115
        processes.append(subprocess.Popen(
            [frontline, "worker", "--no-periodic", "--interval", "0.2"], env=env, stdout=log,
            stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        while WorkerHeartbeat.objects.count() < beating + workers:
            if time.monotonic() > deadline:
                raise SystemExit(f"The workers did not start; see {log_dir}/sla-worker-*.log")
            time.sleep(0.2)
        print(f"   {workers} workers idle; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        yield processes
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def _product(url: str, workers: int, log_dir: str) -> None:
    """The product's path: an admin's policy change, then real worker processes until
    every range task it queued is done (see the module docstring)."""
    from django.db.models import Max, Min, Sum
    from django_tasks_db.models import DBTaskResult

    from frontline.core.models import Role, User
    from frontline.sla import policies, recompute, services
    from frontline.sla.models import RecomputeRange, SlaPolicy

    admin, _ = User.objects.get_or_create(username="bench-sla-admin",
                                          defaults={"role": Role.ADMIN})
    policy = SlaPolicy.objects.get(plan__slug="standard", priority=None)
    step = 1 if (policy.resolution_minutes or 0) % 2 == 0 else -1
    changes = {field: getattr(policy, field) + step for field in (
        "first_response_minutes", "next_response_minutes", "resolution_minutes")}
    RecomputeRange.objects.filter(done_at__isnull=False).delete()
    if recompute.left().ranges:
        raise SystemExit("Ranges of an earlier run are left: let a worker finish them.")
    with _workers(url, workers, log_dir) as processes:
        cpu_before = sum(_cpu_seconds(process.pid) for process in processes)
        started = time.perf_counter()
        policies.update_policy(admin, policy, **changes)  # commits, then queues the ranges
        committed = time.perf_counter()
        left = recompute.left()
        print(f"   change committed in {committed - started:.2f}s: {left.tickets:,} tickets "
              f"in {left.ranges} ranges queued", flush=True)
        while recompute.left().ranges:
            time.sleep(0.1)
        done = time.perf_counter()
        worker_cpu = sum(_cpu_seconds(process.pid) for process in processes) - cpu_before
    ranges = RecomputeRange.objects.all()
    queued = ranges.aggregate(Min("queued_at"))["queued_at__min"]
    if queued is None:
        print("   nothing queued: the change recomputed its tickets in the request "
              "(they fit in FRONTLINE_SLA_RECOMPUTE_CHUNK)", flush=True)
        return
    tasks = DBTaskResult.objects.filter(task_path="frontline.sla.tasks.recompute_range",
                                        enqueued_at__gte=queued)
    changed = sum(value or 0 for value in tasks.values_list("return_value", flat=True))
    spans = ranges.aggregate(first=Min("started_at"), last=Max("done_at"),
                             tickets=Sum("tickets"))
    per_worker: dict[str, int] = {}
    for ids in tasks.values_list("worker_ids", flat=True):
        per_worker[ids[-1][:8]] = per_worker.get(ids[-1][:8], 0) + 1
    elapsed = done - started
    print(f"   product path: {changed:,} tickets changed ({spans['tickets']:,} in the ranges) "
          f"in {elapsed:.1f}s from the change to the last range done = "
          f"{changed / elapsed:,.0f} tickets/s ({workers} workers; ranges per worker "
          f"{sorted(per_worker.values())}; first range started "
          f"{(spans['first'] - queued).total_seconds():.2f}s "
          f"after the commit); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    print(f"   the workers' CPU: {worker_cpu:.1f}s = {changed / max(worker_cpu, 1e-9):,.0f} "
          f"tickets per worker CPU second", flush=True)
    # Every clock right? The same recompute once more, in this process, changes none.
    again = services.recompute_scope(services.policy_scope(policy))
    print(f"   check: a second recompute of the policy's tickets changed {again:,} "
          f"({'every clock was right' if again == 0 else 'NOT RIGHT'})", flush=True)
    if again:
        raise SystemExit(1)


def _scan_fresh(now: datetime, limit: int) -> None:
    """The scan's batches over tickets breached within the action window: events,
    measurements, notifications and the policy's actions (priority up, tier 2 and
    its team, escalated, handed over), as after a worker was down for a few hours."""
    from django.conf import settings
    from django.db import transaction

    from frontline.sla import services as sla
    from frontline.tickets.models import Event, Ticket, TicketClock
    from frontline.workflow import promises

    window = timedelta(hours=settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS)
    ids = list(TicketClock.objects.filter(sla_check_at__lte=now, sla_check_at__gt=now - window)
               .order_by("sla_check_at").values_list("ticket_id", flat=True)[:limit])
    events_before = Event.objects.count()
    started, cpu = time.perf_counter(), time.process_time()
    counts = {"checked": 0, "warnings": 0, "breaches": 0}
    for first in range(0, len(ids), sla.SCAN_BATCH):
        with transaction.atomic():
            tickets = list(Ticket.objects.select_for_update(of=("self", "clock"))
                           .filter(pk__in=ids[first:first + sla.SCAN_BATCH],
                                   clock__isnull=False)
                           .select_related("clock", "assignee", "team__lead").order_by("pk"))
            warnings, breaches = promises.check_tickets(tickets, now)
        counts["checked"] += len(tickets)
        counts["warnings"] += warnings
        counts["breaches"] += breaches
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    acted = Event.objects.filter(kind="escalated", at=now).count()
    print(f"   scan of fresh breaches: {counts} ({acted:,} escalated, "
          f"{Event.objects.count() - events_before:,} events) in {elapsed:.2f}s = "
          f"{counts['checked'] / max(elapsed, 1e-9):,.0f} tickets/s (client CPU {cpu:.2f}s)",
          flush=True)


def _scan_fresh_product(url: str, now: datetime, limit: int, workers: int,
                        log_dir: str) -> None:
    """The product's scan over fresh breaches: the periodic task `scan_due` queued,
    as the scheduler queues it, and `workers` real worker processes running it and
    the shares it queues for the other live workers (frontline.workflow.tasks). The
    other tickets due are set aside first (checked a month from now), so the scan
    meets the `limit` tickets breached within the action window and nothing else."""
    from django.conf import settings
    from django.db.models import Max, Min
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from frontline.tickets.models import Event, TicketClock
    from frontline.workflow import tasks

    window = timedelta(hours=settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS)
    ids = list(TicketClock.objects.filter(sla_check_at__lte=now, sla_check_at__gt=now - window)
               .order_by("sla_check_at").values_list("ticket_id", flat=True)[:limit])
    aside = (TicketClock.objects.filter(sla_check_at__lte=now + timedelta(days=1))
             .exclude(ticket_id__in=ids).update(sla_check_at=now + timedelta(days=30)))
    print(f"   {len(ids):,} fresh breaches due; {aside:,} other due tickets set aside",
          flush=True)
    paths = ("frontline.workflow.tasks.scan_due", "frontline.workflow.tasks.scan_due_share")
    events_before = Event.objects.count()
    with _workers(url, workers, log_dir) as processes:
        cpu_before = sum(_cpu_seconds(process.pid) for process in processes)
        started = time.perf_counter()
        queued = tasks.scan_due.enqueue()
        runs = DBTaskResult.objects.filter(task_path__in=paths,
                                           enqueued_at__gte=DBTaskResult.objects.get(
                                               pk=queued.id).enqueued_at)
        while runs.filter(status__in=(TaskResultStatus.READY,
                                      TaskResultStatus.RUNNING)).exists() or not runs.filter(
                status=TaskResultStatus.SUCCESSFUL).exists():
            time.sleep(0.05)
        done = time.perf_counter()
        worker_cpu = sum(_cpu_seconds(process.pid) for process in processes) - cpu_before
    failed = runs.exclude(status=TaskResultStatus.SUCCESSFUL).count()
    counts = {"checked": 0, "warnings": 0, "breaches": 0}
    per_run = []
    for value in runs.order_by("enqueued_at").values_list("return_value", flat=True):
        per_run.append((value or {}).get("checked", 0))
        for key in counts:
            counts[key] += (value or {}).get(key, 0)
    span = runs.aggregate(first=Min("started_at"), last=Max("finished_at"))
    worked = (span["last"] - span["first"]).total_seconds()
    left = TicketClock.objects.filter(ticket_id__in=ids, sla_check_at__lte=now).count()
    acted = Event.objects.filter(kind="escalated", ticket_id__in=ids).count()
    print(f"   product scan of fresh breaches ({workers} workers): {counts} in {len(per_run)} "
          f"task(s) checking {per_run} ({acted:,} escalated, "
          f"{Event.objects.count() - events_before:,} events); from the first start to the "
          f"last finish {worked:.2f}s = {counts['checked'] / max(worked, 1e-9):,.0f} "
          f"tickets/s; from queueing to seen done {done - started:.2f}s; workers' CPU "
          f"{worker_cpu:.2f}s; {left} left due; {failed} task(s) not successful", flush=True)
    if left or failed:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sla", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true", help="seed even if tickets exist")
    parser.add_argument("--repeat", type=int, default=5, help="times each scan query runs")
    parser.add_argument("--no-recompute", action="store_true")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes for the recompute (default 1)")
    parser.add_argument("--scan-limit", type=int, default=5000,
                        help="tickets the timed scans check (default 5,000)")
    parser.add_argument("--fresh-limit", type=int, default=1000,
                        help="tickets breached within the action window the last scan "
                             "checks (default 1,000)")
    parser.add_argument("--fresh-workers", type=int, default=0,
                        help="time the fresh breaches through the product's periodic task "
                             "and N real workers instead (frontline.workflow.tasks.scan_due)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the scans with pyinstrument")
    parser.add_argument("--product", action="store_true",
                        help="time the product's path only: a policy change, then real "
                             "workers running its range tasks")
    parser.add_argument("--product-workers", type=int, default=2,
                        help="`frontline worker` processes for --product (default 2)")
    parser.add_argument("--log-dir", default="/tmp",
                        help="where --product's workers log (default /tmp)")
    args = parser.parse_args(argv)
    _environment(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from frontline.sla import clock
    from frontline.sla import services as sla
    from frontline.tickets.models import Ticket, TicketClock
    from frontline.workflow import promises

    phases = Phases()
    phases.start("migrate")
    call_command("migrate", verbosity=0)
    phases.done()
    have = Ticket.objects.count()
    if have < args.tickets or args.reseed:
        if have:
            raise SystemExit(f"The database holds {have:,} tickets, not {args.tickets:,}: "
                             "use an empty database.")
        _seed(args.tickets, phases)
    else:
        print(f"-- reusing {have:,} tickets", flush=True)
    print(f"   engine: {connection.vendor}; load average: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)

    if args.product:
        phases.start("product path (a policy change, range tasks, real workers)")
        _product(args.database_url, args.product_workers, args.log_dir)
        phases.done()
        print(f"-- total {phases.total():.1f}s (finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
        return 0
    now = timezone.now()
    if not args.no_recompute:
        phases.start("recompute (every open ticket)")
        # A policy change, as an admin makes it: every target one minute longer (or
        # shorter, on the next run), so every open ticket's due times move and each
        # row is really recomputed and written.
        from frontline.sla.models import SlaPolicy

        for policy in SlaPolicy.objects.all():
            step = 1 if (policy.resolution_minutes or 0) % 2 == 0 else -1
            for field in ("first_response_minutes", "next_response_minutes",
                          "resolution_minutes"):
                setattr(policy, field, getattr(policy, field) + step)
            policy.save()
        clock.clear_cache()
        started, cpu = time.perf_counter(), time.process_time()
        changed = _recompute(now, args.workers)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        phases.done(f"{changed:,} tickets in {elapsed:.1f}s = {changed / elapsed:,.0f} "
                    f"tickets/s ({args.workers} process{'es' if args.workers > 1 else ''}; "
                    f"this process's CPU {cpu:.1f}s = {changed / max(cpu, 1e-9):,.0f} "
                    f"tickets per CPU second)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE tickets_ticket")
                cursor.execute("ANALYZE tickets_ticketclock")

    query = TicketClock.objects.filter(sla_check_at__lte=now).order_by(
        "sla_check_at").values_list("ticket_id", flat=True)[:sla.SCAN_BATCH]
    sql, params = query.query.sql_with_params()
    print(f"-- scan query: {sql}\n   plan:\n{_explain(sql, params)}", flush=True)
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        ids = sla.due_ticket_ids(now, sla.SCAN_BATCH)
        timings.append(time.perf_counter() - started)
    due_total = TicketClock.objects.filter(sla_check_at__lte=now).count()
    pending_total = TicketClock.objects.filter(sla_check_at__isnull=False).count()
    print(f"   scan query: {len(ids)} ids of {due_total:,} due ({pending_total:,} with a "
          f"check time); median {statistics.median(timings) * 1000:.1f} ms, max "
          f"{max(timings) * 1000:.1f} ms over {args.repeat} runs", flush=True)
    soon = now + timedelta(minutes=1)
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started, cpu = time.perf_counter(), time.process_time()
    counts = promises.scan_due(soon, limit=args.scan_limit)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"   scan over the backlog: {counts} in {elapsed:.2f}s = "
          f"{counts['checked'] / elapsed:,.0f} tickets/s (client CPU {cpu:.2f}s; "
          f"events, measurements and the clock; breaches this old are recorded, not "
          f"acted on)", flush=True)
    if args.fresh_workers:
        _scan_fresh_product(args.database_url, timezone.now(), args.fresh_limit,
                            args.fresh_workers, args.log_dir)
    else:
        _scan_fresh(soon, args.fresh_limit)
    if args.profile:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False), flush=True)
    print(f"-- total {phases.total():.1f}s (finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

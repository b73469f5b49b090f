"""Similar tickets and detection (issue 10, part 2) on a seeded database.

    python -m bench.seed --tickets 100000 --data-dir /tmp/fl-sim/sqlite --reset --no-search
    python -m bench.similar --data-dir /tmp/fl-sim/sqlite
    python -m bench.similar --data-dir /tmp/fl-sim/pg \
        --database-url postgres://postgres@127.0.0.1:5432/fl_sim_100k

It migrates, then builds the signature of every ticket that has none and runs
detection over them (frontline.insights.detection.run, as `frontline insights
refresh` does), timed: the backfill rate. Then it times:

- the lookup: frontline.insights.similarity.similar_tickets(ticket, limit=5) for
  `--lookups` random tickets after `--warmup` others (p50, p95, max);
- detection per new ticket: `--new` tickets opened through the workflow (text
  copied from random existing tickets, random requesters, now), then
  detection.detect_ticket for each, timed apart from the opening (p50, p95);
- memory: the process's peak resident size, and the insights tables' row counts.

The new tickets stay in the database (it is a benchmark's copy).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _ms(values: list[float]) -> str:
    return (f"p50 {statistics.median(values) * 1000:.1f} ms, p95 "
            f"{_percentile(values, 0.95) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--database-url")
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["FRONTLINE_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from frontline import workflow
    from frontline.customers.models import ContactEmail
    from frontline.insights import detection
    from frontline.insights.models import Alert, TermStat, TicketSignature, TicketTerm
    from frontline.insights.similarity import similar_tickets
    from frontline.tickets.models import Message, Ticket

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    tickets = Ticket.objects.count()
    print(f"{connection.vendor}: {tickets:,} tickets")

    started = time.perf_counter()
    built = detection.run(limit=None, everything=True)
    elapsed = time.perf_counter() - started
    if built.signatures:
        print(f"backfill: {built.signatures:,} signatures in {elapsed:.1f} s "
              f"({built.signatures / elapsed:,.0f} tickets/s), {built.groups:,} groups, "
              f"{len(built.raised)} alerts raised, {built.joined} joined")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE insights_ticketterm; ANALYZE insights_termstat; "
                           "ANALYZE insights_ticketsignature")

    ids = list(Ticket.objects.filter(merged_into__isnull=True).values_list("pk", flat=True))
    sample = rng.sample(ids, args.warmup + args.lookups)
    times, found = [], 0
    for n, pk in enumerate(sample):
        ticket = Ticket.objects.get(pk=pk)
        begin = time.perf_counter()
        result = similar_tickets(ticket, limit=5)
        if n >= args.warmup:
            times.append(time.perf_counter() - begin)
            found += len(result)
    print(f"similar_tickets (limit 5), {args.lookups} random tickets: {_ms(times)}; "
          f"{found / args.lookups:.1f} found per ticket")

    addresses = list(ContactEmail.objects.values_list("address", flat=True)[:5000])
    texts = []
    for pk in rng.sample(ids, args.new):
        ticket = Ticket.objects.get(pk=pk)
        first = Message.objects.filter(ticket=ticket).order_by("id").first()
        texts.append((ticket.subject, first.body if first else ticket.subject))
    detect_times = []
    for subject, body in texts:
        new = workflow.open_ticket(requester_email=rng.choice(addresses), subject=subject,
                                   body=body)
        begin = time.perf_counter()
        detection.detect_ticket(new.pk)
        detect_times.append(time.perf_counter() - begin)
    print(f"detection per new ticket (signature + grouping), {args.new} tickets: "
          f"{_ms(detect_times)}")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:,.0f} MB")
    print(f"rows: {TicketSignature.objects.count():,} signatures, "
          f"{TicketTerm.objects.count():,} ticket terms, {TermStat.objects.count():,} terms, "
          f"{Alert.objects.count():,} alerts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

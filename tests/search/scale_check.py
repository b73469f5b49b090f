"""Search at scale: seed N tickets x 4 messages with SQL, reindex, time queries.

Not a test (pytest does not collect it). Run against a scratch database:

    FRONTLINE_DATA_DIR=/tmp/fl-search .venv/bin/python tests/search/scale_check.py 50000
    FRONTLINE_DATA_DIR=/tmp/fl-search \
      FRONTLINE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fl_search_scale \
      .venv/bin/python tests/search/scale_check.py 50000

It wipes the tickets and contacts of that database. Message text is drawn
from a 500-word vocabulary with a skewed (cubic) distribution, so word 0
("the") is in almost every message, "error" in most, word 400 in about 2%,
plus one unique word per message (zq<id>) for the rare case.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import django

COMMON = [
    "the", "error", "please", "login", "export", "server", "page", "customer", "update",
    "timeout", "database", "install", "license", "password", "report", "invoice", "network",
    "upgrade", "backup", "certificate", "proxy", "printer", "sync", "crash", "memory",
]
VOCABULARY = COMMON + [f"word{n}" for n in range(500 - len(COMMON))]
SLOTS = 30


def seed(tickets: int) -> None:
    from django.db import connection, transaction

    vendor = connection.vendor
    contacts = max(tickets // 20, 10)
    # A deterministic hash of (row, slot) in [0, 1), cubed for a skewed pick.
    pick = "(((n.n * 2654435761 + s.k * 40503) % 1000003) / 1000003.0)"
    index = f"CAST(500 * {pick} * {pick} * {pick} AS INTEGER)"
    if vendor == "postgresql":
        series = "generate_series(1, {count}) AS n(n)"
        slots = f"generate_series(1, {SLOTS}) AS s(k)"
        concat = "string_agg(v.w, ' ' ORDER BY s.k)"
        now = "now()"
        index = f"FLOOR(500 * {pick} * {pick} * {pick})::int"
    else:
        series = ("(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                  "WHERE n < {count}) SELECT n FROM c) AS n")
        slots = ("(WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c "
                 f"WHERE k < {SLOTS}) SELECT k FROM c) AS s")
        concat = "group_concat(v.w, ' ')"
        now = "CURRENT_TIMESTAMP"
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("search_vocabulary",):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("CREATE TABLE search_vocabulary (i integer PRIMARY KEY, w text)")
        for i, word in enumerate(VOCABULARY):
            cursor.execute("INSERT INTO search_vocabulary VALUES (%s, %s)", [i, word])
        for table in ("tickets_message", "tickets_event", "tickets_ticket",
                      "customers_contactemail", "customers_contact"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"""INSERT INTO customers_contact (id, name, phone, timezone, language, created_at)
                SELECT n.n, 'Contact ' || n.n, '', 'UTC', 'en', {now}
                FROM {series.format(count=contacts)}""")
        cursor.execute(
            f"""INSERT INTO customers_contactemail (contact_id, address, is_primary)
                SELECT n.n, 'contact' || n.n || '@scale.example', TRUE
                FROM {series.format(count=contacts)}""")
        cursor.execute(
            f"""INSERT INTO tickets_ticket (id, subject, status, priority, tier, requester_id,
                    channel, created_at, updated_at)
                SELECT 10000 + n.n,
                       (SELECT {concat} FROM {slots.replace(str(SLOTS), '6')}
                        JOIN search_vocabulary v ON v.i = {index}),
                       'open', 2, 1 + n.n % 3, 1 + n.n % {contacts}, 'email', {now}, {now}
                FROM {series.format(count=tickets)}""")
        cursor.execute(
            f"""INSERT INTO tickets_message (id, ticket_id, kind, channel, body, created_at)
                SELECT n.n, 10001 + (n.n - 1) / 4, 'inbound', 'email',
                       (SELECT {concat} FROM {slots} JOIN search_vocabulary v ON v.i = {index})
                       || ' zq' || n.n,
                       {now}
                FROM {series.format(count=tickets * 4)}""")
        cursor.execute("DROP TABLE search_vocabulary")
        if vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                           "(SELECT MAX(id) FROM tickets_ticket))")
            cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_message', 'id'), "
                           "(SELECT MAX(id) FROM tickets_message))")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from frontline.core.models import Role, User
    from frontline.search import services

    tickets = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(tickets)
    print(f"{connection.vendor}: seeded {tickets} tickets, {tickets * 4} messages "
          f"in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    indexed = services.reindex()
    print(f"reindex: {indexed} documents in {time.perf_counter() - started:.1f}s")

    admin, _ = User.objects.get_or_create(username="scale-admin",
                                          defaults={"role": Role.ADMIN})
    developer, _ = User.objects.get_or_create(username="scale-dev",
                                              defaults={"role": Role.DEVELOPER, "tier": 3})
    queries = ["the", "error", "timeout", "word400", "zq12345", "error login", '"the error"',
               "tim*", f"FL-{10000 + tickets // 2}", "contact5@scale.example",
               "nonexistentword", "error -login", "proxy OR printer"]
    print(f"{'query':<26}{'hits':>5}{'total':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for user, label in ((admin, ""), (developer, " (dev)")):
        for query in queries if not label else queries[:3]:
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                results = services.search_tickets(user, query)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{query + label:<26}{len(results.hits):>5}{results.total_estimate!s:>7}"
                  f"{statistics.median(timings):>9.1f}{p95:>9.1f}")


if __name__ == "__main__":
    main()

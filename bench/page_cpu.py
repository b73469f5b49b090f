"""CPU and queries per request of the load run's four reads, one at a time, in one process.

    python -m bench.page_cpu --database-url postgres://postgres@127.0.0.1:5432/fl_web \
        --data-dir /tmp/fl-web [--requests 100] [--rounds 2] [--kinds queue,ticket,search,list]

The database is one `bench.seed` wrote (`python -m bench.seed --tickets 20000
--database-url URL --data-dir DIR --reset`). An agent of the seed (the first
active one) signs in through Django's test client and asks what `bench.load`'s
agents ask: a queue page (one of the seven queues), a ticket page (an active
ticket of the agent's tier), an API search (one of ten queries) and an API ticket
list (25 tickets, one of four filters), each --requests times after five warm-up
requests. Prints, per kind and round, this process's CPU per request (the web's
share of a request, without the HTTP server), the wall time, and the SQL queries.

The load run measures requests queueing on saturated cores; this measures what a
request costs, which is what a change to a page can move (issue 11, part 3).
"""

from __future__ import annotations

import argparse
import os
import random
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

QUEUES = ("open", "unassigned", "mine", "team", "tier1", "tier2", "pending")
QUERIES = ("timeout", "invoice", "certificate", "export", "upgrade", "\"blank page\"",
           "Salesforce", "permission denied", "PostgreSQL", "workaround")
LISTS = ("", "&status=open", "&status=new", "&order=updated_at")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_cpu",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--kinds", default="queue,ticket,search,list")
    args = parser.parse_args(argv)
    os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    os.environ["FRONTLINE_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from frontline.core.models import ApiToken, User
    from frontline.tickets.models import ACTIVE_STATUSES, Ticket

    settings.ALLOWED_HOSTS = ["*"]
    agent = User.objects.filter(role="agent", is_active=True).order_by("pk").first()
    if agent is None:
        raise SystemExit("No agent in this database: seed it with bench.seed first.")
    client = Client()
    client.force_login(agent)
    token = ApiToken.issue(agent, "bench.page_cpu")[1]
    references = [ticket.reference for ticket in Ticket.objects.filter(
        status__in=ACTIVE_STATUSES, tier__lte=agent.tier).order_by("pk")[:200]]
    rng = random.Random(11)
    api = {"Authorization": f"Bearer {token}"}
    kinds: dict[str, Callable[[], Any]] = {
        "queue": lambda: client.get(f"/q/{rng.choice(QUEUES)}"),
        "ticket": lambda: client.get(f"/t/{rng.choice(references)}"),
        "search": lambda: client.get(
            f"/api/v1/search?q={urllib.parse.quote(rng.choice(QUERIES))}", headers=api),
        "list": lambda: client.get(f"/api/v1/tickets?limit=25{rng.choice(LISTS)}", headers=api),
    }
    print(f"engine {connection.vendor}; {Ticket.objects.count():,} tickets; agent "
          f"{agent.username} (tier {agent.tier}); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for round_ in range(1, args.rounds + 1):
        for name in args.kinds.split(","):
            ask = kinds[name]
            for _ in range(5):
                response = ask()
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
            cpu, wall = time.process_time(), time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                for _ in range(args.requests):
                    ask()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(f"round {round_}  {name:<7} cpu {cpu / args.requests * 1000:5.1f} ms  "
                  f"wall {wall / args.requests * 1000:5.1f} ms  queries "
                  f"{len(queries.captured_queries) / args.requests:4.1f}", flush=True)
    ApiToken.objects.filter(user=agent, name="bench.page_cpu").delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the search engine alone, query by query, on a seeded database.

    python -m bench.search --database-url URL --data-dir DIR [--rounds 2] [--compare FILE]

The queries are bench.run's common ones (words, phrases, a prefix, OR, an
exclusion, typos) plus rare tokens taken from the data (host names, invoice
numbers, request ids), references and requester addresses. Each is asked
`--rounds` times through `frontline.search.engines.get_engine().search` with
the services' candidate count, in-process, no web server: the figure is the
engine's SQL and nothing else. Prints p50/p95/max and the slowest queries.

`--compare FILE`: a Python file defining another engine class (for example an
older `frontline/search/engines/postgresql.py` saved from git); both engines
then answer each query in turn, alternating which goes first, so the machine's
load falls on both alike, and the candidate sets are compared.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import statistics
import sys
import time
from typing import Any

from bench.run import COMMON_QUERIES


def _queries(rng: random.Random) -> list[str]:
    from frontline.customers.models import ContactEmail
    from frontline.tickets.models import Message, Ticket, format_reference

    pattern = re.compile(r"(INV-\d{4}-\d{5}|[a-z]+\d\d\.[a-z]+\.internal|\b[0-9a-f]{16}\b)")
    top = Message.objects.order_by("-id").values_list("id", flat=True).first() or 1
    rare: list[str] = []
    for _ in range(80):
        body = (Message.objects.filter(pk=rng.randint(1, top)).values_list("body", flat=True)
                .first() or "")
        rare += pattern.findall(body)[:1]
    tickets = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 1
    rare += [format_reference(rng.randint(1, tickets)) for _ in range(10)]
    emails = ContactEmail.objects.count()
    rare += list(ContactEmail.objects.filter(
        pk__in=[rng.randint(1, max(1, emails)) for _ in range(10)])
        .values_list("address", flat=True))
    return list(COMMON_QUERIES) + rare


def _engine_from(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("bench_compared_engine", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    classes = [value for name, value in vars(module).items()
               if name.endswith("Engine") and isinstance(value, type) and hasattr(value, "search")]
    if not classes:
        raise SystemExit(f"no engine class in {path}")
    return classes[0]()


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="FRONTLINE_DATABASE_URL (default: SQLite)")
    parser.add_argument("--data-dir", required=True, help="FRONTLINE_DATA_DIR")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--compare", help="a file with another engine class to time alongside")
    args = parser.parse_args(argv)
    os.environ["FRONTLINE_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    os.environ.setdefault("FRONTLINE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from frontline.search.engines import get_engine
    from frontline.search.query import parse_query
    from frontline.search.services import CANDIDATES

    queries = _queries(random.Random(args.seed))
    engines = {"engine": get_engine()}
    if args.compare:
        engines = {"compared": _engine_from(args.compare), **engines}
    times: dict[str, list[float]] = {name: [] for name in engines}
    fastest: dict[tuple[str, str], float] = {}
    identical = asked = 0
    for round_number in range(args.rounds):
        for query in queries:
            parsed = parse_query(query)
            order = list(engines) if round_number % 2 == 0 else list(reversed(engines))
            answers = []
            for name in order:
                started = time.perf_counter()
                result = engines[name].search(parsed, candidates=CANDIDATES)
                elapsed = (time.perf_counter() - started) * 1000
                times[name].append(elapsed)
                fastest[(name, query)] = min(elapsed, fastest.get((name, query), elapsed))
                answers.append(sorted((c.ticket_id, c.message_id or 0)
                                      for c in result.candidates))
            asked += 1
            identical += all(answer == answers[0] for answer in answers)
    print(f"{len(queries)} queries x {args.rounds} rounds; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, values in times.items():
        print(f"{name:<9} p50 {statistics.median(values):7.1f}  p95 {_pct(values, 0.95):7.1f}  "
              f"max {max(values):7.1f} ms")
    if args.compare:
        print(f"identical candidate sets: {identical} of {asked}")
    slowest = sorted(queries, key=lambda q: -max(fastest[(n, q)] for n in engines))[:10]
    for query in slowest:
        print(f"  {query!r:45} " + "  ".join(f"{name} {fastest[(name, query)]:7.1f}"
                                            for name in engines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

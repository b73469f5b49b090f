"""How fast business time is: `BusinessHours.add` and `seconds_between` on a
Monday-to-Friday 09:00-17:00 Berlin calendar with Bavarian public holidays.

    .venv/bin/python -m bench.business_time [--count 200000]

Starts are spread over two years (UTC datetimes, as they come from the
database); targets are 2 hours, 24 business hours and 5 business days in turn,
what the SLA clock asks for. The calendar's tables are built before timing (a
one-off per process and calendar, also printed). No database is used.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall

import django

TARGETS = [2 * 3600, 24 * 3600, 5 * 8 * 3600]


def adds_per_second(count: int = 200_000, seed: int = 4) -> dict[str, float]:
    """Time `count` adds and `count` seconds_between; return rates and the build time."""
    from frontline.sla.businesstime import BusinessHours

    rng = random.Random(seed)
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    starts = [origin + timedelta(seconds=rng.randrange(2 * 365 * 86400)) for _ in range(count)]
    targets = [TARGETS[i % len(TARGETS)] for i in range(count)]

    def build() -> tuple[BusinessHours, float]:
        began = time.perf_counter()
        hours = BusinessHours(timezone="Europe/Berlin", name="Munich office",
                              intervals=[(day, wall(9), wall(17)) for day in range(5)],
                              holiday_country="DE", holiday_subdivision="BY")
        hours.add(starts[0], 3600)
        hours.add(origin + timedelta(days=2 * 365 + 30), 5 * 8 * 3600)  # both years' tables
        return hours, time.perf_counter() - began

    _, first_build = build()  # includes the holidays package loading its country data
    hours, warm_build = build()

    add = hours.add
    began = time.perf_counter()
    dues = [add(start, seconds) for start, seconds in zip(starts, targets, strict=True)]
    adding = time.perf_counter() - began

    between = hours.seconds_between
    began = time.perf_counter()
    counted = [between(start, due) for start, due in zip(starts, dues, strict=True)]
    counting = time.perf_counter() - began
    assert counted == targets, "seconds_between(start, add(start, s)) must be s"
    return {"adds_per_second": count / adding, "between_per_second": count / counting,
            "first_build_ms": first_build * 1000, "build_ms": warm_build * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    django.setup()
    figures = adds_per_second(args.count)
    print(f"tables built in {figures['build_ms']:.1f} ms (once per calendar and process; "
          f"{figures['first_build_ms']:.0f} ms for the first calendar of a process)")
    print(f"add:             {figures['adds_per_second']:>12,.0f} per second "
          f"({1e6 / figures['adds_per_second']:.2f} µs each)")
    print(f"seconds_between: {figures['between_per_second']:>12,.0f} per second "
          f"({1e6 / figures['between_per_second']:.2f} µs each)")


if __name__ == "__main__":
    main()

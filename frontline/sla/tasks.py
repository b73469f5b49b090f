"""Background tasks for SLAs. Thin: each calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.sla import services


@task()
def scan_due() -> dict[str, int]:
    """Warnings and breaches whose moment has come, with the policies' actions."""
    return services.scan_due()


# A warning is worth most when it comes early: every minute keeps a two-hour
# promise's 75 % warning within a minute of its moment, and the query is one
# index range (bench/sla.py), so running it often costs little.
scheduler.register("sla.scan_due", timedelta(minutes=1), scan_due)

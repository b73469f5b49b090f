"""How each release is doing (issue 10, part 4): per product version, the
organizations on it now, its tickets since release, and its ticket rate against
the previous version's at the same age.

The rate is tickets per organization per 30 days: the tickets that name the
version (Ticket.version, which defaults to what the organization ran) within
`age` of its release, over the organizations on it at release + age
(frontline.customers.deployments), over age in days, times 30. For the current
version release + age is now; for the previous version (of the same product,
the one released last before it) it is its own release day plus the same age, so
a version three weeks old is compared with its predecessor's first three weeks,
not with its whole life. A version without a release day has counts but no rate.

Queries: versions, deployments, and one aggregate over tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from frontline.core import permissions
from frontline.core.models import User
from frontline.customers.deployments import in_effect, in_order
from frontline.customers.models import Deployment, Version
from frontline.tickets.models import Ticket

PER_DAYS = 30


@dataclass(frozen=True)
class VersionReport:
    version: Version
    organizations: int  # on it now
    tickets: int  # since its release (all, without a release day)
    rate: float | None  # tickets per organization per 30 days since release
    previous: Version | None
    previous_rate: float | None  # at the same age

    @property
    def change(self) -> float | None:
        """rate / previous_rate."""
        if self.rate is None or not self.previous_rate:
            return None
        return self.rate / self.previous_rate


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _on(deployments: dict[int, list[Deployment]], version: Version, at: datetime) -> int:
    return sum(1 for history in deployments.values()
               for running in in_effect(history, at) if running.version_id == version.pk)


def _rate(tickets: int, organizations: int, age: timedelta) -> float | None:
    days = age.total_seconds() / 86400
    if organizations == 0 or days <= 0:
        return None
    return tickets / organizations / days * PER_DAYS


def version_reports(user: User, *, now: datetime | None = None) -> list[VersionReport]:
    """Every version of every product, by product name, newest release first (versions
    not released yet last)."""
    permissions.check_can_view_insights(user)
    now = now or timezone.now()
    versions = list(Version.objects.select_related("product")
                    .order_by("product__name", "product_id",
                              F("released_on").desc(nulls_last=True), "-name"))
    deployments: dict[int, list[Deployment]] = {}
    for deployment in in_order():
        deployments.setdefault(deployment.organization_id, []).append(deployment)
    previous: dict[int, Version] = {}
    released = [v for v in versions if v.released_on is not None]
    for version in released:
        earlier = [v for v in released if v.product_id == version.product_id
                   and v.released_on is not None and version.released_on is not None
                   and v.released_on < version.released_on]
        if earlier:
            previous[version.pk] = max(earlier, key=lambda v: (v.released_on, v.name))
    counts: dict[str, Count] = {}
    for version in versions:
        if version.released_on is None:
            counts[f"own_{version.pk}"] = Count("id", filter=Q(version=version))
            continue
        start = start_of(version.released_on)
        counts[f"own_{version.pk}"] = Count("id", filter=Q(version=version, created_at__gte=start,
                                                           created_at__lt=now))
        before = previous.get(version.pk)
        if before is not None and before.released_on is not None:
            then = start_of(before.released_on)
            counts[f"prev_{version.pk}"] = Count("id", filter=Q(
                version=before, created_at__gte=then, created_at__lt=then + (now - start)))
    totals = Ticket.objects.aggregate(**counts) if counts else {}
    reports = []
    for version in versions:
        own = totals.get(f"own_{version.pk}") or 0
        organizations = _on(deployments, version, now)
        rate = previous_rate = None
        before = previous.get(version.pk)
        if version.released_on is not None:
            age = now - start_of(version.released_on)
            rate = _rate(own, organizations, age)
            if before is not None and before.released_on is not None:
                then = start_of(before.released_on) + age
                previous_rate = _rate(totals.get(f"prev_{version.pk}") or 0,
                                      _on(deployments, before, then), age)
        reports.append(VersionReport(version, organizations, own, rate, before, previous_rate))
    return reports

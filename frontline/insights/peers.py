"""Customers with more problems than their peers (issue 10, part 4).

    rows = organizations_against_peers(user, period_days=90)

For the period [now - period_days, now), per organization with seats:

- `tickets`: tickets opened in the period (`Ticket.created_at`), not merged into
  another. A merged ticket is one request told twice; its target counts it once.
- `tickets_per_seat`: tickets / seats. Organizations whose seats are unknown
  (None) or zero are left out: "per seat" means nothing for them, and a guess
  would rank them wrongly. Their tickets still show on the reports.
- Peers: organizations on the same plan in the same size band (SIZE_BANDS:
  1-10, 11-50, 51-250, 251-1000, 1001+ seats, the usual licence tiers; fixed
  bands keep the peer group the same for every member, which a "within a factor
  of two" window would not). Fewer than MIN_PEERS (2) others there: the plan's
  organizations of every size; fewer still: every organization with seats. The
  row says which (`peer_group`).
- `ratio_to_peers`: tickets_per_seat / the peers' median tickets_per_seat
  (itself excluded). The median, so one troubled peer does not hide another.
  None when there is no peer, or the peers' median is 0 (no baseline to
  compare with); such rows sort after the others.
- `top_categories`: the three categories with the most tickets (tickets
  without one together as "No category"), with their share of the tickets.
- `suggestion`, only when ratio_to_peers > FLAG_RATIO (1.5), the first that
  fits: "how-to heavy" when how-to questions (a category whose slug or name
  holds how / question / usage, or the slugs listed in
  FRONTLINE_HOWTO_CATEGORIES) are HOWTO_SHARE (40%) of the tickets or more;
  "configuration" when one category holds CONCENTRATION (50%) or more; else
  "training": many tickets spread over categories, from many people. `advice`
  says it in a sentence for the account manager.

Who sees what: agents and admins every organization; viewers (account
managers) the organizations they manage (frontline.core.permissions). Ratios are
always worked out against every peer, whoever asks.

Four queries whatever the number of organizations: the organizations, tickets
and requesters per organization, tickets per organization and category, and
the how-to categories' ids. Medians are found on sorted lists in Python.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.models import Organization
from frontline.insights.reports import Period
from frontline.tickets.models import Ticket
from frontline.tickets.taxonomy import Category

PERIOD_CHOICES = (30, 90, 180)
MAX_PERIOD_DAYS = 730
# (lowest, highest) seats, highest None for "and more".
SIZE_BANDS: tuple[tuple[int, int | None], ...] = (
    (1, 10), (11, 50), (51, 250), (251, 1000), (1001, None))
MIN_PEERS = 2
FLAG_RATIO = 1.5
HOWTO_SHARE = 0.4
CONCENTRATION = 0.5
HOWTO_WORDS = ("how", "question", "usage")
TOP_CATEGORIES = 3
NO_CATEGORY = "No category"

TRAINING = "training"
HOW_TO = "how-to heavy"
CONFIGURATION = "configuration"


def size_band(seats: int) -> tuple[int, int | None]:
    for low, high in SIZE_BANDS:
        if high is None or seats <= high:
            return low, high
    return SIZE_BANDS[-1]  # pragma: no cover (the last band is open)


def band_label(band: tuple[int, int | None]) -> str:
    low, high = band
    return f"{low:,}+ seats" if high is None else f"{low:,}\u2013{high:,} seats"


@dataclass(frozen=True)
class CategoryShare:
    category: str
    tickets: int
    share: float  # of the organization's tickets, 0..1


@dataclass
class PeerRow:
    organization: Organization
    seats: int
    tickets: int
    requesters: int
    tickets_per_seat: float
    categories: list[CategoryShare] = field(default_factory=list)  # all, most first
    howto_tickets: int = 0
    ratio_to_peers: float | None = None
    peer_group: str = ""
    peers: int = 0
    peer_median: float | None = None
    suggestion: str | None = None
    advice: str = ""

    @property
    def top_categories(self) -> list[CategoryShare]:
        return self.categories[:TOP_CATEGORIES]


def check_period_days(period_days: int) -> int:
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise InvalidInput(f"period_days is a number of days from 1 to {MAX_PERIOD_DAYS}.",
                           field="period_days")
    return period_days


def is_howto(category: Category, configured: list[str] | None) -> bool:
    if configured is not None:
        return category.slug in configured
    text = f"{category.slug} {category.name}".lower()
    return any(word in text for word in HOWTO_WORDS)


def _median_without(values: list[float], own: float) -> float | None:
    """The median of the sorted `values` with one occurrence of `own` taken out,
    without copying the list (every organization of a large plan asks)."""
    skip = bisect_left(values, own)
    count = len(values) - 1
    if count <= 0:
        return None

    def at(i: int) -> float:
        return values[i] if i < skip else values[i + 1]

    middle = count // 2
    return at(middle) if count % 2 else (at(middle - 1) + at(middle)) / 2


def _advice(row: PeerRow, kind: str) -> str:
    ratio = f"{row.ratio_to_peers:.1f}\u00d7" if row.ratio_to_peers is not None else ""
    top = row.categories[0] if row.categories else None
    if kind == HOW_TO:
        share = round(100 * row.howto_tickets / row.tickets)
        return (f"{ratio} their peers' tickets per seat, {share}% of them how-to questions: "
                f"offer a guided session or point their users at the guides.")
    if kind == CONFIGURATION and top is not None:
        return (f"{ratio} their peers' tickets per seat, {round(100 * top.share)}% in "
                f"{top.category}: review their setup of it with them.")
    return (f"{ratio} their peers' tickets per seat, across {len(row.categories)} "
            f"categories from {row.requesters} "
            f"{'person' if row.requesters == 1 else 'people'}: propose training for their users.")


def suggest(row: PeerRow) -> str | None:
    """The account manager's next step for a row flagged against its peers (see the
    module's docstring for the order)."""
    if row.ratio_to_peers is None or row.ratio_to_peers <= FLAG_RATIO or not row.tickets:
        return None
    if row.howto_tickets / row.tickets >= HOWTO_SHARE:
        return HOW_TO
    if row.categories and row.categories[0].share >= CONCENTRATION:
        return CONFIGURATION
    return TRAINING


def organizations_against_peers(user: User, *, period_days: int = 90) -> list[PeerRow]:
    """Every organization with seats the user may see, the most troubled against its
    peers first (ratio_to_peers, then tickets per seat, then name)."""
    permissions.check_can_view_organization_insights(user)
    check_period_days(period_days)
    end = timezone.now()
    period = Period(end - timedelta(days=period_days), end)

    organizations = list(Organization.objects.filter(seats__gt=0)
                         .select_related("plan", "account_manager"))
    # A ticket we opened (an advisory) that the customer never answered is not
    # theirs: it has no customer message (frontline.workflow.opening.open_proactive).
    tickets = (Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end,
                                     merged_into__isnull=True,
                                     last_customer_message_at__isnull=False,
                                     organization__seats__gt=0).order_by())
    totals = {row["organization_id"]: row for row in tickets.values("organization_id").annotate(
        tickets=Count("id"), requesters=Count("requester_id", distinct=True))}
    by_category: dict[int, list[tuple[str, int, int | None]]] = defaultdict(list)
    for row in tickets.values("organization_id", "category_id", "category__name").annotate(
            tickets=Count("id")):
        by_category[row["organization_id"]].append(
            (row["category__name"] or NO_CATEGORY, row["tickets"], row["category_id"]))
    configured = getattr(settings, "FRONTLINE_HOWTO_CATEGORIES", None)
    words = Q()
    for word in HOWTO_WORDS:
        words |= Q(slug__icontains=word) | Q(name__icontains=word)
    howto_ids = set(Category.objects.filter(
        Q(slug__in=list(configured)) if configured is not None else words)
        .values_list("id", flat=True))

    rows = []
    for organization in organizations:
        seats = organization.seats or 0
        total = totals.get(organization.pk, {"tickets": 0, "requesters": 0})
        found = sorted(by_category.get(organization.pk, []), key=lambda c: (-c[1], c[0]))
        rows.append(PeerRow(
            organization=organization, seats=seats, tickets=total["tickets"],
            requesters=total["requesters"], tickets_per_seat=total["tickets"] / seats,
            categories=[CategoryShare(name, count, count / total["tickets"])
                        for name, count, _ in found],
            howto_tickets=sum(count for _, count, pk in found if pk in howto_ids)))
    _compare(rows)
    if permissions.sees_managed_organizations_only(user):
        rows = [row for row in rows if row.organization.account_manager_id == user.pk]
    rows.sort(key=lambda row: (row.ratio_to_peers is None, -(row.ratio_to_peers or 0),
                               -row.tickets_per_seat, row.organization.name))
    return rows


def _compare(rows: list[PeerRow]) -> None:
    """Set each row's peer group, ratio and suggestion."""
    def key(row: PeerRow) -> tuple[int | None, tuple[int, int | None]]:
        return row.organization.plan_id, size_band(row.seats)

    groups: dict[object, list[float]] = defaultdict(list)
    plans: dict[int | None, list[float]] = defaultdict(list)
    everyone = sorted(row.tickets_per_seat for row in rows)
    for row in rows:
        groups[key(row)].append(row.tickets_per_seat)
        plans[row.organization.plan_id].append(row.tickets_per_seat)
    for values in [*groups.values(), *plans.values()]:
        values.sort()
    for row in rows:
        plan = row.organization.plan.name if row.organization.plan else "No plan"
        band = size_band(row.seats)
        if len(groups[key(row)]) - 1 >= MIN_PEERS:
            values, label = groups[key(row)], f"{plan}, {band_label(band)}"
        elif len(plans[row.organization.plan_id]) - 1 >= MIN_PEERS:
            values, label = plans[row.organization.plan_id], f"{plan}, all sizes"
        else:
            values, label = everyone, "All plans and sizes"
        row.peer_group, row.peers = label, len(values) - 1
        row.peer_median = _median_without(values, row.tickets_per_seat)
        if row.peer_median:
            row.ratio_to_peers = row.tickets_per_seat / row.peer_median
        row.suggestion = suggest(row)
        row.advice = _advice(row, row.suggestion) if row.suggestion else ""

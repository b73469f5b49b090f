"""A queue's filters and sort, read from a query string: the one reading that the
desk's queue pages, saved views (their sidebar counts included) and the API's
saved views share, so a saved view always lists what its page listed.

A filter value that makes no sense is dropped rather than refused: a filter never
fails a page (a hand-edited URL, an option that no longer exists). Saving a view
keeps only the values this module read, so nonsense is not saved either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.http import urlencode

from frontline.core.inputs import whole_number
from frontline.core.lookup import as_id
from frontline.core.tiers import TIERS
from frontline.tickets.taxonomy import ACTIVE_STATUSES, Priority, Status

# The query-string keys a queue reads, in the order a canonical query names them.
FILTER_KEYS = ("status", "priority", "tier", "team", "assignee", "sort")
DEFAULT_SORT = "updated"


@dataclass(frozen=True)
class QueueQuery:
    """What a queue page lists: its filters (None: any) and its sort."""

    status: str | None = None
    priority: int | None = None
    tier: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    sort: str = DEFAULT_SORT

    @property
    def filters(self) -> dict[str, int | str | None]:
        """The keyword arguments of frontline.tickets.selectors.queue_tickets."""
        return {"status": self.status, "priority": self.priority, "tier": self.tier,
                "team_id": self.team_id, "assignee_id": self.assignee_id}

    @property
    def filtered(self) -> bool:
        return any(value is not None for value in self.filters.values())

    @property
    def active_only(self) -> bool:
        """Whether the list holds active tickets only, which lets the active-ticket
        indexes serve it (selectors.page_of). A status filter of resolved or closed
        lists finished tickets (every queue's default is its active ones)."""
        return self.status is None or self.status in ACTIVE_STATUSES

    def query_string(self) -> str:
        """The canonical query string: only the keys set, in FILTER_KEYS order, the
        default sort left out (two views of the same list compare equal)."""
        values = {"status": self.status, "priority": self.priority, "tier": self.tier,
                  "team": self.team_id, "assignee": self.assignee_id,
                  "sort": None if self.sort == DEFAULT_SORT else self.sort}
        return urlencode([(key, str(values[key])) for key in FILTER_KEYS
                          if values[key] is not None])


def _choice(value: str | None, allowed: set[int]) -> int | None:
    number = whole_number(value)
    return number if number in allowed else None


def read_queue_query(params: Mapping[str, str], *, sorts: Mapping[str, object]) -> QueueQuery:
    """The filters and sort in `params` (a QueryDict or a dict); `sorts` are the
    orders a queue offers (selectors.SORTS, passed in: selectors reads this module)."""
    status = params.get("status") or None
    sort = params.get("sort") or DEFAULT_SORT
    return QueueQuery(
        status=status if status in Status.values else None,
        priority=_choice(params.get("priority"), set(Priority.values)),
        tier=_choice(params.get("tier"), set(TIERS)),
        # A record's id (a 20-digit number is none: it would overflow the driver).
        team_id=as_id(params.get("team")),
        assignee_id=as_id(params.get("assignee")),
        sort=sort if sort in sorts else DEFAULT_SORT,
    )

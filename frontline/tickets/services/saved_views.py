"""Saved views: a queue with its filters under a name, personal or shared (issue 12).

A view stores the canonical query string (frontline.tickets.queue_query), never
the raw one: values a queue would ignore are not saved, and the sidebar counts
the very list the page shows. Who may change a view is
frontline.core.permissions.can_manage_saved_view.

The sidebar lists at most SIDEBAR_LIMIT views (shared first, then one's own, by
name) and counts each with the navigation's capped counts, all in one statement
(frontline.tickets.selectors.capped_counts): a person's views cost the page one
query to list and none to count. MAX_PER_OWNER keeps that list short.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput, NotAllowed, NotFound
from frontline.core.lookup import as_id
from frontline.core.models import User
from frontline.tickets.models import SavedView
from frontline.tickets.queue_query import read_queue_query
from frontline.tickets.selectors import QUEUES, SORTS

SIDEBAR_LIMIT = 30
MAX_PER_OWNER = 30
MAX_SHARED = 30
MAX_NAME = 80


def visible_views(user: User) -> QuerySet[SavedView]:
    """The views `user` sees: the shared ones and their own, shared first."""
    if not permissions.is_staff_user(user):
        return SavedView.objects.none()
    return (SavedView.objects.filter(Q(owner__isnull=True) | Q(owner=user))
            .order_by(F("owner_id").asc(nulls_first=True), "name", "id"))


def sidebar_views(user: User) -> list[SavedView]:
    return list(visible_views(user)[:SIDEBAR_LIMIT])


def find_view(user: User, view_id: object) -> SavedView:
    """The view `view_id` names among those `user` sees (404 otherwise: another
    person's personal view is not confirmed to exist)."""
    pk = as_id(view_id)
    view = visible_views(user).filter(pk=pk).first() if pk is not None else None
    if view is None:
        raise NotFound("There is no such saved view.")
    return view


def _name(value: object) -> str:
    name = inputs.name(value, "name", what="A saved view", max_length=MAX_NAME)
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        # The name is shown in everybody's sidebar (and PostgreSQL refuses a NUL).
        raise InvalidInput("A view's name cannot hold control characters.", field="name")
    return name


def _unique_name_error(name: str, shared: bool) -> InvalidInput:
    whose = "The desk already shares" if shared else "You already have"
    return InvalidInput(f"{whose} a view named \u201c{name}\u201d; choose another name.",
                        field="name")


def save_view(user: User, name: object, queue: str, params: Mapping[str, str], *,
              shared: bool = False) -> SavedView:
    """Save `queue` with the filters in `params` (a query string's values) as `name`."""
    if not permissions.is_staff_user(user):
        raise NotAllowed("Only members of staff keep saved views.")
    if shared and not permissions.can_share_views(user):
        raise NotAllowed(f"Your role ({user.role}) may keep personal views "
                                     "but not share them.")
    clean_name = _name(name)
    if queue not in QUEUES:
        raise InvalidInput(f"'{queue}' is not a queue ({', '.join(QUEUES)}).", field="queue")
    query = read_queue_query(params, sorts=SORTS).query_string()
    owner = None if shared else user
    siblings = SavedView.objects.filter(owner=owner) if owner else SavedView.objects.filter(
        owner__isnull=True)
    limit = MAX_SHARED if shared else MAX_PER_OWNER
    if siblings.count() >= limit:
        raise InvalidInput(f"{'The desk has' if shared else 'You have'} {limit} saved views "
                           "already; remove one first.", field="name")
    try:
        with transaction.atomic():
            return SavedView.objects.create(name=clean_name, owner=owner, created_by=user,
                                            queue=queue, query=query)
    except IntegrityError:
        # The unique constraints decide, also when two tabs save at the same moment.
        raise _unique_name_error(clean_name, shared) from None


def rename_view(user: User, view_id: object, name: object) -> SavedView:
    view = find_view(user, view_id)
    permissions.check_can_manage_saved_view(user, view.owner_id, view.created_by_id)
    view.name = _name(name)
    try:
        with transaction.atomic():
            view.save(update_fields=["name"])
    except IntegrityError:
        raise _unique_name_error(view.name, view.shared) from None
    return view


def delete_view(user: User, view_id: object) -> None:
    view = find_view(user, view_id)
    permissions.check_can_manage_saved_view(user, view.owner_id, view.created_by_id)
    view.delete()


def matching_view(user: User, queue: str, query: str) -> SavedView | None:
    """The view (shared first, then one's own) that lists exactly this queue page, if
    one does: the page offers to rename or remove it."""
    return visible_views(user).filter(queue=queue, query=query).first()

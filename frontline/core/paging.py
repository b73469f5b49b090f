"""Keyset (cursor) pagination, the one paginator of the desk's lists and the API's.

OFFSET would make page n cost n pages, and COUNT(*) would scan the whole table,
so neither is used: a page starts strictly after the sort key of the last row of
the page before, which the database finds as the start of an index range.

A sort order is a Keyset: its fields, each "-" for descending, ending in the
primary key so the order is total. A cursor is opaque and URL-safe: the last
row's key values joined by "|" (a datetime in ISO 8601, a number in digits, an
empty string for NULL), in unpadded base64url. The API has handed out cursors of
this shape since its first version (`<updated_at>|<id>` and `<id>`), so old
cursors keep working; a desk link carries the same cursor as the API for the
same list and order (tests/core/test_paging.py).

Only integer and date-time fields can be key fields (a text key could hold the
separator); a key field may be one of a one-to-one related row
(`clock__sla_due`). This module knows no domain model: the ticket orders are in
frontline.tickets.selectors.SORTS, which the desk queues and the API's ticket
list share.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import F, Q, QuerySet

from frontline.core import inputs
from frontline.core.errors import InvalidInput
from frontline.core.lookup import MAX_ID

M = TypeVar("M", bound=models.Model)

MAX_CURSOR = 200
BAD_CURSOR = "This cursor is not one this API handed out; start again without it."


class Keyset:
    """A sort order that pages by its key.

    `nulls_last` says the first field may be NULL and those rows come after all
    others (the desk's "SLA time left": tickets without a due time last). Such a
    page is read as two index walks, the rows with a value and then (if the page
    is not full) those without: one ORDER BY ... NULLS LAST would make SQLite sort
    the whole list.
    """

    def __init__(self, *fields: str, nulls_last: bool = False) -> None:
        if not fields or (nulls_last and len(fields) < 2):
            raise ValueError("A keyset needs its fields, ending in the primary key.")
        self.fields = tuple(fields)
        self.names = tuple(field.lstrip("-") for field in fields)
        self.nulls_last = nulls_last

    def __repr__(self) -> str:
        return f"Keyset{self.fields!r}"

    def ordering(self) -> list[Any]:
        """The order_by() arguments of this order."""
        if self.nulls_last:
            return [F(self.names[0]).asc(nulls_last=True), *self.fields[1:]]
        return list(self.fields)

    # -- cursors ----------------------------------------------------------------------

    def values_of(self, row: models.Model) -> list[Any]:
        """The key of `row`: its values of the key fields (a field of a one-to-one
        related row, `clock__sla_due`, read through it)."""
        values = []
        for name in self.names:
            found: Any = row
            for part in name.split("__"):
                found = getattr(found, part)
            values.append(found)
        return values

    def cursor(self, values: Sequence[Any]) -> str:
        """The cursor of a position: the key values of the row just before it."""
        parts = []
        for value in values:
            if value is None:
                parts.append("")
            elif isinstance(value, datetime):
                parts.append(value.isoformat())
            elif isinstance(value, int) and not isinstance(value, bool):
                parts.append(str(value))
            else:
                raise TypeError(f"{value!r} cannot be part of a cursor (numbers and "
                                "date-times only).")
        return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")

    def read(self, cursor: str, model: type[models.Model]) -> list[Any]:
        """The key values a cursor holds; InvalidInput (field "cursor") when it is
        not one a cursor() of this keyset on `model` made."""
        if len(cursor) > MAX_CURSOR:
            raise InvalidInput(BAD_CURSOR, field="cursor")
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        except (binascii.Error, ValueError):
            raise InvalidInput(BAD_CURSOR, field="cursor") from None
        parts = text.split("|")
        if len(parts) != len(self.names):
            raise InvalidInput(BAD_CURSOR, field="cursor")
        return [_parse(model, name, part) for name, part in zip(self.names, parts, strict=True)]

    # -- positions --------------------------------------------------------------------

    def after(self, values: Sequence[Any]) -> Q:
        """Rows strictly after the position `values` in this order."""
        if not self.nulls_last:
            return _after(self.fields, values)
        first = self.names[0]
        rest = Q(**{f"{first}__isnull": True})
        if len(self.fields) > 1:
            rest &= _after(self.fields[1:], values[1:])
        if values[0] is None:
            return rest
        return _after(self.fields, values) | Q(**{f"{first}__isnull": True})


def _after(fields: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `fields` order (a row-value comparison spelled
    out). The leading `<=`/`>=` on the first column lets the planner start the index
    range there before it tests the ties."""
    first = fields[0].lstrip("-")
    first_op = "lte" if fields[0].startswith("-") else "gte"
    alternatives = Q()
    for position, field in enumerate(fields):
        op = "lt" if field.startswith("-") else "gt"
        clause = Q(**{f"{field.lstrip('-')}__{op}": values[position]})
        for earlier, value in zip(fields[:position], values[:position], strict=True):
            clause &= Q(**{earlier.lstrip("-"): value})
        alternatives |= clause
    return Q(**{f"{first}__{first_op}": values[0]}) & alternatives


def _parse(model: type[models.Model], name: str, text: str) -> Any:
    *path, name = name.split("__")
    for step in path:
        related = model._meta.get_field(step).related_model
        assert isinstance(related, type), f"{model.__name__}.{step} is not a relation"
        model = related
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    if text == "" and getattr(field, "null", False):
        return None
    if isinstance(field, models.DateTimeField):
        # Read as every time a person types (frontline.core.inputs.moment), so a
        # forged cursor of year 1 or 9999 cannot overflow a time zone's arithmetic.
        try:
            stamp = inputs.moment(text, "cursor", label="The cursor", naive=True)
        except InvalidInput:
            raise InvalidInput(BAD_CURSOR, field="cursor") from None
        if stamp is None:
            raise InvalidInput(BAD_CURSOR, field="cursor")
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
    if isinstance(field, models.IntegerField):
        number = inputs.whole_number(text)
        low = 1 if field is meta.pk else -MAX_ID
        if number is None or text != text.strip() or not low <= number <= MAX_ID:
            raise InvalidInput(BAD_CURSOR, field="cursor")
        return number
    raise TypeError(f"{model.__name__}.{name} cannot be a key field of a cursor.")


# Lists whose natural sort key can change (a name) page in id order: a rename
# during a walk then neither skips nor repeats a row.
BY_ID = Keyset("id")


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None


def page(rows: QuerySet[M], keyset: Keyset, *, cursor: str | None, limit: int,
         load: Callable[[list[int]], Iterable[M]] | None = None,
         restart_on_bad_cursor: bool = False) -> Page[M]:
    """One page of `rows` in `keyset` order, starting after `cursor`, and the
    cursor of the next page (None on the last).

    With `load`, the page is found first as bare keys (from the rows' own table,
    so the planner walks a sort index and cannot reorder joins) and only then
    loaded by primary key through `load`, e.g. with its select_related joins:
    PostgreSQL's planning time for a many-join query with ORDER BY ... LIMIT over a
    table with many indexes grew to tens of milliseconds, far more than running
    it. A row deleted between the two queries is left out of the page. Without
    `load`, one query reads the page as `rows` say (annotations, prefetches).

    A cursor that does not parse is refused (InvalidInput, field "cursor"), or,
    with `restart_on_bad_cursor`, read as the first page: the desk's cursors only
    come from links it rendered, or from a hand-edited URL.
    """
    values = None
    if cursor:
        try:
            values = keyset.read(cursor, rows.model)
        except InvalidInput:
            if not restart_on_bad_cursor:
                raise
    if keyset.nulls_last:
        keys = _nulls_last_keys(rows, keyset, values, limit + 1)
    else:
        ordered = rows.order_by(*keyset.fields)
        if values is not None:
            ordered = ordered.filter(keyset.after(values))
        if load is None:
            found = list(ordered[: limit + 1])
            next_cursor = (keyset.cursor(keyset.values_of(found[limit - 1]))
                           if len(found) > limit else None)
            return Page(found[:limit], next_cursor)
        keys = list(ordered.values_list("pk", *keyset.names)[: limit + 1])
    next_cursor = keyset.cursor(keys[limit - 1][1:]) if len(keys) > limit else None
    ids = [key[0] for key in keys[:limit]]
    if not ids:
        return Page([], None)
    loader = load or (lambda pks: rows.filter(pk__in=pks))
    found_rows = loader(ids)
    if isinstance(found_rows, QuerySet):
        # No ORDER BY: the keys above give the order. (With one, Django hashes every
        # selected column to match the ordering against the SELECT list: a few
        # milliseconds of CPU for a page with many select_related joins.)
        found_rows = found_rows.order_by()
    loaded = {row.pk: row for row in found_rows}
    return Page([loaded[pk] for pk in ids if pk in loaded], next_cursor)


def _nulls_last_keys(rows: QuerySet[M], keyset: Keyset, values: list[Any] | None,
                     wanted: int) -> list[tuple[Any, ...]]:
    """Up to `wanted` keys after `values`: the rows with a first value in order,
    then the rows without one in the order of the other fields."""
    first = keyset.names[0]
    lean = rows.order_by()
    keys: list[tuple[Any, ...]] = []
    if values is None or values[0] is not None:
        dated = lean.filter(**{f"{first}__isnull": False})
        if values is not None:
            dated = dated.filter(_after(keyset.fields, values))
        keys = list(dated.order_by(*keyset.fields).values_list("pk", *keyset.names)[:wanted])
    if len(keys) < wanted:
        undated = lean.filter(**{f"{first}__isnull": True})
        if values is not None and values[0] is None and len(keyset.fields) > 1:
            undated = undated.filter(_after(keyset.fields[1:], values[1:]))
        keys += list(undated.order_by(*keyset.fields[1:])
                     .values_list("pk", *keyset.names)[: wanted - len(keys)])
    return keys

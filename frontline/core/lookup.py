"""How a finder reads what a person typed for a record: the record itself, its id,
or one of its names.

Each concept has one finder in the app that owns its model (find_team in
frontline.routing.teams, find_plan in frontline.customers.finders, find_category
and find_priority in frontline.tickets.taxonomy, ...). They share this reading so
that "7", "premium" and "Premium" mean the same record in the desk, the API, the
CLI and the demo. Each finder raises its own InvalidInput, naming the field, when
nothing matches; this module knows no domain model.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from frontline.core.inputs import blank, whole_number

Row = TypeVar("Row", bound=Model)

# The largest primary key the databases store (a signed 64-bit integer); a larger
# number is no id rather than an overflow error from the driver.
MAX_ID = 2**63 - 1


def as_id(value: Any) -> int | None:
    """`value` as a primary key: an int, or a string of ASCII digits, from 1 to MAX_ID;
    else None. The one reading of an id that a person or a client sent, in the desk,
    the API and the CLI alike ("²" passes str.isdigit() but is no id)."""
    number = whole_number(value)
    return number if number is not None and 1 <= number <= MAX_ID else None


def find_row(rows: QuerySet[Row], value: Any, *, exact: tuple[str, ...] = (),
             iexact: tuple[str, ...] = ()) -> Row | None:
    """The row of `rows` that `value` names, or None when it is blank or names none.

    Tried in this order, the first match wins: the row itself; a string equal to
    one of the `exact` fields (a slug, a version name); an id; a string equal,
    ignoring case, to one of the `iexact` fields (a name). Exact texts come before
    ids so that a plan whose slug is "2024" is found by its slug.
    """
    if isinstance(value, rows.model):
        return value
    if blank(value):
        return None
    text = str(value).strip()
    if "\x00" in text:
        # No name holds a NUL, and PostgreSQL refuses one in a query (a 500).
        return None
    if isinstance(value, str):
        for field in exact:
            found = rows.filter(**{field: text}).first()
            if found is not None:
                return found
    number = as_id(value)
    if number is not None:
        found = rows.filter(pk=number).first()
        if found is not None:
            return found
    if isinstance(value, str):
        for field in iexact:
            found = rows.filter(**{f"{field}__iexact": text}).first()
            if found is not None:
                return found
    return None

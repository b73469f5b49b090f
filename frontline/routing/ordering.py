"""Ordered rules: routing rules and escalation rules run in `position` order
(1 first), and admins add, change, delete and move both kinds the same way. Each
kind (a RuleKind, defined next to its rules) says only what differs: its model,
the fields it takes, how those are read and checked, its defaults.

Positions are kept 1..n with no gaps, so the number an admin sees in the list is
the number the form and the API take. Every change drops the router's cached
rules (frontline.routing.ruleset.clear_cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import QuerySet

from frontline.core import permissions
from frontline.core.errors import InvalidInput, NotFound
from frontline.core.inputs import blank, whole_number
from frontline.core.models import User
from frontline.routing.models import EscalationRule, RoutingRule

Ordered = TypeVar("Ordered", RoutingRule, EscalationRule)


@dataclass(frozen=True)
class RuleKind(Generic[Ordered]):
    """What differs between the kinds of ordered rule."""

    model: type[Ordered]
    label: str  # "routing rule", in messages
    fields: tuple[str, ...]  # what create and update accept
    listing: Callable[[], QuerySet[Ordered]]  # all, in order, with what sentences name
    # Reads the given fields onto the rule, then checks the rule as a whole.
    apply: Callable[[Ordered, dict[str, Any]], None]
    defaults: dict[str, Any]  # of a new rule


def _rules_changed() -> None:
    # Imported here: frontline.routing.rules defines the routing kind with this module.
    from frontline.routing.ruleset import clear_cache

    clear_cache()


def position(value: Any, *, field: str = "position") -> int | None:
    """A place in the order (1 is first), or None for "last" / "where it is"."""
    if blank(value):
        return None
    number = whole_number(value)
    if number is None:
        raise InvalidInput(f"'{value}' is not a position (1 is first).", field=field)
    if number < 1:
        raise InvalidInput("Positions start at 1 (the first rule).", field=field)
    return number


def place(model: type[Ordered], row: Ordered, wanted: int | None) -> None:
    """Put `row` at place `wanted` (1 = first; None or past the end = last) in its
    model's order, and number every rule 1..n so positions stay what the lists show.

    The caller holds the transaction; the rows are locked so two admins
    reordering at once do not interleave their numbering.
    """
    rows = [r for r in model._default_manager.select_for_update().order_by("position", "id")
            if r.pk != row.pk]
    index = len(rows) if wanted is None else min(max(wanted, 1) - 1, len(rows))
    rows.insert(index, row)
    changed = []
    for number, current in enumerate(rows, start=1):
        if current.position != number or current.pk == row.pk:
            current.position = number
            changed.append(current)
    # `row` itself is saved by the caller (it may be new); the others move here.
    others = [r for r in changed if r.pk != row.pk]
    if others:
        model._default_manager.bulk_update(others, ["position"])


def renumber(model: type[Ordered]) -> None:
    """Number the rules 1..n in their order again (after a delete)."""
    rows = list(model._default_manager.select_for_update().order_by("position", "id"))
    changed = []
    for number, row in enumerate(rows, start=1):
        if row.position != number:
            row.position = number
            changed.append(row)
    if changed:
        model._default_manager.bulk_update(changed, ["position"])


def get_rule(kind: RuleKind[Ordered], rule_id: int) -> Ordered:
    rule = kind.listing().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"There is no {kind.label} {rule_id}.")
    return rule


def _check_fields(kind: RuleKind[Ordered], changes: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(kind.fields))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not a field of this rule.", field=unknown[0])


@transaction.atomic
def create_rule(kind: RuleKind[Ordered], actor: User, fields: dict[str, Any]) -> Ordered:
    """Add a rule (admins). `position` 1 puts it first; by default it runs last."""
    permissions.check_is_admin(actor)
    _check_fields(kind, fields)
    if "name" not in fields:
        raise InvalidInput("A rule needs a name.", field="name")
    rule = kind.model(**kind.defaults)
    kind.apply(rule, fields)
    place(kind.model, rule, position(fields.get("position")))
    rule.save()
    _rules_changed()
    return get_rule(kind, rule.pk)


@transaction.atomic
def update_rule(kind: RuleKind[Ordered], actor: User, rule: Ordered,
                changes: dict[str, Any]) -> Ordered:
    """Change a rule (admins): the fields given change, the others stay; `position`
    moves it in the order."""
    permissions.check_is_admin(actor)
    _check_fields(kind, changes)
    rule = kind.model._default_manager.select_for_update().get(pk=rule.pk)
    kind.apply(rule, changes)
    wanted = position(changes.get("position"))
    # The same number sent back (a form saved as it was shown) moves nothing.
    if wanted is not None and wanted != rule.position:
        place(kind.model, rule, wanted)
    rule.save()
    _rules_changed()
    return get_rule(kind, rule.pk)


@transaction.atomic
def delete_rule(kind: RuleKind[Ordered], actor: User, rule: Ordered) -> None:
    permissions.check_is_admin(actor)
    kind.model._default_manager.filter(pk=rule.pk).delete()
    renumber(kind.model)
    _rules_changed()


@transaction.atomic
def move_rule(kind: RuleKind[Ordered], actor: User, rule: Ordered, by: int) -> Ordered:
    """Up (-1) or down (+1) one place: the desk's arrows."""
    permissions.check_is_admin(actor)
    order = list(kind.model._default_manager.select_for_update().order_by("position", "id")
                 .values_list("pk", flat=True))
    place_now = order.index(rule.pk) + 1 if rule.pk in order else 1
    rule = kind.model._default_manager.get(pk=rule.pk)
    place(kind.model, rule, max(1, place_now + by))
    rule.save(update_fields=["position"])
    _rules_changed()
    return get_rule(kind, rule.pk)

"""Routing rules and escalation rules are kept in order the same way: added
last or at a place, moved by one, renumbered 1..n after a delete, admins only."""

from __future__ import annotations

from typing import Any

import pytest

from frontline.core.errors import InvalidInput, NotAllowed, NotFound
from frontline.routing import escalation_rules, ordering, rules, ruleset

ROUTING = (rules.create_routing_rule, rules.move_routing_rule, rules.delete_routing_rule,
           rules.get_routing_rule, {"set_tier": 2}, "There is no routing rule")
ESCALATION = (escalation_rules.create_escalation_rule, escalation_rules.move_escalation_rule,
              escalation_rules.delete_escalation_rule, escalation_rules.get_escalation_rule,
              {"to_tier": 2}, "There is no escalation rule")


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    ruleset.clear_cache()
    yield
    ruleset.clear_cache()


def order(kind: ordering.RuleKind[Any]) -> list[tuple[str, int]]:
    return [(rule.name, rule.position) for rule in kind.listing()]


@pytest.mark.parametrize(("kind", "calls"), [(rules.ROUTING, ROUTING),
                                             (escalation_rules.ESCALATION, ESCALATION)],
                         ids=["routing", "escalation"])
def test_both_kinds_of_rule_keep_their_order_the_same_way(ada, lena, kind, calls):
    create, move, delete, get, sets, missing = calls
    first = create(ada, name="first", **sets)
    second = create(ada, name="second", **sets)
    create(ada, name="before all", position=1, **sets)
    assert order(kind) == [("before all", 1), ("first", 2), ("second", 3)]

    move(ada, second, -1)
    assert order(kind) == [("before all", 1), ("second", 2), ("first", 3)]

    delete(ada, get(first.pk))
    assert order(kind) == [("before all", 1), ("second", 2)]

    with pytest.raises(NotAllowed):
        move(lena, second, -1)
    with pytest.raises(InvalidInput, match=r"'colour' is not a field of this rule\."):
        create(ada, name="odd", colour="red", **sets)
    with pytest.raises(InvalidInput, match="Positions start at 1"):
        create(ada, name="zero", position=0, **sets)
    with pytest.raises(NotFound, match=f"{missing} {first.pk}."):
        get(first.pk)
    assert order(kind) == [("before all", 1), ("second", 2)]

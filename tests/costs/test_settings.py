"""Admins change the cost settings: hourly cost per tier, developer hours, currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.costs.models import CostSettings
from frontline.costs.settings import update_cost_settings


def test_an_admin_changes_the_hourly_cost_budget_and_currency(ada):
    update_cost_settings(ada, tier3_hourly="125.50", currency="usd",
                         weekly_developer_budget_hours="30")
    current = CostSettings.current()
    assert (current.tier3_hourly, current.currency) == (Decimal("125.50"), "USD")
    assert current.weekly_developer_budget_hours == Decimal("30.00")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"tier1_hourly": "-1"}, "tier1_hourly", "The hourly cost at tier 1 cannot be negative."),
    ({"currency": "euro"}, "currency", "The currency is at most 3 characters."),
    ({"currency": "E1R"}, "currency", "The currency is a three-letter code such as EUR or USD."),
    ({"tier2_hourly": ""}, "tier2_hourly", "The hourly cost at tier 2 is required."),
    ({"overtime": "1"}, "overtime", "Unknown field overtime."),
])
def test_bad_cost_settings_say_what_is_wrong(ada, changes, field, message):
    before = CostSettings.current()
    with pytest.raises(InvalidInput) as caught:
        update_cost_settings(ada, **changes)
    assert (caught.value.field, caught.value.message) == (field, message)
    after = CostSettings.current()
    assert (after.tier1_hourly, after.currency) == (before.tier1_hourly, before.currency)


def test_only_admins_change_the_cost_settings(lena):
    with pytest.raises(NotAllowed):
        update_cost_settings(lena, tier1_hourly="1")

"""The cost settings an admin changes: the hourly cost of time at each tier, the
default size of a developer escalation, the weekly budget of developer hours and
the currency (one CostSettings row; frontline.costs.services prices time with it).
The desk settings page calls this."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.costs.models import CostSettings

# Field -> (label in messages, max_digits of the column).
COST_FIELDS = {
    "tier1_hourly": ("The hourly cost at tier 1", 8),
    "tier2_hourly": ("The hourly cost at tier 2", 8),
    "tier3_hourly": ("The hourly cost at tier 3", 8),
    "default_developer_hours": ("The default developer hours", 6),
    "weekly_developer_budget_hours": ("The weekly developer budget", 6),
}


@transaction.atomic
def update_cost_settings(actor: User, **changes: Any) -> CostSettings:
    """Hourly cost per tier, the default size of a developer escalation, the weekly
    budget of developer hours, the currency."""
    permissions.check_is_admin(actor)
    settings = CostSettings.current()
    settings = CostSettings.objects.select_for_update().get(pk=settings.pk)
    for field, value in changes.items():
        if field in COST_FIELDS:
            label, digits = COST_FIELDS[field]
            amount = inputs.money(value, field, label=label, max_digits=digits)
            if amount is None:
                raise InvalidInput(f"{label} is required.", field=field)
            setattr(settings, field, amount)
        elif field == "currency":
            currency = inputs.text(value, "currency", max_length=3, required=True,
                                   label="The currency").upper()
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise InvalidInput("The currency is a three-letter code such as EUR or USD.",
                                   field="currency")
            settings.currency = currency
        else:
            raise InvalidInput(f"Unknown field {field}.", field=field)
    settings.save()
    return settings

"""Support tiers: 1 (first line), 2 (specialists), 3 (developers)."""

from __future__ import annotations

from frontline.core.errors import InvalidInput
from frontline.core.inputs import whole_number

TIERS = (1, 2, 3)


def parse_tier(value: int | str | None, *, field: str = "tier") -> int:
    """1, 2 or 3 from user input; anything else is refused naming `field`."""
    tier = whole_number(value)
    if tier not in TIERS:
        raise InvalidInput(f"'{value}' is not a tier (1, 2 or 3).", field=field)
    return tier

"""Amounts, hours and counts as the assessments say them (the escalation
assessment in frontline.routing.assessment, a problem's impact in
frontline.insights.impact): one wording for both."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def money(amount: Decimal, currency: str) -> str:
    """"1,250 EUR": whole units, thousands separated."""
    return f"{amount.quantize(Decimal('1'), ROUND_HALF_UP):,} {currency}"


def hours_text(hours: Decimal) -> str:
    """"1 hour", "2.5 hours"."""
    text = f"{hours.normalize():f}"
    return f"{text} hour" if hours == 1 else f"{text} hours"


def plural(count: int, word: str) -> str:
    """"1 ticket", "3 tickets"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"

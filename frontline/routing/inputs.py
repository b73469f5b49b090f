"""Reading what an admin typed into a rule or a team: the values the routing
settings services share (desk and API send the same values). Plain values (names,
yes/no, durations, lists) are read by frontline.core.inputs; the order of rules by
frontline.routing.ordering. Records are found by their owners' finders: teams by
frontline.routing.teams.find_team, plans, products, versions and organizations by
frontline.customers.finders, calendars by frontline.sla.inputs, priorities and
categories by frontline.tickets.taxonomy."""

from __future__ import annotations

import re
from typing import Any

from frontline.core.accounts import find_assignee
from frontline.core.errors import InvalidInput
from frontline.core.inputs import blank, duration, split_list
from frontline.core.models import User
from frontline.core.tiers import parse_tier
from frontline.tickets.taxonomy import Channel, Priority

MAX_LIST = 500  # words and tags are stored comma-separated in 500 characters
MAX_TAG = 50


def channel(value: Any, *, field: str = "channel") -> str:
    if blank(value):
        return ""
    text = str(value).strip().lower()
    if text not in Channel.values:
        raise InvalidInput(f"'{value}' is not a channel ({', '.join(Channel.values)}).",
                           field=field)
    return text


def tier(value: Any, *, field: str) -> int | None:
    return None if blank(value) else parse_tier(value, field=field)


def priority_name(value: int | None) -> str | None:
    return Priority(value).name.lower() if value is not None else None


def staff_member(value: Any, *, field: str) -> User | None:
    """An active member of staff who can own tickets (core.accounts decides who)."""
    return find_assignee(value, field=field)


def words(value: Any, *, field: str = "words") -> str:
    found = split_list(value)
    for word in found:
        if not re.search(r"\w", word):
            raise InvalidInput(f"'{word}' has no letters or digits to look for.", field=field)
    joined = ", ".join(found)
    if len(joined) > MAX_LIST:
        raise InvalidInput(f"The words are longer than {MAX_LIST} characters together.",
                           field=field)
    return joined


def tags(value: Any, *, field: str = "set_tags") -> str:
    found = split_list(value)
    for tag in found:
        if any(ord(char) < 32 or ord(char) == 127 for char in tag):
            # A control character is no part of a word (and PostgreSQL refuses a NUL).
            raise InvalidInput("A tag cannot hold control characters.", field=field)
        if len(tag) > MAX_TAG:
            raise InvalidInput(f"The tag '{tag[:20]}…' is longer than {MAX_TAG} characters.",
                               field=field)
    joined = ", ".join(found)
    if len(joined) > MAX_LIST:
        raise InvalidInput(f"The tags are longer than {MAX_LIST} characters together.",
                           field=field)
    return joined


def minutes(value: Any, *, field: str) -> int | None:
    """Minutes from a number or what an admin types: "4h", "2h 30m", "90m"."""
    if blank(value):
        return None
    number = duration(value, field, label="The time")
    if number is None or number < 1 or number > 525_600:
        raise InvalidInput("Give between 1 minute and a year (525600 minutes).", field=field)
    return number

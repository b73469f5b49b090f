"""Reading what an admin typed into a rule or a team: the lookups the routing
settings services share (desk and API send the same values). Plain values (names,
yes/no, durations, lists) are read by frontline.core.inputs; the order of rules by
frontline.routing.ordering."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db import models

from frontline.core.errors import InvalidInput
from frontline.core.inputs import blank, duration, split_list
from frontline.core.models import Role, User
from frontline.core.tiers import parse_tier
from frontline.customers.models import Organization, Plan, Product, Version
from frontline.routing.models import Team
from frontline.sla.models import BusinessCalendar
from frontline.tickets.models import Category, Channel, Priority

MAX_LIST = 500  # words and tags are stored comma-separated in 500 characters
MAX_TAG = 50

Row = TypeVar("Row", bound=models.Model)


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


def priority(value: Any, *, field: str) -> int | None:
    if blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value in Priority.values:
        return int(value)
    text = str(value).strip()
    if text.isdigit() and int(text) in Priority.values:
        return int(text)
    found = Priority.from_name(text)
    if found is None:
        names = ", ".join(p.name.lower() for p in Priority)
        raise InvalidInput(f"'{value}' is not a priority ({names}).", field=field)
    return found.value


def priority_name(value: int | None) -> str | None:
    return Priority(value).name.lower() if value is not None else None


def _by_id_or(model: type[Row], value: Any, *, text_field: str) -> Row | None:
    text = str(value).strip()
    found = None
    if isinstance(value, int) or text.isdigit():
        found = model._default_manager.filter(pk=int(text)).first()
    return found or model._default_manager.filter(**{f"{text_field}__iexact": text}).first()


def category(value: Any, *, field: str = "category") -> Category | None:
    if blank(value):
        return None
    text = str(value).strip()
    found = (Category.objects.filter(slug=text).first()
             or _by_id_or(Category, value, text_field="name"))
    if found is None:
        names = ", ".join(Category.objects.values_list("slug", flat=True)) or "none defined"
        raise InvalidInput(f"No category '{value}' (categories: {names}).", field=field)
    return found


def product(value: Any, *, field: str = "product") -> Product | None:
    if blank(value):
        return None
    text = str(value).strip()
    found = (Product.objects.filter(slug=text).first()
             or _by_id_or(Product, value, text_field="name"))
    if found is None:
        raise InvalidInput(f"No product '{value}'.", field=field)
    return found


def version(found_product: Product | None, value: Any, *, field: str = "version") -> Version | None:
    if blank(value):
        return None
    if found_product is None:
        raise InvalidInput("A version needs a product.", field=field)
    text = str(value).strip()
    found = Version.objects.filter(product=found_product, name=text).first()
    if found is None and text.isdigit():
        found = Version.objects.filter(product=found_product, pk=int(text)).first()
    if found is None:
        raise InvalidInput(f"{found_product.name} has no version '{value}'.", field=field)
    return found


def plan(value: Any, *, field: str = "plan") -> Plan | None:
    if blank(value):
        return None
    text = str(value).strip()
    found = Plan.objects.filter(slug=text).first() or _by_id_or(Plan, value, text_field="name")
    if found is None:
        names = ", ".join(Plan.objects.values_list("slug", flat=True)) or "none defined"
        raise InvalidInput(f"No plan '{value}' (plans: {names}).", field=field)
    return found


def organization(value: Any, *, field: str = "organization") -> Organization | None:
    if blank(value):
        return None
    text = str(value).strip()
    found = None
    if isinstance(value, int) or text.isdigit():
        found = Organization.objects.filter(pk=int(text)).first()
    if found is None:
        matches = list(Organization.objects.filter(name__iexact=text)[:2])
        if len(matches) > 1:
            raise InvalidInput(f"Several organizations are called '{text}'; give its id.",
                               field=field)
        found = matches[0] if matches else None
    if found is None:
        raise InvalidInput(f"No organization '{value}'.", field=field)
    return found


def team(value: Any, *, field: str = "team") -> Team | None:
    if blank(value):
        return None
    found = _by_id_or(Team, value, text_field="name")
    if found is None:
        raise InvalidInput(f"No team '{value}'.", field=field)
    return found


def calendar(value: Any, *, field: str = "calendar") -> BusinessCalendar | None:
    if blank(value):
        return None
    found = _by_id_or(BusinessCalendar, value, text_field="name")
    if found is None:
        raise InvalidInput(f"No business calendar '{value}'.", field=field)
    return found


def staff_member(value: Any, *, field: str) -> User | None:
    """An active member of staff who can own tickets (not a viewer)."""
    if blank(value):
        return None
    if isinstance(value, User):
        user: User | None = value
    else:
        text = str(value).strip()
        user = User.objects.filter(username=text).first()
        if user is None and text.isdigit():
            user = User.objects.filter(pk=int(text)).first()
    if user is None or not user.is_active:
        raise InvalidInput(f"No active member of staff '{value}'.", field=field)
    if user.role == Role.VIEWER and not user.is_admin:
        raise InvalidInput(f"{user.username} is a viewer and cannot work tickets.", field=field)
    return user


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

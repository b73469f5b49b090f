"""The words a ticket is described with: status, priority, channel, category, tag.

They sit in their own module, below the ticket itself, because configuration
names them too: routing rules match a channel and a category and set a
priority, SLA policies are per priority. Configuration may import this module;
it may not import the ticket (the import contract in pyproject.toml says so).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from frontline.core.errors import InvalidInput
from frontline.core.inputs import blank
from frontline.core.lookup import as_id, find_row


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING_CUSTOMER = "pending_customer", "Pending customer"
    PENDING_INTERNAL = "pending_internal", "Pending internal"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# Statuses in which somebody still owes somebody an answer.
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.PENDING_INTERNAL)
PENDING_STATUSES = (Status.PENDING_CUSTOMER, Status.PENDING_INTERNAL)


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"

    @classmethod
    def from_name(cls, name: str) -> Priority | None:
        for member in cls:
            if member.name.lower() == (name or "").strip().lower():
                return member
        return None


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEB = "web", "Web form"
    PORTAL = "portal", "Portal"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat"
    API = "api", "API"


class FollowUp(models.TextChoices):
    """What happens when a new request by email lacks required facts (frontline.intake)."""

    OFF = "off", "Off"
    SUGGEST = "suggest", "Suggest to the agent"
    SEND = "send", "Send automatically"


# The category whose questions every request is asked, before its own category's.
STANDARD_CATEGORY = "standard"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    follow_up = models.CharField(max_length=10, choices=FollowUp.choices, default=FollowUp.SEND)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def find_priority(value: Any, *, field: str = "priority",
                  empty_means: str | None = None) -> Priority | None:
    """The priority a person gave: a Priority, its number (1-4) or its name
    ("urgent", any case); None when empty. Where empty means something (an SLA
    policy for "any" priority), `empty_means` names it: that word is read as empty
    too, and the refusal says so. InvalidInput naming `field` and the choices."""
    if isinstance(value, Priority):
        return value
    text = "" if value is None else str(value).strip()
    if blank(value) or (empty_means is not None and text.lower() == empty_means):
        return None
    number = as_id(value)
    if number is not None and number in Priority.values:
        return Priority(number)
    found = Priority.from_name(text) if isinstance(value, str) else None
    if found is None:
        names = ", ".join(p.name.lower() for p in Priority)
        if empty_means is not None:
            names += f", or empty for {empty_means}"
        raise InvalidInput(f"No priority '{value}' ({names}).", field=field)
    return found


def find_category(value: Category | int | str | None, *,
                  field: str = "category") -> Category | None:
    """The category with this slug, id or name (any case); None when empty.
    InvalidInput naming `field` and the categories there are."""
    category = find_row(Category.objects.all(), value, exact=("slug",), iexact=("slug", "name"))
    if category is None and not blank(value):
        names = ", ".join(Category.objects.values_list("slug", flat=True)) or "none defined"
        raise InvalidInput(f"No category '{value}' (categories: {names}).", field=field)
    return category

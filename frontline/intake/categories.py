"""Categories (admins): name, slug, description and what happens when a new
request lacks required facts (follow_up: off, suggest to the agent, send).

The Category row belongs to the tickets app's taxonomy (routing rules and SLA
policies name categories below the ticket); its operations live here, with the
question sets that give a category its meaning. The category `standard` holds
the questions every request answers: its slug is how the intake finds it, so
it cannot change.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.text import slugify

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.intake.questions import MAX_KEY
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category, FollowUp

CATEGORY_FIELDS = ("name", "slug", "description", "follow_up")
MAX_NAME = 100
MAX_DESCRIPTION = 2000


def categories() -> QuerySet[Category]:
    """Every category, the standard one first, then by name; each with
    `published_version` (None before the first publish)."""
    return Category.objects.annotate(
        published_version=Max("question_sets__version"),
        is_standard=Q(slug=STANDARD_CATEGORY),
    ).order_by("-is_standard", "name")


def follow_up(value: Any, field: str = "follow_up") -> str:
    """off, suggest or send (the default when empty)."""
    found = FollowUp.SEND.value if inputs.blank(value) else str(value).strip().lower()
    if found not in FollowUp.values:
        raise InvalidInput(f"'{value}' is not a follow-up mode ({', '.join(FollowUp.values)}).",
                           field=field)
    return found


def _slug(value: Any) -> str:
    found = str(value or "").strip().lower()
    if not found:
        raise InvalidInput("A category needs a slug.", field="slug")
    if len(found) > MAX_KEY:
        raise InvalidInput(f"The slug is at most {MAX_KEY} characters.", field="slug")
    if slugify(found) != found:
        raise InvalidInput(f"The slug '{found}' may hold only lower-case letters, digits, "
                           f"- and _.", field="slug")
    return found


def _apply(category: Category, changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(CATEGORY_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not a field of a category.", field=unknown[0])
    others = Category.objects.exclude(pk=category.pk) if category.pk else Category.objects.all()
    if "name" in changes:
        name = inputs.name(changes["name"], what="A category", max_length=MAX_NAME)
        clash = others.filter(name__iexact=name).first()
        if clash is not None:
            raise InvalidInput(f"There is already a category called {clash.name}.", field="name")
        category.name = name
    if "slug" in changes:
        slug = _slug(changes["slug"])
        if category.slug == STANDARD_CATEGORY and slug != STANDARD_CATEGORY:
            raise InvalidInput("The standard category's slug stays 'standard': its questions "
                               "are found by it.", field="slug")
        if others.filter(slug=slug).exists():
            raise InvalidInput(f"There is already a category with the slug '{slug}'.",
                               field="slug")
        category.slug = slug
    if "description" in changes:
        category.description = inputs.text(changes["description"], "description",
                                           max_length=MAX_DESCRIPTION)
    if "follow_up" in changes:
        category.follow_up = follow_up(changes["follow_up"])


@transaction.atomic
def create_category(actor: User, name: Any, slug: Any = None, description: Any = "",
                    follow_up: Any = None) -> Category:
    """Add a category; its slug comes from the name when not given. Admins only."""
    permissions.check_is_admin(actor)
    category = Category()
    name_found = inputs.name(name, what="A category", max_length=MAX_NAME)
    _apply(category, {"name": name_found,
                      "slug": slugify(name_found)[:MAX_KEY] if inputs.blank(slug) else slug,
                      "description": description, "follow_up": follow_up})
    category.save()
    return categories().get(pk=category.pk)


@transaction.atomic
def update_category(actor: User, category: Category, **changes: Any) -> Category:
    """Change a category's name, slug, description or follow-up mode. Admins only."""
    permissions.check_is_admin(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    _apply(category, changes)
    category.save()
    return categories().get(pk=category.pk)

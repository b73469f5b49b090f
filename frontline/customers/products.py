"""Our products and their releases (admins): what a ticket, a deployment and the
intake's version question name.

A product is found by its slug or name, a version by its exact name within its
product (frontline.customers.finders). Names and slugs are unique; a clash is an
InvalidInput naming the field (422), as for categories, teams and plans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils.text import slugify

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.models import Product, Version

MAX_NAME = 200  # Product.name
MAX_SLUG = 50  # Product.slug
MAX_VERSION = 50  # Version.name
MAX_VERSIONS = 500  # in one request


def versions_in_order() -> QuerySet[Version]:
    """Oldest release first; versions without a release date last, by name. Explicit
    about the empty dates: PostgreSQL and SQLite sort NULL at opposite ends."""
    return Version.objects.order_by(F("released_on").asc(nulls_last=True), "name", "pk")


def products() -> QuerySet[Product]:
    """Every product by name, with its versions (versions_in_order) in one more query."""
    return Product.objects.order_by("name").prefetch_related(
        Prefetch("versions", queryset=versions_in_order()))


def _slug(value: Any) -> str:
    found = str(value or "").strip().lower()
    if not found:
        raise InvalidInput("Give the product a slug (letters or digits, e.g. atlas-server).",
                           field="slug")
    if len(found) > MAX_SLUG:
        raise InvalidInput(f"The slug is at most {MAX_SLUG} characters.", field="slug")
    if slugify(found) != found:
        raise InvalidInput(f"The slug '{found}' may hold only lower-case letters, digits, "
                           "- and _.", field="slug")
    return found


def version_name(value: Any, field: str = "version") -> str:
    """A version as it is written ("4.2.1", "2024.3 LTS"): one line, trimmed."""
    found = " ".join(str(value or "").split())
    if not found:
        raise InvalidInput("A version needs a name, e.g. 4.2.1.", field=field)
    if len(found) > MAX_VERSION:
        raise InvalidInput(f"A version is at most {MAX_VERSION} characters.", field=field)
    return found


def _new_versions(product: Product, versions: Sequence[Mapping[str, Any]], *,
                  listed: bool) -> list[Version]:
    """Unsaved versions of `product`, each checked. A name twice, or one the product
    has already, is refused naming its entry: `versions.2.version` for the entries
    of a list (`listed`), `version` for a single one."""
    if len(versions) > MAX_VERSIONS:
        raise InvalidInput(f"At most {MAX_VERSIONS} versions at once.", field="versions")
    taken = ({name.lower(): name for name in product.versions.values_list("name", flat=True)}
             if product.pk else {})
    new = []
    for number, version in enumerate(versions):
        prefix = f"versions.{number}." if listed else ""
        name = version_name(version.get("version"), field=f"{prefix}version")
        # Versions are found by their exact name, but "4.2-RC1" beside "4.2-rc1" would
        # read as one release to every person.
        clash = taken.get(name.lower())
        if clash is not None:
            raise InvalidInput(f"{product.name} has a version '{clash}' already.",
                               field=f"{prefix}version")
        taken[name.lower()] = name
        released_on = inputs.day(version.get("released_on"), f"{prefix}released_on",
                                 label="The release date")
        new.append(Version(product=product, name=name, released_on=released_on))
    return new


@transaction.atomic
def create_product(actor: User, *, name: Any, slug: Any = None,
                   versions: Sequence[Mapping[str, Any]] = ()) -> Product:
    """Add a product with its releases so far; the slug comes from the name unless
    given. Admins only."""
    permissions.check_is_admin(actor)
    found_name = inputs.name(name, what="A product", max_length=MAX_NAME)
    found_slug = _slug(slugify(found_name)[:MAX_SLUG] if inputs.blank(slug) else slug)
    clash = Product.objects.filter(name__iexact=found_name).first()
    if clash is not None:
        raise InvalidInput(f"There is already a product called {clash.name}.", field="name")
    if Product.objects.filter(slug=found_slug).exists():
        raise InvalidInput(f"There is already a product with the slug '{found_slug}'; "
                           "give another slug.", field="slug")
    product = Product(name=found_name, slug=found_slug)
    new = _new_versions(product, versions, listed=True)
    product.save()
    Version.objects.bulk_create(new)
    return products().get(pk=product.pk)


@transaction.atomic
def add_version(actor: User, product: Product, *, version: Any,
                released_on: date | str | None = None) -> Version:
    """A new release of `product`. Admins only."""
    permissions.check_is_admin(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    new = _new_versions(product, [{"version": version, "released_on": released_on}],
                        listed=False)[0]
    new.save()
    return new

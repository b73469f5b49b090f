"""Finding customers' records from what a person typed: one finder per concept
(plan, product, version, organization), used by every app and face.

Each takes the record itself, its id or its name (a slug too where it has one),
returns None for an empty value, and refuses a value that names nothing with
InvalidInput naming the caller's `field`, so a form shows it next to that field
and the API answers 422. A face that loads a record named in its URL turns that
refusal into a 404 (frontline.api: "There is no plan 'x'.").
"""

from __future__ import annotations

from django.db.models import QuerySet

from frontline.core.errors import InvalidInput
from frontline.core.inputs import blank
from frontline.core.lookup import find_row
from frontline.customers.models import Organization, Plan, Product, Version


def find_plan(value: Plan | int | str | None, *, field: str = "plan") -> Plan | None:
    """The plan with this slug, id or name (any case); None when empty."""
    plan = find_row(Plan.objects.all(), value, exact=("slug",), iexact=("slug", "name"))
    if plan is None and not blank(value):
        names = ", ".join(Plan.objects.values_list("slug", flat=True)) or "none defined"
        raise InvalidInput(f"No plan '{value}' (plans: {names}).", field=field)
    return plan


def find_product(value: Product | int | str | None, *,
                 field: str = "product") -> Product | None:
    """The product with this slug, id or name (any case); None when empty."""
    product = find_row(Product.objects.all(), value, exact=("slug",), iexact=("slug", "name"))
    if product is None and not blank(value):
        raise InvalidInput(f"No product '{value}'.", field=field)
    return product


def find_version(product: Product | None, value: Version | int | str | None, *,
                 field: str = "version") -> Version | None:
    """The version of `product` with this name (exactly: "4.2" is not "4.2.0") or id;
    None when empty. A version without a product, or of another product, is refused."""
    if blank(value):
        return None
    if product is None:
        raise InvalidInput("A version needs a product.", field=field)
    version = find_row(Version.objects.filter(product=product), value, exact=("name",))
    if version is None or version.product_id != product.pk:
        raise InvalidInput(f"{product.name} has no version '{value}'.", field=field)
    return version


def find_organization(value: Organization | int | str | None, *, field: str = "organization",
                      rows: QuerySet[Organization] | None = None) -> Organization | None:
    """The organization with this id or name (any case); None when empty. Names are
    not unique: a name that two organizations share is refused, asking for the id.
    `rows` is where to look, e.g. with what a page shows already loaded."""
    rows = Organization.objects.all() if rows is None else rows
    found = find_row(rows, value)
    if found is None and isinstance(value, str) and not blank(value):
        matches = list(rows.filter(name__iexact=value.strip())[:2])
        if len(matches) > 1:
            raise InvalidInput(f"Several organizations are called '{value.strip()}'; "
                               "give its id.", field=field)
        found = matches[0] if matches else None
    if found is None and not blank(value):
        raise InvalidInput(f"No organization '{value}'.", field=field)
    return found

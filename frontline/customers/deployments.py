"""Which of our products an organization runs, in which version, since when.

An organization's deployments are its version history: one row per change
(product, version, since). The version in use at a time is, for each product, the
one of the row with the latest `since` on or before that day. Days are read in the
server's time zone (settings.TIME_ZONE), the one the desk shows dates in.

This module is the one owner of that reading (`deployment_at`, `deployed_products`,
`in_use`) and of checking a list of deployments as people type it
(`clean_deployments`, for the desk and the API alike). A ticket's product and
version default to what the requester's organization ran when it arrived:
frontline.workflow.opening asks `in_use`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from frontline.core import inputs
from frontline.core.errors import InvalidInput
from frontline.customers.finders import find_product, find_version
from frontline.customers.models import Deployment, Organization, Product, Version

FIELD = "deployments"
MAX_DEPLOYMENTS = 200  # in one list: years of monthly upgrades of several products


def day_of(at: date | datetime) -> date:
    """The day `at` falls on: a datetime in the server's time zone, a date as it is."""
    if isinstance(at, datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def in_order() -> QuerySet[Deployment]:
    """Deployments by product name, then oldest first, each with its product and
    version: how a history is listed (and prefetched for many organizations)."""
    return (Deployment.objects.select_related("product", "version")
            .order_by("product__name", "product_id", "since"))


def history(organization: Organization | int) -> QuerySet[Deployment]:
    """The organization's deployments, in_order (one query)."""
    return in_order().filter(organization=organization)


def deployed_products(organization: Organization | int,
                      at: date | datetime) -> list[Deployment]:
    """The deployment in effect at `at` of each product the organization runs, by
    product name (one query). Its `version` is None for a product without versions
    or when nobody knew the version."""
    return in_effect(history(organization).filter(since__lte=day_of(at)), at)


def in_effect(deployments: Iterable[Deployment], at: date | datetime) -> list[Deployment]:
    """Of an organization's deployments in_order, the one in effect at `at` per
    product (no query: the batched mail import reads each history once)."""
    day = day_of(at)
    current: dict[int, Deployment] = {}
    for deployment in deployments:
        # Oldest first within each product: the last one seen is the one in effect.
        if deployment.since <= day:
            current[deployment.product_id] = deployment
    return list(current.values())


def deployment_at(organization: Organization | int, product: Product | int,
                  at: date | datetime) -> Version | None:
    """The version of `product` the organization ran at `at`; None when it did not
    run it then, or the version is not known."""
    found = (Deployment.objects.filter(organization=organization, product=product,
                                       since__lte=day_of(at))
             .select_related("version__product").order_by("-since").first())
    return found.version if found is not None else None


def in_use(organization: Organization | int, at: date | datetime,
           product: Product | None = None,
           deployments: Iterable[Deployment] | None = None) -> Deployment | None:
    """What a request from the organization at `at` is most likely about: the
    deployment of `product` then; without a product, the one product it ran then,
    if it ran exactly one (with two, guessing would be wrong half the time).
    `deployments`: the organization's history in_order, when the caller has read it."""
    running = (in_effect(deployments, at) if deployments is not None
               else deployed_products(organization, at))
    if product is not None:
        return next((d for d in running if d.product_id == product.pk), None)
    return running[0] if len(running) == 1 else None


def clean_deployments(rows: Sequence[Mapping[str, Any]] | None) -> list[Deployment]:
    """Unsaved deployments from what was typed: [{product, version, since}], product
    by slug, name or id, version by its name within that product (or empty), since a
    day (YYYY-MM-DD). A refusal names the entry: `deployments.2.version`."""
    rows = rows or []
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise InvalidInput("Deployments are a list of {product, version, since}.", field=FIELD)
    if len(rows) > MAX_DEPLOYMENTS:
        raise InvalidInput(f"At most {MAX_DEPLOYMENTS} deployments.", field=FIELD)
    found: list[Deployment] = []
    seen: set[tuple[int, date]] = set()
    for number, row in enumerate(rows):
        at = f"{FIELD}.{number}"
        if not isinstance(row, Mapping):
            raise InvalidInput("A deployment is {product, version, since}.", field=at)
        product = find_product(row.get("product"), field=f"{at}.product")
        if product is None:
            raise InvalidInput("Name the product (its slug or name).", field=f"{at}.product")
        version = find_version(product, row.get("version"), field=f"{at}.version")
        since = inputs.day(row.get("since"), f"{at}.since", label="The day it began")
        if since is None:
            raise InvalidInput("Give the day this version came into use (YYYY-MM-DD).",
                               field=f"{at}.since")
        if (product.pk, since) in seen:
            raise InvalidInput(f"{product.name} has two entries from {since:%Y-%m-%d}; "
                               "keep one.", field=f"{at}.since")
        seen.add((product.pk, since))
        found.append(Deployment(product=product, version=version, since=since))
    return found


def do_set_deployments(organization: Organization, deployments: list[Deployment]) -> None:
    """Replace the organization's history with `deployments` (from clean_deployments).
    The caller holds the transaction and has checked the permission."""
    Deployment.objects.filter(organization=organization).delete()
    for deployment in deployments:
        deployment.organization = organization
    Deployment.objects.bulk_create(deployments)

"""Products and their versions: list, read, add a product, add a release.

Every member of staff reads them; only admins add them (403 otherwise). A
product is named by its slug in the path (404 when there is none). A name, slug
or version that exists already is 422 naming the field, as for categories.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.errors import in_path
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, IsoDate, NonEmptyText, Text
from frontline.customers import products
from frontline.customers.finders import find_product
from frontline.customers.models import Product

router = Router(tags=["products"])

Name = Annotated[NonEmptyText, Field(max_length=products.MAX_NAME)]
Slug = Annotated[Text, Field(max_length=products.MAX_SLUG)]
VersionName = Annotated[NonEmptyText, Field(max_length=products.MAX_VERSION)]


class VersionOut(Schema):
    version: str
    released_on: date | None


class ProductOut(Schema):
    slug: str
    name: str
    versions: list[VersionOut] = Field(description="Oldest release first; versions without "
                                                   "a release date last.")


class ProductListOut(Schema):
    items: list[ProductOut]


class VersionIn(InputSchema):
    version: VersionName = Field(examples=["4.2.1"])
    released_on: IsoDate | None = None


class ProductIn(InputSchema):
    name: Name
    slug: Slug | None = Field(None, description="By default from the name.")
    versions: list[VersionIn] = Field([], max_length=products.MAX_VERSIONS)


def product_out(product: Product) -> dict[str, Any]:
    return {"slug": product.slug, "name": product.name,
            "versions": [{"version": v.name, "released_on": v.released_on}
                         for v in product.versions.all()]}


def _product(slug: str) -> Product:
    """The product named in the path, with its versions."""
    return in_path(find_product, slug, field="slug")


def _listed(product: Product) -> dict[str, Any]:
    return product_out(products.products().get(pk=product.pk))


@router.get("/products", response={200: ProductListOut, **ERROR_RESPONSES})
def list_products(request: HttpRequest) -> dict[str, Any]:
    """Every product by name, each with its versions."""
    return {"items": [product_out(p) for p in products.products()]}


@router.post("/products", response={201: ProductOut, **ERROR_RESPONSES})
def create_product(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    """Add a product, with its releases so far. Admins only."""
    product = products.create_product(request_user(request), **payload.model_dump())
    return Status(201, product_out(product))


@router.get("/products/{slug}", response={200: ProductOut, **ERROR_RESPONSES})
def get_product(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _listed(_product(slug))


@router.post("/products/{slug}/versions", response={201: ProductOut, **ERROR_RESPONSES})
def add_version(request: HttpRequest, slug: str, payload: VersionIn) -> Status[dict[str, Any]]:
    """Add a release of the product; answers the product with all its versions.
    Admins only."""
    product = _product(slug)
    products.add_version(request_user(request), product, **payload.model_dump())
    return Status(201, _listed(product))

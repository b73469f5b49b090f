"""Organizations and their contacts: list, read, create, change.

Every member of staff may read them; admins and agents may change them
(viewers and developers get 403).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.errors import in_path
from frontline.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from frontline.api.schemas import (
    ERROR_RESPONSES,
    Id,
    InputSchema,
    IsoDate,
    LargeMoney,
    NonEmptyText,
    Omissible,
    Text,
)
from frontline.core import email_address, paging
from frontline.core.errors import NotFound
from frontline.customers import deployments, services
from frontline.customers.finders import find_organization
from frontline.customers.models import (
    Contact,
    ContactEmail,
    EnvironmentFact,
    Organization,
    OrganizationDomain,
)
from frontline.workflow import organizations

router = Router(tags=["customers"])

Domain = Annotated[Text, Field(max_length=253)]
# Checked by frontline.core.email_address, not pydantic's EmailStr: UTF-8 local parts
# and international domains (RFC 6531) are addresses too.
Email = Annotated[NonEmptyText, Field(
    max_length=254, description="An email address; UTF-8 (inês@bücher.example) welcome.")]
FactKey = Annotated[Text, Field(max_length=100)]
FactValue = Annotated[Text, Field(max_length=500)]
Seats = Annotated[int, Field(ge=0, le=services.MAX_SEATS,
                             description="Licensed users; null while not known.")]


# -- shapes -------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    domains: list[str]
    plan: str | None = Field(description="The plan's slug.")
    plan_starts_on: date | None = Field(description="The contract's first day (none: open).")
    plan_ends_on: date | None = Field(description="The contract's last day (none: open); "
                                      "outside the contract the default plan applies.")
    annual_contract_value: str = Field(examples=["250000.00"])
    account_manager: str | None = Field(description="The account manager's username.")
    notes: str
    environment: dict[str, str] = Field(examples=[{"os": "Ubuntu 22.04"}])
    seats: int | None = Field(description="Licensed users; null while not known.")
    deployments: list[DeploymentOut] = Field(
        description="The version history, by product then oldest first: the version in "
                    "use on a day is the one with the latest `since` on or before it.")
    contacts_count: int
    created_at: datetime


class DeploymentOut(Schema):
    product: str = Field(description="The product's slug.")
    version: str | None = Field(description="Null for a product without versions, or "
                                            "when the version is not known.")
    since: date = Field(description="The first day this version was in use.")


class DeploymentIn(InputSchema):
    product: Annotated[NonEmptyText, Field(max_length=200)] = Field(
        description="The product's slug or name.")
    version: Annotated[Text, Field(max_length=50)] | None = Field(
        None, description="A version of that product, by its name (exactly: 4.2 is not "
                          "4.2.0).")
    since: IsoDate


class OrganizationRefOut(Schema):
    id: int
    name: str


class ContactOut(Schema):
    id: int
    name: str
    emails: list[str] = Field(description="The primary address first.")
    phone: str
    organization: OrganizationRefOut | None
    timezone: str
    language: str
    created_at: datetime


class OrganizationPageOut(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class ContactPageOut(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class OrganizationIn(InputSchema):
    name: Annotated[NonEmptyText, Field(max_length=200)]
    domains: list[Domain] = []
    plan: Text | None = Field(None, description="A plan slug; the default plan when absent.")
    annual_contract_value: LargeMoney = Decimal("0")
    account_manager: Text | None = Field(None, description="A username.")
    notes: Text = ""
    environment: dict[FactKey, FactValue] = {}
    seats: Seats | None = None
    deployments: list[DeploymentIn] = []


class OrganizationPatchIn(InputSchema):
    """Only the fields sent change; `domains`, `environment` and `deployments` replace
    the old ones. name and annual_contract_value may be left out but not set to null."""

    name: Omissible[Annotated[NonEmptyText, Field(max_length=200)]] = None
    domains: list[Domain] | None = None
    plan: Text | None = Field(None, description="A plan slug. The plan and the contract "
                              "dates are changed by admins only.")
    plan_starts_on: IsoDate | None = None
    plan_ends_on: IsoDate | None = None
    annual_contract_value: Omissible[LargeMoney] = None
    account_manager: Text | None = None
    notes: Text | None = None
    environment: dict[FactKey, FactValue] | None = None
    seats: Seats | None = None
    deployments: list[DeploymentIn] | None = None


class ContactIn(InputSchema):
    emails: Annotated[list[Email], Field(min_length=1, max_length=50)]
    name: Annotated[Text, Field(max_length=200)] = ""
    organization: Id | None = Field(None, description="An organization id; by default the "
                                                      "one owning the email's domain.")
    phone: Annotated[Text, Field(max_length=50)] = ""
    timezone: Annotated[NonEmptyText, Field(max_length=64)] = "UTC"
    language: Annotated[Text, Field(max_length=16)] = "en"


class ContactPatchIn(InputSchema):
    emails: Omissible[Annotated[list[Email], Field(min_length=1, max_length=50)]] = None
    name: Annotated[Text, Field(max_length=200)] | None = None
    organization: Id | None = Field(None, description="An organization id; null removes "
                                                      "the contact from theirs.")
    phone: Annotated[Text, Field(max_length=50)] | None = None
    timezone: Omissible[Annotated[NonEmptyText, Field(max_length=64)]] = None
    language: Annotated[Text, Field(max_length=16)] | None = None


class CustomerFilters(Schema):
    q: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Part of a name or an email address (or domain).")
    cursor: Text | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


class ContactFilters(CustomerFilters):
    organization: Id | None = None


# -- loading and rendering ----------------------------------------------------


def _organizations() -> QuerySet[Organization]:
    contacts = (Contact.objects.filter(organization=OuterRef("pk")).order_by()
                .values("organization").annotate(n=Count("pk")).values("n"))
    return (
        Organization.objects.select_related("plan", "account_manager")
        .prefetch_related(
            Prefetch("domains", queryset=OrganizationDomain.objects.order_by("domain")),
            Prefetch("environment",
                     queryset=EnvironmentFact.objects.filter(contact__isnull=True)),
            Prefetch("deployments", queryset=deployments.in_order()),
        )
        .annotate(contacts_count=Subquery(contacts, output_field=IntegerField()))
    )


def _contacts() -> QuerySet[Contact]:
    return Contact.objects.select_related("organization").prefetch_related(
        Prefetch("emails", queryset=ContactEmail.objects.all()))


def organization_out(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "name": organization.name,
        "domains": [d.domain for d in organization.domains.all()],
        "plan": organization.plan.slug if organization.plan else None,
        "plan_starts_on": organization.plan_starts_on,
        "plan_ends_on": organization.plan_ends_on,
        "annual_contract_value": f"{organization.annual_contract_value:.2f}",
        "account_manager": (organization.account_manager.username
                            if organization.account_manager else None),
        "notes": organization.notes,
        "environment": {f.key: f.value for f in organization.environment.all()},
        "seats": organization.seats,
        "deployments": [{"product": d.product.slug,
                         "version": d.version.name if d.version else None, "since": d.since}
                        for d in organization.deployments.all()],
        "contacts_count": getattr(organization, "contacts_count", None) or 0,
        "created_at": organization.created_at,
    }


def contact_out(contact: Contact) -> dict[str, Any]:
    organization = contact.organization
    return {
        "id": contact.pk,
        "name": contact.name,
        "emails": [e.address for e in contact.emails.all()],
        "phone": contact.phone,
        "organization": ({"id": organization.pk, "name": organization.name}
                         if organization else None),
        "timezone": contact.timezone,
        "language": contact.language,
        "created_at": contact.created_at,
    }


def _organization(organization_id: int) -> Organization:
    return in_path(find_organization, organization_id, rows=_organizations())


def _contact(contact_id: int) -> Contact:
    contact = _contacts().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"There is no contact {contact_id}.")
    return contact


PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# -- organizations ------------------------------------------------------------


@router.get("/organizations", response={200: OrganizationPageOut, **ERROR_RESPONSES})
def list_organizations(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, Any]:
    """Organizations in the order they were added, `q` matching name or email domain."""
    organizations = _organizations()
    if filters.q:
        q = filters.q.strip()
        domain = email_address.readable(q.rpartition("@")[2])
        organizations = organizations.filter(
            Q(name__icontains=q)
            | Q(pk__in=OrganizationDomain.objects.filter(
                Q(domain__icontains=email_address.readable(q))
                | Q(domain__in=email_address.domain_lookup_forms(domain)))
                .values("organization_id")))
    page = paging.page(organizations, paging.BY_ID, cursor=filters.cursor, limit=filters.limit)
    return {"items": [organization_out(o) for o in page.rows], "next_cursor": page.next_cursor}


@router.get("/organizations/{organization_id}",
            response={200: OrganizationOut, **ERROR_RESPONSES})
def get_organization(request: HttpRequest, organization_id: PathId) -> dict[str, Any]:
    return organization_out(_organization(organization_id))


@router.post("/organizations", response={201: OrganizationOut, **ERROR_RESPONSES})
def create_organization(request: HttpRequest,
                        payload: OrganizationIn) -> Status[dict[str, Any]]:
    """Add an organization. Admins and agents only."""
    organization = services.create_organization(request_user(request), **payload.model_dump())
    return Status(201, organization_out(_organization(organization.pk)))


@router.patch("/organizations/{organization_id}",
              response={200: OrganizationOut, **ERROR_RESPONSES})
def update_organization(request: HttpRequest, organization_id: PathId,
                        payload: OrganizationPatchIn) -> dict[str, Any]:
    """Change an organization. Admins and agents only, and its plan and contract dates
    admins only (as in the desk); all changes apply or none."""
    organization = _organization(organization_id)
    changes = payload.model_dump(exclude_unset=True)
    organizations.update_organization(request_user(request), organization, **changes)
    return organization_out(_organization(organization.pk))


# -- contacts -----------------------------------------------------------------


@router.get("/contacts", response={200: ContactPageOut, **ERROR_RESPONSES})
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> dict[str, Any]:
    """Contacts in the order they were added, `q` matching name or email address."""
    contacts = _contacts()
    if filters.q:
        q = filters.q.strip()
        # Addresses are stored lower-case with Unicode domains: `xn--` is read as one.
        address = email_address.readable(q)
        contacts = contacts.filter(
            Q(name__icontains=q)
            | Q(pk__in=ContactEmail.objects.filter(address__icontains=address)
                .values("contact_id")))
    if filters.organization:
        contacts = contacts.filter(organization_id=filters.organization)
    page = paging.page(contacts, paging.BY_ID, cursor=filters.cursor, limit=filters.limit)
    return {"items": [contact_out(c) for c in page.rows], "next_cursor": page.next_cursor}


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERROR_RESPONSES})
def get_contact(request: HttpRequest, contact_id: PathId) -> dict[str, Any]:
    return contact_out(_contact(contact_id))


@router.post("/contacts", response={201: ContactOut, **ERROR_RESPONSES})
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[dict[str, Any]]:
    """Add a contact. Admins and agents only."""
    fields = payload.model_dump()
    fields["organization_id"] = fields.pop("organization")
    contact = services.create_contact(request_user(request), **fields)
    return Status(201, contact_out(_contact(contact.pk)))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERROR_RESPONSES})
def update_contact(request: HttpRequest, contact_id: PathId,
                   payload: ContactPatchIn) -> dict[str, Any]:
    """Change a contact; `emails` replaces the addresses (the first is primary)."""
    contact = _contact(contact_id)
    changes = payload.model_dump(exclude_unset=True)
    if "organization" in changes:
        changes["organization_id"] = changes.pop("organization")
    services.update_contact(request_user(request), contact, **changes)
    return contact_out(_contact(contact.pk))

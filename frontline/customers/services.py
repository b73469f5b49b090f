"""Operations on organizations and contacts."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.core import email_address, inputs, permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers import deployments as deployment_history
from frontline.customers.finders import (
    MIN_PHONE_DIGITS,
    find_organization,
    find_plan,
    phone_digits,
)
from frontline.customers.models import (
    Contact,
    ContactEmail,
    EnvironmentFact,
    Organization,
    OrganizationDomain,
    Plan,
)


def normalize_email(address: str, *, field: str = "email") -> str:
    """The stored form of a contact's address (UTF-8 local parts and IDNA domains
    welcome: frontline.core.email_address owns the rule)."""
    return email_address.normalize(address, field=field)


def normalize_domain(domain: str) -> str:
    return email_address.normalize_domain(domain, field="domains")


def default_plan() -> Plan | None:
    return Plan.objects.filter(is_default=True).first()


def plan_for(contact: Contact) -> Plan | None:
    """The plan a contact is served under: their organization's, else the default."""
    if contact.organization is not None and contact.organization.plan is not None:
        return contact.organization.plan
    return default_plan()


def organization_for_email(address: str) -> Organization | None:
    """The organization owning the address's domain, whichever IDNA form either uses."""
    domains = email_address.domain_lookup_forms(email_address.domain_of(address))
    found = (OrganizationDomain.objects.select_related("organization")
             .filter(domain__in=domains).order_by("pk").first())
    return found.organization if found else None


def find_email(address: str) -> ContactEmail | None:
    """The stored address `address` is (`bücher.example` finds a row stored with
    `xn--bcher-kva.example` too), with its contact and organization."""
    return (ContactEmail.objects.select_related("contact__organization")
            .filter(address__in=email_address.lookup_forms(address)).order_by("pk").first())


def find_contact_by_email(address: str) -> Contact | None:
    found = find_email(address)
    return found.contact if found else None


def resolve_contact(address: str, name: str = "", *, field: str = "requester_email") -> Contact:
    """The contact who writes from `address`, created on first contact.

    A new contact joins the organization that owns their email domain.
    """
    address = normalize_email(address, field=field)
    contact = find_contact_by_email(address)
    if contact is not None:
        if name and not contact.name:
            contact.name = name.strip()[:200]
            contact.save(update_fields=["name"])
        return contact
    try:
        # A savepoint: if another request created the same address a moment ago,
        # only this attempt is undone and the caller's transaction goes on.
        with transaction.atomic():
            contact = Contact.objects.create(
                name=(name or "").strip()[:200], organization=organization_for_email(address)
            )
            ContactEmail.objects.create(contact=contact, address=address, is_primary=True)
    except IntegrityError:
        existing = find_contact_by_email(address)
        if existing is None:
            raise
        return existing
    return contact


def _account_manager(username: str | None) -> User | None:
    if username in (None, ""):
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(f"No user '{username}'.", field="account_manager")
    return user


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            f"'{value}' is not an amount.", field="annual_contract_value"
        ) from None
    if amount < 0 or not amount.is_finite():
        raise InvalidInput(
            "The annual contract value cannot be negative.", field="annual_contract_value"
        )
    return amount.quantize(Decimal("0.01"))


MAX_SEATS = 2**31 - 1  # Organization.seats, a PositiveIntegerField


def _seats(value: Any) -> int | None:
    """Licensed users: a whole number, or None (empty) while nobody knows."""
    return inputs.whole(value, "seats", label="Seats", low=0, high=MAX_SEATS, optional=True)


def _set_domains(organization: Organization, domains: list[str]) -> None:
    wanted = {normalize_domain(d) for d in domains}
    taken = (
        OrganizationDomain.objects.filter(domain__in=wanted)
        .exclude(organization=organization)
        .select_related("organization")
        .first()
    )
    if taken is not None:
        raise InvalidInput(
            f"The domain {taken.domain} already belongs to {taken.organization.name}.",
            field="domains",
        )
    organization.domains.exclude(domain__in=wanted).delete()
    have = set(organization.domains.values_list("domain", flat=True))
    OrganizationDomain.objects.bulk_create(
        OrganizationDomain(organization=organization, domain=d) for d in sorted(wanted - have)
    )


def set_environment(
    owner: Organization | Contact, facts: dict[str, str], *, replace: bool = False
) -> None:
    """Record environment facts (key -> value) for an organization or a contact."""
    owner_filter: dict[str, Any] = (
        {"organization": owner, "contact": None}
        if isinstance(owner, Organization)
        else {"contact": owner}
    )
    for key, value in facts.items():
        key = (key or "").strip()
        if not key or len(key) > 100:
            raise InvalidInput("An environment fact needs a key of 1-100 characters.",
                               field="environment")
        EnvironmentFact.objects.update_or_create(**owner_filter, key=key,
                                                 defaults={"value": str(value)[:500]})
    if replace:
        EnvironmentFact.objects.filter(**owner_filter).exclude(key__in=list(facts)).delete()


@transaction.atomic
def create_organization(
    actor: User,
    *,
    name: str,
    domains: list[str] | None = None,
    plan: str | None = None,
    annual_contract_value: Any = 0,
    account_manager: str | None = None,
    notes: str = "",
    environment: dict[str, str] | None = None,
    seats: Any = None,
    deployments: list[dict[str, Any]] | None = None,
) -> Organization:
    permissions.check_can_change_customers(actor)
    if plan not in (None, ""):
        permissions.check_can_change_contract(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("An organization needs a name.", field="name")
    organization = Organization.objects.create(
        name=name[:200],
        plan=find_plan(plan) or default_plan(),
        annual_contract_value=_money(annual_contract_value),
        account_manager=_account_manager(account_manager),
        notes=notes,
        seats=_seats(seats),
    )
    _set_domains(organization, domains or [])
    if environment:
        set_environment(organization, environment)
    if deployments:
        deployment_history.do_set_deployments(
            organization, deployment_history.clean_deployments(deployments))
    return organization


@transaction.atomic
def update_organization(actor: User, organization: Organization, **changes: Any) -> Organization:
    """Apply the given changes; keys absent from `changes` stay as they are.
    `deployments` replaces the organization's whole history."""
    permissions.check_can_change_customers(actor)
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise InvalidInput("An organization needs a name.", field="name")
        organization.name = name[:200]
    contract = sorted(set(changes) & {"plan", "plan_starts_on", "plan_ends_on"})
    if contract:
        # The plan and contract dates have one owner, frontline.sla.plans, with its
        # permission rule; frontline.workflow.organizations sends them there.
        raise InvalidInput("An organization's plan and contract change through its plan "
                           "(frontline.sla.plans.set_organization_plan).", field=contract[0])
    if "annual_contract_value" in changes:
        organization.annual_contract_value = _money(changes["annual_contract_value"])
    if "account_manager" in changes:
        organization.account_manager = _account_manager(changes["account_manager"])
    if "notes" in changes:
        organization.notes = changes["notes"] or ""
    if "seats" in changes:
        organization.seats = _seats(changes["seats"])
    # Checked before anything is written, so a bad entry leaves the record as it was
    # even for a caller that catches the error inside its own transaction.
    deployments = (deployment_history.clean_deployments(changes["deployments"])
                   if "deployments" in changes else None)
    organization.save()
    if "domains" in changes:
        _set_domains(organization, changes["domains"] or [])
    if "environment" in changes:
        set_environment(organization, changes["environment"] or {}, replace=True)
    if deployments is not None:
        deployment_history.do_set_deployments(organization, deployments)
    return organization


def _set_emails(contact: Contact, emails: list[str]) -> None:
    if not emails:
        raise InvalidInput("A contact needs at least one email address.", field="emails")
    wanted = [normalize_email(e, field="emails") for e in emails]
    spellings = [form for address in wanted for form in email_address.lookup_forms(address)]
    taken = ContactEmail.objects.filter(address__in=spellings).exclude(contact=contact).first()
    if taken is not None:
        raise InvalidInput(f"{taken.address} belongs to another contact.", field="emails")
    contact.emails.exclude(address__in=wanted).delete()
    for position, address in enumerate(dict.fromkeys(wanted)):
        ContactEmail.objects.update_or_create(
            contact=contact, address=address, defaults={"is_primary": position == 0}
        )


@functools.cache
def _timezone_names() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def _check_timezone(name: str) -> str:
    if name not in _timezone_names():
        raise InvalidInput(f"'{name}' is not a timezone (e.g. Europe/Berlin).", field="timezone")
    return name


@transaction.atomic
def create_contact(
    actor: User,
    *,
    emails: list[str],
    name: str = "",
    organization_id: int | None = None,
    phone: str = "",
    timezone: str = "UTC",
    language: str = "en",
) -> Contact:
    permissions.check_can_change_customers(actor)
    organization = find_organization(organization_id, field="organization")
    if organization is None and emails:
        organization = organization_for_email(normalize_email(emails[0], field="emails"))
    contact = Contact.objects.create(
        name=(name or "").strip()[:200], organization=organization, phone=phone[:50],
        timezone=_check_timezone(timezone), language=(language or "en")[:16],
    )
    _set_emails(contact, emails)
    return contact


@transaction.atomic
def update_contact(actor: User, contact: Contact, **changes: Any) -> Contact:
    permissions.check_can_change_customers(actor)
    if "name" in changes:
        contact.name = (changes["name"] or "").strip()[:200]
    if "organization_id" in changes:
        contact.organization = find_organization(changes["organization_id"],
                                                 field="organization")
    if "phone" in changes:
        contact.phone = (changes["phone"] or "")[:50]
    if "timezone" in changes:
        contact.timezone = _check_timezone(changes["timezone"])
    if "language" in changes:
        contact.language = (changes["language"] or "en")[:16]
    contact.save()
    if "emails" in changes:
        _set_emails(contact, changes["emails"] or [])
    return contact


MAX_PHONE = 50  # Contact.phone
MAX_PHONE_DIGITS = 20  # E.164's 15, an extension's few
# Digits with the marks people write between them, and an extension ("x 12", "ext. 12").
_PHONE = re.compile(r"^\+?[\d\s()./\-]+(?:\s*(?:x|ext\.?)\s*\d+)?$",
                    re.ASCII | re.IGNORECASE)


def clean_phone(phone: str, *, field: str = "phone") -> str:
    """A phone number as the person wrote it (spaces tidied), or InvalidInput naming
    `field`; "" for none. The format is kept: finders compare the digits
    (frontline.customers.finders.find_contacts)."""
    text = " ".join((phone or "").split())
    if not text:
        return ""
    digits = len(phone_digits(text))
    if (len(text) > MAX_PHONE or not _PHONE.match(text)
            or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS):
        raise InvalidInput(f"'{text[:MAX_PHONE]}' is not a phone number (digits, with spaces, "
                           f"-, /, ( ) or a leading + between them).", field=field)
    return text


@transaction.atomic
def set_phone(actor: User, contact: Contact, phone: str, *, keep_existing: bool = False,
              field: str = "phone") -> Contact:
    """Note the number a contact called from (the phone script). `keep_existing`: only
    when they have none yet, so a caller found by their address does not replace the
    number someone recorded before. The same number in another format is left as it is."""
    permissions.check_can_change_customers(actor)
    phone = clean_phone(phone, field=field)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if not phone or (keep_existing and contact.phone):
        return contact
    if phone_digits(contact.phone) == phone_digits(phone):
        return contact
    contact.phone = phone
    contact.save(update_fields=["phone"])
    return contact


def customer_since(organization: Organization, first_ticket_at: datetime | None) -> date:
    """Since when they are our customer: the contract's start or their first request,
    whichever came first. The row's own date is when somebody typed it in (an import,
    the demo loading yesterday) and said "customer since" of a ten-year customer."""
    known = [day for day in (
        organization.plan_starts_on,
        timezone.localdate(first_ticket_at) if first_ticket_at is not None else None,
    ) if day is not None]
    return min(known) if known else timezone.localdate(organization.created_at)

"""Who our customers are: organizations, their people, their plan and setup."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from frontline.core import email_address


class Plan(models.Model):
    """A support plan (support level). SLA targets hang off it (frontline.sla)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Higher ranks get served first.")
    # A per-incident plan is bought for one ticket at `incident_price` by a
    # customer on any plan (frontline.sla.models.IncidentPremium).
    per_incident = models.BooleanField(default=False)
    incident_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # What a year of this plan is listed at; an organization's own contract
    # value (Organization.annual_contract_value) wins when it is set.
    annual_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-rank", "name"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    name = models.CharField(max_length=200)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT)
    # The plan's contract; outside these dates the default plan applies.
    plan_starts_on = models.DateField(null=True, blank=True)
    plan_ends_on = models.DateField(null=True, blank=True)
    annual_contract_value = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0")
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="managed_organizations",
    )
    notes = models.TextField(blank=True)
    # Licensed users; None while nobody knows (not the same as none).
    seats = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="organization_name_lower")]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """An email domain whose senders belong to the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class Contact(models.Model):
    """A person who asks us for help."""

    name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    phone = models.CharField(max_length=50, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=16, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # Search finds people by the start of their name (frontline.search.people).
        indexes = [models.Index(Lower("name"), name="contact_name_lower")]

    def __str__(self) -> str:
        return self.name or self.primary_email or f"contact {self.pk}"

    @property
    def primary_email(self) -> str:
        # Reads the prefetched list when there is one, so listing contacts stays one query.
        emails = list(self.emails.all())
        for email in emails:
            if email.is_primary:
                return email.address
        return emails[0].address if emails else ""


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    # Stored in frontline.core.email_address's canonical form: lower-cased (mail
    # addresses are matched case-insensitively in practice), Unicode NFC, the domain
    # in U-labels. Not an EmailField: Django's validator refuses UTF-8 local parts.
    address = models.CharField(max_length=254, unique=True,
                               validators=[email_address.validate])
    is_primary = models.BooleanField(default=False)
    # Set when a mail to this address bounced permanently; agents are warned
    # before writing to it. Cleared when the person writes to us again.
    bouncing_since = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=500, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-is_primary", "address"]

    def __str__(self) -> str:
        return self.address


class Product(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Version(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=50)
    released_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["product", "-released_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="version_unique_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}"


class Deployment(models.Model):
    """From `since` on, the organization runs this version of the product: one row of
    its history. The version in use on a day is the one of the latest row whose
    `since` is on or before that day, per product (frontline.customers.deployments).

    `version` is empty for a product without versions (a hosted service) or when the
    version is not known. It always belongs to `product`; the services check that,
    since a database constraint cannot look across the two tables.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="deployments")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="deployments")
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deployments")
    since = models.DateField()

    class Meta:
        ordering = ["organization", "product", "since"]
        constraints = [
            # Two versions of one product from the same day would leave the day's answer
            # to chance.
            models.UniqueConstraint(fields=["organization", "product", "since"],
                                    name="deployment_one_per_product_and_day"),
        ]

    def __str__(self) -> str:
        version = f" {self.version.name}" if self.version_id and self.version else ""
        return f"{self.product.name}{version} since {self.since:%Y-%m-%d}"


class EnvironmentFact(models.Model):
    """A fact about where the customer runs our product: os=Ubuntu 22.04, database=PostgreSQL 15."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="environment"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="environment"
    )
    key = models.CharField(max_length=100)
    value = models.CharField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(contact__isnull=False),
                name="environment_fact_has_owner",
            ),
            models.UniqueConstraint(
                fields=["organization", "key"], name="environment_fact_unique_per_org",
                condition=models.Q(contact__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["contact", "key"], name="environment_fact_unique_per_contact",
                condition=models.Q(contact__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class OrganizationNote(models.Model):
    """An entry on an organization's timeline that belongs to no ticket: an advisory
    sent about a problem it may walk into (frontline.workflow.advisories), with who
    sent it and when. Shown on the organization's desk page, newest first."""

    class Kind(models.TextChoices):
        ADVISORY = "advisory", "Advisory"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ADVISORY)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    # What it is about, by id: {"alert": 12}.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "at"], name="orgnote_org_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for organization {self.organization_id}"

"""factory-boy factories for the cast in conftest.py."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from frontline.core.models import Role, User
from frontline.customers.models import Contact, ContactEmail, Organization, OrganizationDomain, Plan
from frontline.routing.models import Team
from frontline.tickets.models import Category, Ticket, TicketClock


def set_clock(ticket: Ticket, **values: Any) -> Ticket:
    """Put the ticket's SLA clock where the story needs it (a due time, the next
    check, its plan), in its clock row and on `ticket` as loaded."""
    TicketClock.objects.filter(ticket=ticket).update(**values)
    for name, value in values.items():
        setattr(ticket.clock, name, value)
    return ticket


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@frontline.test")
    role = Role.AGENT
    tier = 1
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    plan = factory.SubFactory(PlanFactory)
    annual_contract_value = 12000

    @factory.post_generation
    def domains(obj, create, extracted, **kwargs):
        for domain in extracted or []:
            OrganizationDomain.objects.create(organization=obj, domain=domain)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    name = factory.Faker("name")
    timezone = "Europe/Berlin"

    @factory.post_generation
    def email(obj, create, extracted, **kwargs):
        ContactEmail.objects.create(
            contact=obj, address=extracted or f"contact{obj.pk}@example.test", is_primary=True
        )


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    tier = 1


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


def now() -> timezone.datetime:
    return timezone.now()

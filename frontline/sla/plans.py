"""Support plans and who is on them: create, change and delete a plan (exactly
one is the default: the plan of contacts without an organization, or outside
their contract), and set an organization's plan and contract dates. Admins only;
the desk settings pages and the API call these. A plan's SLA policies are in
frontline.sla.policies.

A change that can move promises already made (another default plan, an
organization's new plan or contract) ends by recomputing the due times of the
open tickets concerned: in the same transaction when they are few, else in range
tasks the workers run once it commits (frontline.sla.recompute).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.text import slugify

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput, InvalidTransition
from frontline.core.models import User
from frontline.customers.finders import find_plan
from frontline.customers.models import Organization, Plan
from frontline.sla import recompute
from frontline.sla import services as clock_services
from frontline.sla.models import IncidentPremium
from frontline.tickets.models import TicketClock

# -- plans -----------------------------------------------------------------------------

PLAN_FIELDS = ("name", "slug", "description", "rank", "is_default", "per_incident",
               "incident_price", "annual_price")


def _apply_plan(plan: Plan, changes: dict[str, Any]) -> None:
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    if "name" in changes:
        plan.name = inputs.text(changes["name"], "name", max_length=100, required=True,
                                label="A plan's name")
        clash = Plan.objects.filter(name__iexact=plan.name).exclude(pk=plan.pk).first()
        if clash is not None:
            raise InvalidInput(f"There is already a plan named {clash.name}.", field="name")
    if "slug" in changes or not plan.slug:
        slug = inputs.text(changes.get("slug"), "slug", max_length=50) or slugify(plan.name)[:50]
        if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", slug):
            raise InvalidInput("A slug is lower-case letters, digits and dashes, "
                               "e.g. priority-incident.", field="slug")
        if Plan.objects.filter(slug=slug).exclude(pk=plan.pk).exists():
            raise InvalidInput(f"The slug '{slug}' is taken by another plan.", field="slug")
        plan.slug = slug
    if "description" in changes:
        plan.description = inputs.text(changes["description"], "description", max_length=5000)
    if "rank" in changes:
        plan.rank = inputs.whole(changes["rank"], "rank", label="The rank", low=0, high=1000,
                                 optional=True) or 0
    if "per_incident" in changes:
        plan.per_incident = inputs.boolean(changes["per_incident"], "per_incident")
    if "incident_price" in changes:
        plan.incident_price = inputs.money(changes["incident_price"], "incident_price",
                                           label="The incident price")
    if "annual_price" in changes:
        plan.annual_price = inputs.money(changes["annual_price"], "annual_price",
                                         label="The annual price", max_digits=12)
    if "is_default" in changes:
        wanted = inputs.boolean(changes["is_default"], "is_default")
        if plan.is_default and not wanted:
            raise InvalidInput("One plan is always the default (contacts without an "
                               "organization get it): make another plan the default "
                               "instead.", field="is_default")
        plan.is_default = wanted
    if plan.per_incident:
        if plan.incident_price is None or plan.incident_price <= 0:
            raise InvalidInput("A per-incident plan needs the price of one incident.",
                               field="incident_price")
        if plan.is_default:
            raise InvalidInput("A per-incident plan is bought for one ticket; it cannot be "
                               "the default plan.", field="is_default")
        if plan.pk and Organization.objects.filter(plan=plan).exists():
            raise InvalidInput("Organizations are on this plan; a per-incident plan is "
                               "bought per ticket, not held by an organization.",
                               field="per_incident")


def _make_only_default(plan: Plan) -> list[Plan]:
    """Exactly one default plan: the others give it up. Returns the previous default."""
    previous = list(Plan.objects.filter(is_default=True).exclude(pk=plan.pk))
    Plan.objects.filter(pk__in=[p.pk for p in previous]).update(is_default=False)
    return previous


@transaction.atomic
def create_plan(actor: User, **fields: Any) -> Plan:
    """A new plan. The first plan there is becomes the default."""
    permissions.check_is_admin(actor)
    plan = Plan()
    _apply_plan(plan, {"name": fields.get("name"), **fields})
    if not Plan.objects.filter(is_default=True).exists() and not plan.per_incident:
        plan.is_default = True
    previous = _make_only_default(plan) if plan.is_default else []
    plan.save()
    if previous:
        # Contacts without an organization, and organizations outside their
        # contract, move from the previous default to this plan.
        recompute.follow_change({})
    return plan


@transaction.atomic
def update_plan(actor: User, plan: Plan, **changes: Any) -> Plan:
    """Apply the given changes; fields absent from `changes` stay as they are."""
    permissions.check_is_admin(actor)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    was_default = plan.is_default
    _apply_plan(plan, changes)
    previous = _make_only_default(plan) if plan.is_default and not was_default else []
    plan.save()
    if previous:
        recompute.follow_change({})
    return plan


@transaction.atomic
def delete_plan(actor: User, plan: Plan) -> None:
    """Remove a plan nobody is on. Its SLA policies go with it."""
    permissions.check_is_admin(actor)
    if plan.is_default:
        raise InvalidTransition(f"{plan.name} is the default plan; make another plan the "
                                "default first.")
    organizations = list(Organization.objects.filter(plan=plan).values_list("name", flat=True)
                         [:4])
    if organizations:
        shown = ", ".join(organizations[:3]) + (" and more" if len(organizations) > 3 else "")
        raise InvalidTransition(f"{plan.name} is the plan of {shown}; move them to another "
                                "plan first.")
    if IncidentPremium.objects.filter(plan=plan).exists():
        raise InvalidTransition(f"Incidents were bought on {plan.name}; it stays so their "
                                "record is kept.")
    # One probe of the clock's plan index (TicketClock, clock_plan).
    if TicketClock.objects.filter(plan=plan).exists():
        raise InvalidTransition(f"Tickets were served on {plan.name}; it stays so their "
                                "promises can still be read.")
    plan.delete()


# -- an organization's plan and contract -----------------------------------------------


@transaction.atomic
def set_organization_plan(actor: User, organization: Organization, *,
                          plan: Plan | int | str | None,
                          starts_on: Any = None, ends_on: Any = None) -> Organization:
    """The plan an organization's contacts are served on, and its contract dates
    (outside them the default plan applies). Open tickets' promises follow."""
    permissions.check_can_change_contract(actor)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    new_plan = find_plan(plan)
    if new_plan is not None and new_plan.per_incident:
        raise InvalidInput(f"{new_plan.name} is bought per incident, for one ticket; an "
                           "organization cannot hold it.", field="plan")
    start = inputs.day(starts_on, "plan_starts_on", label="The contract start")
    end = inputs.day(ends_on, "plan_ends_on", label="The contract end")
    if start and end and end < start:
        raise InvalidInput("The contract ends before it starts.", field="plan_ends_on")
    organization.plan = new_plan
    organization.plan_starts_on = start
    organization.plan_ends_on = end
    organization.save(update_fields=["plan", "plan_starts_on", "plan_ends_on"])
    recompute.follow_change(clock_services.organization_scope(organization))
    return organization


# -- reading for the faces -------------------------------------------------------------


def plans_with_counts() -> list[Plan]:
    """Every plan, with `organizations_count` and `policies_count`."""
    return list(Plan.objects.annotate(
        organizations_count=Count("organization", distinct=True),
        policies_count=Count("policies", distinct=True)))


def organizations_on(plan: Plan) -> list[Organization]:
    return list(Organization.objects.filter(plan=plan).order_by("name")[:50])

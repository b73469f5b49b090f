"""Changing an organization, where its tickets' promises follow.

The plan and the contract dates are the SLA app's (frontline.sla.plans owns
them, with their one permission rule: admins); the rest of the record is the
customers app's. One PATCH or desk form may change both: this splits it,
in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from frontline.core.models import User
from frontline.customers import services as customers
from frontline.customers.models import Organization
from frontline.sla import plans

CONTRACT_FIELDS = ("plan", "plan_starts_on", "plan_ends_on")


@transaction.atomic
def update_organization(actor: User, organization: Organization,
                        **changes: Any) -> Organization:
    """Apply the given changes; keys absent from `changes` stay as they are."""
    contract = {key: changes.pop(key) for key in CONTRACT_FIELDS if key in changes}
    if changes or not contract:
        organization = customers.update_organization(actor, organization, **changes)
    if contract:
        organization = plans.set_organization_plan(
            actor, organization,
            plan=contract.get("plan", organization.plan_id),
            starts_on=contract.get("plan_starts_on", organization.plan_starts_on),
            ends_on=contract.get("plan_ends_on", organization.plan_ends_on))
    return organization

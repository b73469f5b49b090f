"""The ticket's SLA panel (plan, policy, each target's due and time left) and the
per-incident premium an agent records from it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.models import User
from frontline.desk.views.common import desk_view
from frontline.sla import clock
from frontline.sla import services as sla
from frontline.sla.models import IncidentPremium
from frontline.tickets.models import Ticket


def sla_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """What desk/tickets/_sla.html shows (no queries in the common case: plans and
    policies come from the clock's cache; the premium is read only when bought)."""
    now = timezone.now()
    row = ticket.clock
    policy = clock.cached_policy(row.sla_policy_id)
    plan = clock.cached_plan(row.plan_id)
    premium = (IncidentPremium.objects.filter(ticket=ticket).first()
               if plan is not None and plan.per_incident else None)
    can_buy = (premium is None and ticket.is_active
               and permissions.can_change_ticket(user, ticket))
    return {"sla": {
        "plan": plan,
        "policy": policy,
        "policy_name": clock.policy_name(policy),
        "targets": clock.targets_view(ticket, now),
        "paused": row.sla_paused_at is not None,
        "paused_at": row.sla_paused_at,
        "premium": premium,
        "premium_plans": sla.per_incident_plans() if can_buy else [],
    }}


@desk_view
@require_POST
def buy_premium(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a per-incident premium the customer bought for this ticket."""
    from frontline.desk.views.tickets import act_on_ticket

    plan = request.POST.get("plan", "").strip()
    price = request.POST.get("price", "").strip()

    def change(ticket: Ticket, user: User) -> str:
        premium = sla.buy_incident_premium(ticket, user, plan or "", price or None)
        return f"{premium.plan.name} recorded for this ticket ({premium.price})."

    return act_on_ticket(request, reference, change)

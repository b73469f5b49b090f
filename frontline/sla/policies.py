"""SLA policies: what a plan promises for a priority (first response, next
response, resolution targets, in business time on a calendar or around the clock)
and what happens on a breach. Create, change, delete (admins only; the desk
settings pages and the API call these), and the sentences that show a policy to
people.

A plan has at most one policy per priority, and one for every other priority
(priority empty). Each change recomputes the due times of the open tickets on the
plan: in the same transaction when they are few, else in range tasks the workers
run once it commits (frontline.sla.recompute).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.finders import find_plan
from frontline.customers.models import Plan
from frontline.sla import recompute
from frontline.sla import services as clock_services
from frontline.sla.hours_text import spoken_duration, weekly_minutes
from frontline.sla.inputs import find_calendar
from frontline.sla.models import SlaPolicy
from frontline.tickets.taxonomy import Priority, find_priority

POLICY_FIELDS = ("plan", "priority", "calendar", "first_response_minutes",
                 "next_response_minutes", "resolution_minutes", "formal", "warn_percent",
                 "notify", "raise_priority", "move_to_team", "move_to_tier")
TARGET_FIELDS = {
    "first_response_minutes": "The first response target",
    "next_response_minutes": "The next response target",
    "resolution_minutes": "The resolution target",
}
# A year of calendar minutes: beyond that a target is a typo, not a promise.
MAX_TARGET_MINUTES = 366 * 24 * 60


def _team(value: Any) -> Any:
    """The team a breach moves tickets to, as the caller found it. Teams belong to
    routing, a layer above this app, so the faces find the team they were given
    (frontline.routing.teams.find_team, naming the field) and pass the Team here."""
    if value is None or value == "":
        return None
    team_model = SlaPolicy._meta.get_field("move_to_team").related_model
    if not isinstance(value, team_model):
        raise TypeError(f"move_to_team takes a Team found by frontline.routing.teams."
                        f"find_team, not {value!r}.")
    return value


def _apply_policy(policy: SlaPolicy, changes: dict[str, Any]) -> None:
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    if "plan" in changes:
        plan = find_plan(changes["plan"])
        if plan is None:
            raise InvalidInput("A policy belongs to a plan.", field="plan")
        policy.plan = plan
    if "priority" in changes:
        priority = find_priority(changes["priority"], empty_means="any")
        policy.priority = int(priority) if priority is not None else None
    if "calendar" in changes:
        policy.calendar = find_calendar(changes["calendar"])
    for field, label in TARGET_FIELDS.items():
        if field in changes:
            value = changes[field]
            if value is not None and not (isinstance(value, str) and not value.strip()):
                minutes = inputs.whole(value, field, label=label, low=-(2**31), high=2**31)
                if minutes is None or minutes <= 0:
                    raise InvalidInput(f"{label} must be a positive number of minutes.",
                                       field=field)
                if minutes > MAX_TARGET_MINUTES:
                    raise InvalidInput(f"{label} is more than a year; give it in minutes.",
                                       field=field)
                setattr(policy, field, minutes)
            else:
                setattr(policy, field, None)
    if "formal" in changes:
        policy.formal = inputs.boolean(changes["formal"], "formal")
    if "warn_percent" in changes:
        warn = inputs.whole(changes["warn_percent"], "warn_percent",
                            label="The warning share", low=1, high=99)
        assert warn is not None
        policy.warn_percent = warn
    if "notify" in changes:
        policy.notify = inputs.boolean(changes["notify"], "notify")
    if "raise_priority" in changes:
        policy.raise_priority = inputs.boolean(changes["raise_priority"],
                                               "raise_priority")
    if "move_to_team" in changes:
        policy.move_to_team = _team(changes["move_to_team"])
    if "move_to_tier" in changes:
        policy.move_to_tier = inputs.whole(changes["move_to_tier"], "move_to_tier",
                                           label="The tier to move to", low=1, high=3,
                                           optional=True)
    if policy.plan_id is None:
        raise InvalidInput("A policy belongs to a plan.", field="plan")
    if not any(getattr(policy, field) for field in TARGET_FIELDS):
        raise InvalidInput("A policy needs at least one target (first response, next "
                           "response or resolution).", field="first_response_minutes")
    clash = SlaPolicy.objects.filter(plan=policy.plan, priority=policy.priority).exclude(
        pk=policy.pk)
    if clash.exists():
        which = (f"{Priority(policy.priority).label.lower()} priority" if policy.priority
                 else "every other priority")
        raise InvalidInput(f"{policy.plan.name} already has a policy for {which}; "
                           "edit that one instead.", field="priority")


@transaction.atomic
def create_policy(actor: User, **fields: Any) -> SlaPolicy:
    permissions.check_is_admin(actor)
    policy = SlaPolicy()
    _apply_policy(policy, {"plan": fields.get("plan"), **fields})
    policy.save()
    # A new policy for a priority takes those tickets over from the plan's default one.
    recompute.follow_change(clock_services.policy_scope(policy))
    return policy


@transaction.atomic
def update_policy(actor: User, policy: SlaPolicy, **changes: Any) -> SlaPolicy:
    permissions.check_is_admin(actor)
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    _apply_policy(policy, changes)
    policy.save()
    # Its tickets, on the old plan too when it moved (they still name this policy).
    recompute.follow_change(clock_services.policy_scope(policy))
    return policy


@transaction.atomic
def delete_policy(actor: User, policy: SlaPolicy) -> None:
    """Remove a policy: its tickets fall back to the plan's policy for every priority
    (or to no promise at all)."""
    permissions.check_is_admin(actor)
    plan = policy.plan
    policy.delete()
    recompute.follow_change(clock_services.plan_scope(plan))


def policy_name(policy: SlaPolicy) -> str:
    """ "Premium, urgent priority" or "Standard, any priority"."""
    which = (f"{Priority(policy.priority).label.lower()} priority" if policy.priority
             else "any priority")
    return f"{policy.plan.name}, {which}"


# -- reading for the faces -------------------------------------------------------------


def list_policies(plan: Plan | None = None) -> list[SlaPolicy]:
    """Every policy (or one plan's), with plan, calendar and team loaded."""
    found = SlaPolicy.objects.select_related("plan", "calendar", "move_to_team")
    if plan is not None:
        found = found.filter(plan=plan)
    # Each plan's policy for every priority first, then by priority.
    return sorted(found, key=lambda p: (-p.plan.rank, p.plan.name, p.priority or 0))


def describe_target(policy: SlaPolicy, field: str) -> str:
    """ "24 business hours (Berlin office)", "2 hours around the clock", or ""."""
    minutes = getattr(policy, field)
    if not minutes:
        return ""
    calendar = policy.calendar
    if calendar is None or (not calendar.holiday_country
                            and weekly_minutes(calendar.intervals.all()) >= 7 * 1440
                            and not calendar.closed_days.exists()):
        return f"{spoken_duration(minutes)} around the clock"
    spoken = (spoken_duration(minutes).replace("hour", "business hour")
              .replace("minute", "business minute"))
    return f"{spoken} ({calendar.name})"


def describe_breach_actions(policy: SlaPolicy) -> str:
    actions = []
    if policy.notify:
        actions.append("notify the assignee and the team lead")
    if policy.raise_priority:
        actions.append("raise the priority")
    if policy.move_to_team is not None:
        actions.append(f"move to {policy.move_to_team.name}")
    if policy.move_to_tier:
        actions.append(f"move to tier {policy.move_to_tier}")
    return ", ".join(actions) or "record it on the timeline only"

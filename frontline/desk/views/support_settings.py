"""Desk settings for support levels (admins): the hub /settings/support, plans,
SLA policies, business calendars and cost settings. Every change calls the
service of its concept (frontline.sla.plans, .policies, .calendars;
frontline.costs.settings); a refusal is shown on the form, next to its field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontline.core.errors import FrontlineError
from frontline.core.inputs import duration
from frontline.costs.models import CostSettings
from frontline.costs.settings import COST_FIELDS, update_cost_settings
from frontline.customers.finders import find_plan
from frontline.customers.models import Plan
from frontline.desk.views.common import desk_user, error_page, render_desk
from frontline.desk.views.settings_common import (
    admin_view,
    error_context,
    error_status,
    found_or_404,
    posted,
    render_form,
    saved,
)
from frontline.routing.models import Team
from frontline.routing.teams import find_team
from frontline.sla.calendars import (
    add_closed_day,
    calendar_users,
    create_calendar,
    delete_calendar,
    list_calendars,
    remove_closed_day,
    update_calendar,
)
from frontline.sla.holiday_places import (
    holiday_countries,
    holiday_subdivisions,
    timezone_names,
    upcoming_days_off,
)
from frontline.sla.hours_text import format_duration, format_hours, weekly_minutes
from frontline.sla.inputs import find_calendar, find_policy
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.sla.plans import (
    PLAN_FIELDS,
    create_plan,
    delete_plan,
    organizations_on,
    plans_with_counts,
    update_plan,
)
from frontline.sla.policies import (
    POLICY_FIELDS,
    create_policy,
    delete_policy,
    describe_breach_actions,
    describe_target,
    list_policies,
    policy_name,
    update_policy,
)
from frontline.tickets.models import Priority

# -- hub ------------------------------------------------------------------------------


@admin_view
def hub(request: HttpRequest) -> HttpResponse:
    cost = CostSettings.current()
    context = {
        "plans": plans_with_counts(),
        "policy_count": SlaPolicy.objects.count(),
        "calendars": list_calendars(),
        "team_count": Team.objects.count(),
        "cost": cost,
    }
    return render_desk(request, "desk/settings/support.html", context)


# -- plans ----------------------------------------------------------------------------

PLAN_CHECKBOXES = ("is_default", "per_incident")


def _plan_initial(plan: Plan) -> dict[str, Any]:
    return {"name": plan.name, "slug": plan.slug, "description": plan.description,
            "rank": plan.rank, "is_default": plan.is_default, "per_incident": plan.per_incident,
            "incident_price": plan.incident_price if plan.incident_price is not None else "",
            "annual_price": plan.annual_price if plan.annual_price is not None else ""}


def _plans_page(request: HttpRequest, *, form: dict[str, Any] | None = None,
                error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "plans": plans_with_counts(),
        "form": form or {"rank": 0},
    }
    return render_form(request, "desk/settings/plans.html", context, error)


@admin_view
def plans(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _plans_page(request)
    form = posted(request, PLAN_FIELDS, PLAN_CHECKBOXES)
    fields = {k: v for k, v in form.items() if not (k == "slug" and not v)}
    try:
        plan = create_plan(desk_user(request), **fields)
    except FrontlineError as error:
        return _plans_page(request, form=form, error=error)
    return saved(request, f"Plan {plan.name} added. Now give it its SLA policies.",
                 "desk:settings_plan", pk=plan.pk)


def _plan(pk: int) -> Plan:
    return found_or_404(find_plan, pk)


def _plan_page(request: HttpRequest, plan: Plan, *, form: dict[str, Any] | None = None,
               error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "plan": plan,
        "form": form or _plan_initial(plan),
        "policies": [_policy_row(p) for p in list_policies(plan)],
        "organizations": organizations_on(plan),
    }
    return render_form(request, "desk/settings/plan.html", context, error)


@admin_view
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    if request.method != "POST":
        return _plan_page(request, plan)
    form = posted(request, PLAN_FIELDS, PLAN_CHECKBOXES)
    try:
        plan = update_plan(desk_user(request), plan, **form)
    except FrontlineError as error:
        return _plan_page(request, plan, form=form, error=error)
    return saved(request, f"Plan {plan.name} saved.", "desk:settings_plan", pk=plan.pk)


@admin_view
@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    try:
        delete_plan(desk_user(request), plan)
    except FrontlineError as error:
        return _plan_page(request, plan, error=error)
    return saved(request, f"Plan {plan.name} deleted.", "desk:settings_plans")


# -- SLA policies ---------------------------------------------------------------------

POLICY_CHECKBOXES = ("formal", "notify", "raise_priority")
TARGETS = (("first_response_minutes", "First response"),
           ("next_response_minutes", "Next response"),
           ("resolution_minutes", "Resolution"))


def _policy_row(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "policy": policy,
        "priority": Priority(policy.priority).label if policy.priority else "Any priority",
        "targets": [(label, describe_target(policy, field))
                    for field, label in TARGETS],
        "actions": describe_breach_actions(policy),
    }


def _policy_initial(policy: SlaPolicy) -> dict[str, Any]:
    form: dict[str, Any] = {
        "plan": str(policy.plan_id), "priority": str(policy.priority or ""),
        "calendar": str(policy.calendar_id or ""), "formal": policy.formal,
        "warn_percent": policy.warn_percent, "notify": policy.notify,
        "raise_priority": policy.raise_priority,
        "move_to_team": str(policy.move_to_team_id or ""),
        "move_to_tier": str(policy.move_to_tier or ""),
    }
    for field, _ in TARGETS:
        form[field] = format_duration(getattr(policy, field))
    return form


def _policy_changes(form: dict[str, Any]) -> dict[str, Any]:
    changes = dict(form)
    # The SLA app, below routing, takes the Team itself.
    changes["move_to_team"] = find_team(form.get("move_to_team"), field="move_to_team")
    for field, label in TARGETS:
        changes[field] = duration(form.get(field), field, label=f"The {label.lower()} target")
    return changes


def _policy_page(request: HttpRequest, *, policy: SlaPolicy | None,
                 form: dict[str, Any], error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "policy": policy,
        "form": form,
        "plans": Plan.objects.all(),
        "priorities": [("", "Any priority (the plan's default)")]
        + [(str(p.value), p.label) for p in Priority],
        "calendars": BusinessCalendar.objects.all(),
        "teams": Team.objects.all(),
        "targets": [(field, label, form.get(field) or "") for field, label in TARGETS],
        "heading": policy_name(policy) if policy else "New SLA policy",
    }
    return render_form(request, "desk/settings/policy.html", context, error)


@admin_view
def policies(request: HttpRequest) -> HttpResponse:
    groups: dict[int, dict[str, Any]] = {}
    for plan in Plan.objects.all():
        groups[plan.pk] = {"plan": plan, "rows": []}
    for policy in list_policies():
        groups[policy.plan_id]["rows"].append(_policy_row(policy))
    return render_desk(request, "desk/settings/policies.html", {"groups": list(groups.values())})


@admin_view
def policy_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = {"plan": request.GET.get("plan", ""), "formal": True, "notify": True,
                "warn_percent": 75}
        return _policy_page(request, policy=None, form=form)
    form = posted(request, POLICY_FIELDS, POLICY_CHECKBOXES)
    try:
        policy = create_policy(desk_user(request), **_policy_changes(form))
    except FrontlineError as error:
        return _policy_page(request, policy=None, form=form, error=error)
    return saved(request, f"Policy {policy_name(policy)} added.", "desk:settings_plan",
                 pk=policy.plan_id)


def _policy(pk: int) -> SlaPolicy:
    return found_or_404(find_policy, pk)


@admin_view
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(pk)
    if request.method != "POST":
        return _policy_page(request, policy=policy, form=_policy_initial(policy))
    form = posted(request, POLICY_FIELDS, POLICY_CHECKBOXES)
    try:
        policy = update_policy(desk_user(request), policy, **_policy_changes(form))
    except FrontlineError as error:
        return _policy_page(request, policy=policy, form=form, error=error)
    return saved(request, f"Policy {policy_name(policy)} saved; open tickets follow it.",
                 "desk:settings_plan", pk=policy.plan_id)


@admin_view
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(pk)
    name, plan_id = policy_name(policy), policy.plan_id
    try:
        delete_policy(desk_user(request), policy)
    except FrontlineError as error:
        return error_page(request, error)
    return saved(request, f"Policy {name} deleted.", "desk:settings_plan", pk=plan_id)


# -- calendars ------------------------------------------------------------------------

CALENDAR_FORM_FIELDS = ("name", "timezone", "hours", "holiday_country", "holiday_subdivision",
                        "description")


def _calendar_initial(calendar: BusinessCalendar) -> dict[str, str]:
    return {"name": calendar.name, "timezone": calendar.timezone,
            "hours": format_hours(calendar.intervals.all()),
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
            "description": calendar.description}


def _choices(form: dict[str, str]) -> dict[str, Any]:
    country = (form.get("holiday_country") or "").upper()
    return {
        "countries": holiday_countries(),
        "subdivisions": holiday_subdivisions(country) if country else {},
        "timezones": timezone_names(),
    }


def _calendars_page(request: HttpRequest, *, form: dict[str, str] | None = None,
                    error: FrontlineError | None = None) -> HttpResponse:
    form = form or {"timezone": "UTC", "hours": "Mon-Fri 09:00-17:00"}
    rows = [{"calendar": calendar, "hours": format_hours(calendar.intervals.all()),
             "weekly_hours": weekly_minutes(calendar.intervals.all()) / 60,
             "closed": len(calendar.closed_days.all())}
            for calendar in list_calendars()]
    context = {"rows": rows, "form": form, **_choices(form)}
    return render_form(request, "desk/settings/calendars.html", context, error)


@admin_view
def calendars(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _calendars_page(request)
    form = posted(request, CALENDAR_FORM_FIELDS)
    try:
        calendar = create_calendar(desk_user(request), **form)
    except FrontlineError as error:
        return _calendars_page(request, form=form, error=error)
    return saved(request, f"Calendar {calendar.name} added.", "desk:settings_calendar",
                 pk=calendar.pk)


def _calendar(pk: int) -> BusinessCalendar:
    return found_or_404(find_calendar, pk)


def _calendar_page(request: HttpRequest, calendar: BusinessCalendar, *,
                   form: dict[str, str] | None = None, closed_form: dict[str, str] | None = None,
                   error: FrontlineError | None = None,
                   closed_error: FrontlineError | None = None) -> HttpResponse:
    form = form or _calendar_initial(calendar)
    today = timezone.localdate()
    context = {
        "calendar": calendar,
        "form": form,
        "closed_form": closed_form or {},
        "closed_error": closed_error.message if closed_error else "",
        "closed_error_field": closed_error.field if closed_error else "",
        "closed_days": calendar.closed_days.filter(date__gte=today),
        "past_closed_days": calendar.closed_days.filter(date__lt=today).count(),
        "days_off": upcoming_days_off(calendar, today, count=10),
        "weekly_hours": weekly_minutes(calendar.intervals.all()) / 60,
        "used_by": calendar_users(calendar),
        "today": today,
        **_choices(form),
        **error_context(error),
    }
    return render_desk(request, "desk/settings/calendar.html", context,
                       status=error_status(error or closed_error))


@admin_view
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    if request.method != "POST":
        return _calendar_page(request, calendar)
    form = posted(request, CALENDAR_FORM_FIELDS)
    try:
        calendar = update_calendar(desk_user(request), calendar, **form)
    except FrontlineError as error:
        return _calendar_page(request, calendar, form=form, error=error)
    return saved(request, f"Calendar {calendar.name} saved; open tickets' due times "
                 "follow it.", "desk:settings_calendar", pk=calendar.pk)


@admin_view
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    try:
        delete_calendar(desk_user(request), calendar)
    except FrontlineError as error:
        return _calendar_page(request, calendar, error=error)
    return saved(request, f"Calendar {calendar.name} deleted.", "desk:settings_calendars")


@admin_view
@require_POST
def closed_day_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    closed_form = posted(request, ("date", "name"))
    try:
        closed = add_closed_day(desk_user(request), calendar,
                                closed_form["date"], closed_form["name"])
    except FrontlineError as error:
        return _calendar_page(request, calendar, closed_form=closed_form, closed_error=error)
    return saved(request, f"{closed.date:%a %d %b %Y} is now a closed day.",
                 "desk:settings_calendar", pk=calendar.pk)


@admin_view
@require_POST
def closed_day_remove(request: HttpRequest, pk: int, day: int) -> HttpResponse:
    calendar = _calendar(pk)
    try:
        remove_closed_day(desk_user(request), calendar, day)
    except FrontlineError as error:
        return error_page(request, error)
    return saved(request, "Closed day removed.", "desk:settings_calendar", pk=calendar.pk)


# -- cost settings --------------------------------------------------------------------

COST_FORM_FIELDS = (*COST_FIELDS, "currency")


@admin_view
def costs(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        form = posted(request, COST_FORM_FIELDS)
        try:
            update_cost_settings(desk_user(request), **form)
        except FrontlineError as caught:
            error = caught
        else:
            return saved(request, "Cost settings saved.", "desk:settings_costs")
    else:
        current = CostSettings.current()
        form = {field: str(getattr(current, field)) for field in COST_FORM_FIELDS}
    context = {
        "form": form,
        "tiers": [(1, "tier1_hourly", "Tier 1 (front line)"),
                  (2, "tier2_hourly", "Tier 2 (specialists)"),
                  (3, "tier3_hourly", "Tier 3 (developers)")],
    }
    return render_form(request, "desk/settings/costs.html", context, error)

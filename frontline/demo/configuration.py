"""The demo desk's configuration: teams, plans, categories, business calendars, SLA
policies, routing and escalation rules, assignment methods and costs.

Promises go through frontline.sla's calendars, plans and policies, as an admin
would set them; teams, categories and rules are plain rows. Two moments matter:
the promises exist before the history is played, so every ticket gets its due
times as it is written; the rules, assignment methods and costs come after it,
because the history was written before they existed and only new tickets meet
them.
"""

from __future__ import annotations

from datetime import date

from frontline.core.models import User
from frontline.costs.settings import update_cost_settings
from frontline.customers.models import Plan, Product
from frontline.routing.models import (
    Assignment,
    EscalationRule,
    EscalationTrigger,
    RoutingRule,
    Team,
)
from frontline.routing.teams import find_team
from frontline.sla.calendars import create_calendar
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.sla.plans import create_plan, update_plan
from frontline.sla.policies import create_policy
from frontline.tickets.models import Category, Priority
from frontline.tickets.taxonomy import FollowUp

# Hours of developer time a week for support (the history's tier-3 time stays under it).
WEEKLY_DEVELOPER_BUDGET_HOURS = 30
# (name, tier)
TEAMS = [("Frontline", 1), ("Specialists", 2), ("Developers", 3)]
# name, slug, rank, is the default plan, description
PLANS = [
    ("Standard", "standard", 1, True, "Business hours, replies within one working day."),
    ("Premium", "premium", 2, False,
     "Around the clock: first reply within two hours, urgent issues within one."),
    ("Enterprise", "enterprise", 3, False,
     "Around the clock for urgent issues, named specialists, one-hour first reply."),
]
CATEGORIES = [
    ("Installation & upgrades", "installation"),
    ("Login & access", "login"),
    ("Performance", "performance"),
    ("Import, export & integrations", "integrations"),
    ("Bug report", "bug"),
    ("Billing", "billing"),
    ("How-to question", "how-to"),
]
# What the desk does when a request lacks required facts (frontline.intake.follow_up);
# the rest send the questions with the acknowledgement. The standard questions ask
# every request for its product and version, which mean nothing on an invoice: the
# agent asks a billing customer what is missing, if anything.
FOLLOW_UP = {"billing": FollowUp.OFF}
# name, time zone, weekly hours, public holidays (country, region), description
CALENDARS = [
    ("Berlin office", "Europe/Berlin", "Mon-Fri 08:00-18:00", "DE", "BE",
     "The front line in Berlin: weekdays 8 to 6, Berlin's public holidays."),
    ("New York office", "America/New_York", "Mon-Fri 09:00-17:00", "US", "NY",
     "Specialists in New York: weekdays 9 to 5, New York's public holidays."),
    ("Around the clock", "UTC", "Mon-Sun 00:00-24:00", "", "",
     "24x7, no holidays: Premium, Enterprise and bought incidents."),
]
# slug, annual list price
PLAN_PRICES = [("standard", 12_000), ("premium", 60_000), ("enterprise", 250_000)]
# name, slug, price of one incident, description
INCIDENT_PLAN = ("Priority incident", "priority-incident", 250,
                 "Bought for one ticket by a customer on any plan: first reply within an "
                 "hour around the clock, then a specialist.")
# plan, priority, calendar, first response / next response / resolution minutes,
# formal, breach actions
POLICIES: list[tuple[str, int | None, str, int, int, int, bool, dict[str, object]]] = [
    # 24 business hours; 5 business days of 10 hours.
    ("standard", None, "Berlin office", 24 * 60, 24 * 60, 5 * 10 * 60, True, {}),
    # Low-priority Standard questions: an internal target only, never promised.
    ("standard", Priority.LOW, "Berlin office", 16 * 60, 24 * 60, 10 * 10 * 60, False,
     {"notify": False}),
    ("premium", None, "Around the clock", 2 * 60, 4 * 60, 48 * 60, True,
     {"raise_priority": True}),
    ("premium", Priority.URGENT, "Around the clock", 60, 2 * 60, 24 * 60, True,
     {"move_to_tier": 2, "move_to_team": "Specialists"}),
    ("enterprise", None, "Around the clock", 60, 2 * 60, 24 * 60, True,
     {"raise_priority": True}),
    ("enterprise", Priority.URGENT, "Around the clock", 30, 60, 8 * 60, True,
     {"move_to_tier": 2, "move_to_team": "Specialists"}),
    ("priority-incident", None, "Around the clock", 60, 2 * 60, 24 * 60, True,
     {"move_to_tier": 2}),
]
# team -> (calendar, assignment)
TEAM_SETUP = {"Frontline": ("Berlin office", Assignment.ROUND_ROBIN),
              "Specialists": ("New York office", Assignment.LEAST_LOADED),
              "Developers": ("Berlin office", Assignment.MANUAL)}


def create_teams() -> dict[str, Team]:
    """The three tiers' teams by name, created unless they exist."""
    for name, tier in TEAMS:
        Team.objects.get_or_create(name=name, defaults={"tier": tier})
    return {t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])}


def create_plans() -> None:
    """The three support plans; Standard becomes the default unless one is set."""
    has_default = Plan.objects.filter(is_default=True).exists()
    for name, slug, rank, is_default, description in PLANS:
        Plan.objects.get_or_create(slug=slug, defaults={
            "name": name, "rank": rank, "description": description,
            "is_default": is_default and not has_default})


def create_categories() -> None:
    """The ticket categories the scenarios use."""
    for name, slug in CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "follow_up": FOLLOW_UP.get(slug, FollowUp.SEND)})


def create_promises(admin: User, today: date) -> None:
    """Calendars with real holidays, plan prices, the per-incident plan and the SLA
    policies, through frontline.sla.calendars, .plans and .policies (what an admin
    would do)."""
    calendars = {}
    for name, zone, hours, country, region, description in CALENDARS:
        calendars[name] = (BusinessCalendar.objects.filter(name=name).first()
                           or create_calendar(
                               admin, name=name, timezone=zone, hours=hours,
                               holiday_country=country, holiday_subdivision=region,
                               description=description,
                               # The Berlin office closes between the holidays.
                               closed_days=[
                                   {"date": date(year, 12, day), "name": "Company holiday"}
                                   for year in (today.year, today.year + 1) for day in (24, 31)
                               ] if country == "DE" else []))
    for slug, annual in PLAN_PRICES:
        plan = Plan.objects.get(slug=slug)
        if plan.annual_price is None:
            update_plan(admin, plan, annual_price=annual)
    name, slug, price, description = INCIDENT_PLAN
    if not Plan.objects.filter(slug=slug).exists():
        create_plan(admin, name=name, slug=slug, rank=5, per_incident=True,
                    incident_price=price, description=description)
    for plan_slug, priority, calendar, first, later, resolution, formal, actions in POLICIES:
        if SlaPolicy.objects.filter(plan__slug=plan_slug, priority=priority).exists():
            continue
        if "move_to_team" in actions:
            # The SLA app, below routing, takes the Team itself.
            actions = {**actions, "move_to_team": find_team(str(actions["move_to_team"]))}
        create_policy(
            admin, plan=plan_slug, priority=priority, calendar=calendars[calendar],
            first_response_minutes=first, next_response_minutes=later,
            resolution_minutes=resolution, formal=formal, **actions)
    for team, (calendar, _assignment) in TEAM_SETUP.items():
        Team.objects.filter(name=team, calendar__isnull=True).update(
            calendar=calendars[calendar])


def create_rules() -> None:
    """Routing and escalation rules that show how they work (rows only: the
    routing code in frontline.routing applies them)."""
    if RoutingRule.objects.exists() or EscalationRule.objects.exists():
        return  # the admin has rules of their own
    teams = {t.name: t for t in Team.objects.all()}
    installation = Category.objects.get(slug="installation")
    RoutingRule.objects.bulk_create([
        RoutingRule(position=10, name="Outage words make a ticket urgent",
                    words="down, outage, 502, production", set_priority=Priority.URGENT,
                    set_tags="outage", stop=False),
        RoutingRule(position=20, name="Subject mentions install: installation, front line",
                    words="install, installer, upgrade", set_team=teams["Frontline"],
                    set_tags="installation", stop=False),
        RoutingRule(position=30, name="Mobile app questions go to the Specialists",
                    product=Product.objects.get(slug="beacon-mobile"),
                    set_team=teams["Specialists"], set_tier=2),
        RoutingRule(position=40, name="Everything else starts at the front line",
                    set_team=teams["Frontline"], set_tier=1),
    ])
    EscalationRule.objects.bulk_create([
        EscalationRule(position=10, name="Premium and urgent: straight to tier 2",
                       plan=Plan.objects.get(slug="premium"), min_priority=Priority.URGENT,
                       trigger=EscalationTrigger.ON_CREATE, to_tier=2,
                       to_team=teams["Specialists"]),
        EscalationRule(position=20, name="To tier 2 when category is Installation and no "
                                         "resolution after 4 business hours",
                       category=installation, trigger=EscalationTrigger.NO_RESOLUTION,
                       after_minutes=4 * 60, to_tier=2, to_team=teams["Specialists"]),
        EscalationRule(position=30, name="Enterprise without a first response after 30 "
                                         "minutes: tier 2",
                       plan=Plan.objects.get(slug="enterprise"),
                       trigger=EscalationTrigger.NO_FIRST_RESPONSE, after_minutes=30,
                       to_tier=2, to_team=teams["Specialists"]),
    ])


def set_assignment_methods() -> None:
    """How each team hands out new tickets; like the rules, set after the history,
    which was written before they existed."""
    for team, (_, assignment) in TEAM_SETUP.items():
        Team.objects.filter(name=team).update(assignment=assignment)


def set_costs(admin: User) -> None:
    """Hourly costs per tier and the developers' weekly budget (frontline.costs)."""
    update_cost_settings(
        admin, tier1_hourly="45", tier2_hourly="70", tier3_hourly="120", currency="EUR",
        default_developer_hours="6",
        weekly_developer_budget_hours=str(WEEKLY_DEVELOPER_BUDGET_HOURS))

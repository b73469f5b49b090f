"""The demo's support levels: plans with promises, calendars with real holidays,
teams per tier, rules, costs; loaded once however often `frontline demo` runs."""

from __future__ import annotations

from frontline.cli import main
from frontline.costs.models import CostSettings, TimeEntry
from frontline.customers.models import Organization, Plan
from frontline.customers.services import find_contact_by_email, plan_for
from frontline.routing.models import EscalationRule, RoutingRule, Team
from frontline.sla import hours_text
from frontline.sla.models import BusinessCalendar, ClosedDay, SlaPolicy, WorkingInterval
from frontline.tickets.models import ACTIVE_STATUSES, Status, Ticket

MODELS = (Plan, SlaPolicy, BusinessCalendar, WorkingInterval, ClosedDay, Team, RoutingRule,
          EscalationRule, TimeEntry, CostSettings, Organization, Ticket)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_sets_up_plans_slas_and_rules_once(db, capsys):
    assert main(["demo", "--tickets", "30"]) == 0
    loaded = counts()
    assert main(["demo", "--tickets", "30"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert counts() == loaded

    alice, bob = (find_contact_by_email(a) for a in ("alice@premium.example",
                                                      "bob@standard.example"))
    assert alice is not None and bob is not None
    assert (plan_for(alice).slug, plan_for(bob).slug) == ("premium", "standard")
    # The older addresses still reach the same people.
    assert find_contact_by_email("alice@globex.example") == alice

    premium = SlaPolicy.objects.get(plan__slug="premium", priority=None)
    assert (premium.first_response_minutes, premium.calendar.name, premium.formal) == (
        120, "Around the clock", True)
    assert SlaPolicy.objects.get(plan__slug="premium", priority=4).first_response_minutes == 60
    standard = SlaPolicy.objects.get(plan__slug="standard", priority=None)
    assert (standard.first_response_minutes, standard.next_response_minutes,
            standard.calendar.name) == (24 * 60, 24 * 60, "Berlin office")
    assert SlaPolicy.objects.filter(formal=False).exists()
    incident = Plan.objects.get(slug="priority-incident")
    assert incident.per_incident and incident.incident_price == 250

    berlin = BusinessCalendar.objects.get(name="Berlin office")
    assert (berlin.holiday_country, berlin.holiday_subdivision) == ("DE", "BE")
    assert hours_text.format_hours(berlin.intervals.all()) == "Mon-Fri 08:00-18:00"
    assert BusinessCalendar.objects.get(name="New York office").holiday_subdivision == "NY"
    assert berlin.closed_days.filter(name="Company holiday").count() == 4

    assert {(t.name, t.tier) for t in Team.objects.all()} == {
        ("Frontline", 1), ("Specialists", 2), ("Developers", 3)}
    assert Team.objects.get(name="Developers").members.filter(username="dana").exists()
    assert "Premium and urgent: straight to tier 2" in set(
        EscalationRule.objects.values_list("name", flat=True))
    assert RoutingRule.objects.count() >= 3
    assert CostSettings.current().weekly_developer_budget_hours == 30
    assert TimeEntry.objects.exists()
    # Every open ticket that is not waiting on the customer has a due time.
    running = Ticket.objects.filter(status__in=ACTIVE_STATUSES).exclude(
        status=Status.PENDING_CUSTOMER)
    assert running.exists()
    assert not running.filter(clock__sla_due__isnull=True).exists()
    assert not Organization.objects.filter(plan_ends_on__isnull=True).exists()

"""Promises: business calendars, SLA policies per plan and priority, and the
record of every target met or missed.

The due times themselves live in the ticket's clock row (`ticket.clock`,
frontline.tickets.models.TicketClock: `first_response_due` and friends,
indexed), so queues sort by them and the breach scan is one indexed query;
frontline.sla.clock computes them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from frontline.customers.models import Plan


class BusinessCalendar(models.Model):
    """When a team works: a timezone, weekly hours, public holidays and closed days."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # Public holidays come from the `holidays` package: ISO 3166 country code
    # ("DE") and optional subdivision ("BY" for Bavaria); blank means none.
    holiday_country = models.CharField(max_length=2, blank=True)
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    """One stretch of working time that starts on a weekday. An interval whose
    end is not after its start runs past midnight into the next day
    (22:00-06:00); 00:00-00:00 is the whole day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE,
                                 related_name="intervals")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="interval_weekday_0_to_6"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class ClosedDay(models.Model):
    """A day the calendar does not work besides public holidays (company holiday)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE,
                                 related_name="closed_days")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closed_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


# Bits of TicketClock.sla_warned / TicketClock.sla_breached, one per target.
TARGET_BITS: dict[str, int] = {
    Target.FIRST_RESPONSE: 1,
    Target.NEXT_RESPONSE: 2,
    Target.RESOLUTION: 4,
}


class SlaPolicy(models.Model):
    """The targets for one plan and priority. `priority` None is the plan's
    policy for every priority without one of its own. `calendar` None counts
    calendar hours around the clock; otherwise only the calendar's business hours.

    A formal policy is contractual and shown to the customer; an informal one is
    an internal target only. On a breach the policy's actions run: notify the
    assignee and the team lead, raise the priority, move to a team or tier.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="policies")
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="policies")
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    formal = models.BooleanField(default=True)
    warn_percent = models.PositiveSmallIntegerField(default=75)
    notify = models.BooleanField(default=True)
    raise_priority = models.BooleanField(default=False)
    move_to_team = models.ForeignKey("routing.Team", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    move_to_tier = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "priority"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(fields=["plan", "priority"], name="policy_once_per_priority",
                                    condition=Q(priority__isnull=False)),
            models.UniqueConstraint(fields=["plan"], name="policy_once_per_plan_default",
                                    condition=Q(priority__isnull=True)),
            models.CheckConstraint(condition=Q(warn_percent__gte=1, warn_percent__lte=99),
                                   name="policy_warn_percent_1_to_99"),
            models.CheckConstraint(condition=Q(move_to_tier__isnull=True)
                                   | Q(move_to_tier__in=[1, 2, 3]),
                                   name="policy_move_to_tier_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} / {self.priority or 'any priority'}"


class SlaMeasurement(models.Model):
    """One target of one ticket, once it was met or missed: what reports count.

    Written when a target completes (the agent answered, the ticket was
    resolved) or is breached; a breached target that is met later keeps its
    breach and gains `met_at`.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="sla_measurements")
    target = models.CharField(max_length=20, choices=Target.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey("routing.Team", null=True, on_delete=models.SET_NULL,
                             related_name="+")
    priority = models.PositiveSmallIntegerField()
    formal = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # Business seconds from start to met (the policy's calendar), for distributions.
    business_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], name="sla_measurement_due"),
            models.Index(fields=["ticket", "target"], name="sla_measurement_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.target} of ticket {self.ticket_id}"

    @property
    def breached(self) -> bool:
        return self.breached_at is not None


class IncidentPremium(models.Model):
    """A per-incident premium bought for one ticket: the ticket is served on
    `plan` (a per-incident plan) whatever the customer's own plan is."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE,
                                  related_name="incident_premium")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    bought_at = models.DateTimeField()
    recorded_by = models.ForeignKey("core.User", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.plan} for ticket {self.ticket_id} ({self.price})"


class RecomputeRange(models.Model):
    """A range of active tickets whose due times a plan, policy, calendar or contract
    change still owes: written with the change, recomputed by a worker's task
    (frontline.sla.recompute). `scope` says which tickets the change moved
    ({"organization": id}, {"plan": id}, {"plan": id, "policy": id}, or {} for every
    active ticket); the range is the ids after `after_id` up to `last_id`."""

    scope = models.JSONField(default=dict)
    after_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    # The affected active tickets in the range when it was queued.
    tickets = models.PositiveIntegerField()
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "after_id"]
        indexes = [
            # What is left: the settings pages ask on every view.
            models.Index(fields=["queued_at"], name="sla_recompute_left",
                         condition=Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"tickets {self.after_id + 1}-{self.last_id} of {self.scope or 'all'}"

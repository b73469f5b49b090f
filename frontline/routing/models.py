"""Teams and tiers. Routing and escalation rules build on these."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Assignment(models.TextChoices):
    MANUAL = "manual", "Manual"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(default=1)
    calendar = models.ForeignKey("sla.BusinessCalendar", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="teams")
    assignment = models.CharField(max_length=16, choices=Assignment.choices,
                                  default=Assignment.MANUAL)
    # Round robin's pointer: who got the last ticket.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        ordering = ["tier", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__in=[1, 2, 3]), name="team_tier_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Ordered rules that look at a new ticket and set its team, tier, priority
    and tags. Every condition left empty matches anything; a rule matches when
    all its conditions do. Rules run in `position` order; a matching rule with
    `stop` ends the run."""

    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    # Conditions.
    channel = models.CharField(max_length=16, blank=True)
    category = models.ForeignKey("tickets.Category", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("customers.Product", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey("customers.Version", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey("customers.Plan", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("customers.Organization", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    # Any of these words (comma-separated) in the subject or the first message.
    words = models.CharField(max_length=500, blank=True)
    # Actions.
    set_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    set_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    set_priority = models.PositiveSmallIntegerField(null=True, blank=True)
    set_tags = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    stop = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class EscalationTrigger(models.TextChoices):
    ON_CREATE = "on_create", "when the ticket arrives"
    NO_FIRST_RESPONSE = "no_first_response", "no first response after"
    NO_RESOLUTION = "no_resolution", "no resolution after"


class EscalationRule(models.Model):
    """When a ticket moves up a tier by itself: "to tier 2 when category is
    Installation and no resolution after 4 business hours"; "Premium and
    urgent: straight to tier 2". Conditions left empty match anything."""

    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    # Conditions.
    category = models.ForeignKey("tickets.Category", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("customers.Product", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey("customers.Plan", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    min_priority = models.PositiveSmallIntegerField(null=True, blank=True)
    trigger = models.CharField(max_length=20, choices=EscalationTrigger.choices,
                               default=EscalationTrigger.ON_CREATE)
    # Business minutes on the ticket's SLA calendar (around the clock without one).
    after_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Actions.
    to_tier = models.PositiveSmallIntegerField()
    to_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(to_tier__in=[1, 2, 3]),
                                   name="escalation_rule_tier_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.name


class Recommendation(models.TextChoices):
    ESCALATE = "escalate", "Escalate"
    WORKAROUND = "workaround", "Workaround"
    DECLINE = "decline", "Decline with explanation"


class EscalationDecision(models.Model):
    """An escalation weighed and decided: what it would cost, what the customer
    is worth, how many others it reaches, what was recommended and chosen."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="escalation_decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    from_tier = models.PositiveSmallIntegerField()
    to_tier = models.PositiveSmallIntegerField()
    reason = models.TextField()
    tried = models.TextField(blank=True)
    estimated_hours = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    customer_value = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    reach_tickets = models.PositiveIntegerField(default=0)
    reach_organizations = models.PositiveIntegerField(default=0)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    decision = models.CharField(max_length=16, choices=Recommendation.choices)
    why = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} for ticket {self.ticket_id}"

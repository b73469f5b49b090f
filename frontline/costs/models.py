"""Time spent on tickets, and what an hour costs per tier."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class TimeEntry(models.Model):
    """Time one person spent on one ticket. A running timer has `ended_at` None;
    `seconds` is filled when it stops (or given for a manual entry).

    A running timer's `heartbeat_at` is the last moment its ticket page was known
    to be open (the page's beat, frontline.costs.services.heartbeat); a timer whose
    page went quiet is stopped there by the worker, with `stopped_automatically`
    set (services.stop_idle_timers)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="time_entries")
    # The tier the work was done at (the person's tier), for costs per tier.
    tier = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    manual = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    stopped_automatically = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "started_at"], name="time_entry_ticket"),
            models.Index(fields=["started_at"], name="time_entry_started"),
            # The worker's sweep reads running timers by their last beat every minute;
            # the index holds the running ones only (a handful), not the history.
            models.Index(fields=["heartbeat_at"], name="time_entry_running_beat",
                         condition=models.Q(ended_at__isnull=True, manual=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(ended_at__isnull=True,
                                                                         manual=False),
                                    name="one_running_timer_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on ticket {self.ticket_id}: {self.seconds}s"


class CostSettings(models.Model):
    """One row: hourly cost per tier, the default size of a developer
    escalation, and the weekly budget of developer hours for support."""

    tier1_hourly = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("40"))
    tier2_hourly = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("60"))
    tier3_hourly = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("110"))
    default_developer_hours = models.DecimalField(max_digits=6, decimal_places=2,
                                                  default=Decimal("6"))
    weekly_developer_budget_hours = models.DecimalField(max_digits=6, decimal_places=2,
                                                        default=Decimal("40"))
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        verbose_name_plural = "cost settings"

    def __str__(self) -> str:
        return "Cost settings"

    @classmethod
    def current(cls) -> CostSettings:
        found = cls.objects.order_by("pk").first()
        if found is not None:
            return found
        created = cls.objects.create()
        # As the database keeps them (Decimal("6.00"), not the default's "6"), so the
        # first reading says what every later one says.
        created.refresh_from_db()
        return created

    def hourly(self, tier: int) -> Decimal:
        return {1: self.tier1_hourly, 2: self.tier2_hourly}.get(tier, self.tier3_hourly)

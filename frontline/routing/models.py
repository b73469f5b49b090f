"""Teams and tiers. Routing and escalation rules build on these."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(default=1)
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

"""Outbound webhooks: the receivers admins register, and every delivery to them.

An `Endpoint` is a URL with its own signing secret and the events it wants. Each
event it wants becomes a `Delivery` row, written in the same transaction as the
change it reports (so a rolled-back change sends nothing and a committed one is
never lost), and each try of it an `Attempt` row: the endpoint's delivery log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Endpoint(models.Model):
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Kept as written: the worker needs it to sign, and admins may read it again.
    secret = models.CharField(max_length=100)
    # Event names (frontline.webhooks.catalog); empty means every event.
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    # Failed attempts in a row; reset by any success. At the limit the endpoint is
    # switched off (disabled_at, disabled_reason) and the admins are told.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, not enough to sign with."""
        return f"…{self.secret[-4:]}" if self.secret else ""


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its next attempt (next_attempt_at)
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # out of attempts, or its endpoint was removed from service


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    # The exact bytes that are signed and sent, frozen when the event happened: a
    # retry sends what was true then.
    body = models.TextField()
    state = models.CharField(max_length=12, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due",
                         condition=models.Q(state="pending")),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.state})"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    # The HTTP status, or None when no answer came (refused, timed out, bad TLS).
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.CharField(max_length=1000, blank=True)  # the answer's first bytes
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"],
                                               name="webhook_attempt_once")]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.status or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

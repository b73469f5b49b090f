"""A notification: something a member of staff should know about a ticket.

This is a per-ticket record (it points at a ticket), so it lives above `tickets`,
not in `core`: core depends on no domain app, its migrations included. The model
began in core and keeps core's table (`core_notification`) and index name, so
moving it here moved no rows; migrations/0001_initial.py explains how a database
that already has the table and a fresh one end up the same.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Something a member of staff should know: an SLA warning or breach on a
    ticket they own or lead, an escalation to their team. Shown in the desk."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "core_notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="notification_user",
                         condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

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


class Kind(models.TextChoices):
    """The kinds of notification the apps record, with the words the desk's filter
    shows. The column stays free text (no choices): a new kind needs a line here to
    be filtered on, not a migration."""

    MENTION = "mention", "Mentions"
    ASSIGNED = "assigned", "Assigned to me"
    SLA_WARNING = "sla_warning", "SLA warnings"
    SLA_BREACH = "sla_breach", "SLA breaches"
    ESCALATED = "escalated", "Escalations"
    DE_ESCALATED = "de_escalated", "Handed back"
    ALERT_RAISED = "alert_raised", "Alerts"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhooks switched off"


class Mention(models.Model):
    """A person an internal note names (`@otto`, `@"Otto Level-Two"`). `notified`
    is False when they could not be told: they may not see the ticket (a tier-1
    ticket and a developer) or have left; the timeline says so to the writer
    instead of dropping the name silently."""

    message = models.ForeignKey("tickets.Message", on_delete=models.CASCADE,
                                related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    notified = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"],
                                               name="mention_once_per_message")]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.message_id}"


class NotificationPreference(models.Model):
    """What a person wants besides the desk's list: mail for mentions and
    assignments. No row means the defaults (no mail): most agents live in the desk."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    by_mail = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user_id}: {'mail' if self.by_mail else 'desk only'}"

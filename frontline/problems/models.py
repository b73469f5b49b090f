"""Problems: one cause behind many tickets, what we tell their customers meanwhile
(the workaround) and when it is fixed (the fix version).

A ticket belongs to at most one problem (ProblemTicket.ticket is unique): a ticket
has one cause, and "tell every linked customer once" needs one place that says
whether this customer was told.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProblemStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    KNOWN_ERROR = "known_error", "Known error"
    FIX_PLANNED = "fix_planned", "Fix planned"
    FIXED = "fixed", "Fixed"
    VERIFIED = "verified", "Verified"
    WONT_FIX = "wont_fix", "Won't fix"


# Statuses in which the problem still needs work (the desk's "open" filter, the
# ticket page's "link to problem" menu).
OPEN_PROBLEM_STATUSES = (ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR,
                         ProblemStatus.FIX_PLANNED)


class Problem(models.Model):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ProblemStatus.choices,
                              default=ProblemStatus.INVESTIGATING)
    workaround = models.TextField(blank=True)
    fix_version = models.ForeignKey("customers.Version", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # Issue URLs in the developers' trackers (GitHub, GitLab, Jira, ...), as given.
    tracker_links = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_problems")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # When the status last became fixed; when linked customers were told of the release.
    fixed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="problem_status_updated")]

    def __str__(self) -> str:
        return f"P-{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return f"/problems/{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PROBLEM_STATUSES


class ProblemTicket(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE,
                                  related_name="problem_link")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # Each customer hears each thing once: the workaround, and the fix's release.
    workaround_sent_at = models.DateTimeField(null=True, blank=True)
    fix_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["linked_at", "id"]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} in problem {self.problem_id}"


class ProblemChange(models.Model):
    """The problem's own history: who changed what, and what went to customers."""

    class Kind(models.TextChoices):
        CREATED = "created", "created the problem"
        UPDATED = "updated", "changed"
        STATUS = "status", "set the status"
        LINKED = "linked", "linked tickets"
        UNLINKED = "unlinked", "unlinked a ticket"
        WORKAROUND_PUSHED = "workaround_pushed", "sent the workaround"
        FIX_RELEASED = "fix_released", "told customers the fix is released"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # Who acted when no person did: "tracker webhook", "release check".
    actor_label = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on problem {self.problem_id}"

    @property
    def status_label(self) -> str:
        """The status a STATUS change set, as people read it ("known error")."""
        after = (self.detail or {}).get("after", "")
        return ProblemStatus(after).label.lower() if after in ProblemStatus.values else after

    @property
    def actor_name(self) -> str:
        if self.actor is not None:
            return self.actor.display_name
        return self.actor_label or "Frontline"

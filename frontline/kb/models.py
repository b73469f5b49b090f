"""Canned replies (macros): a text with placeholders and the changes it makes.

A macro without an owner is shared (kept by admins, seen by every member of
staff); one with an owner is that person's alone (frontline.core.permissions.
can_manage_macro). The changes are stored as the values an agent would pick:
a status, an assignee, a team, tags to add. Deleting a person deletes their
personal macros; deleting a team or an assignee leaves the macro without that
change rather than losing the macro.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from frontline.tickets.taxonomy import Status


class Macro(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.CASCADE, related_name="macros",
                              help_text="Empty: shared with the whole desk.")
    set_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    set_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    set_team = models.ForeignKey("routing.Team", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    add_tags = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            # NULL owners are distinct in a unique index, so shared titles need their own.
            models.UniqueConstraint(fields=["title"], condition=Q(owner__isnull=True),
                                    name="macro_shared_title"),
            models.UniqueConstraint(fields=["owner", "title"], condition=Q(owner__isnull=False),
                                    name="macro_personal_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shared(self) -> bool:
        return self.owner_id is None

    @property
    def tag_names(self) -> list[str]:
        return [name for name in self.add_tags.split(", ") if name]
